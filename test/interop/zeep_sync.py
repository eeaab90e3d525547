"""Sync from a Cascade node as an independent client would, with python zeep and the WSDLs the node serves.

Usage: /usr/bin/python3 zeep_sync.py NODE_URL SERVER_ID SECRET [--forged-cookie]

Runs GetAuthConfig, GetAuthorizationCookie (HTTP Basic), GetCookie, GetCatalog, GetRevisionIdList and
GetUpdateData, and prints JSON: product titles, revision identities and the title in each update document.
With --forged-cookie it also calls GetConfigData with a forged cookie and prints the fault's ErrorCode.
Any failure (a transport error, a SOAP fault) ends the script with a non-zero exit status.
"""
import json
import sys
import xml.etree.ElementTree as ET

import requests
import zeep
from zeep.transports import Transport

UPDATE_NS = '{http://schemas.microsoft.com/msus/2002/12/Update}'


def product_titles(categories):
    """Titles of every Product in a CatalogCategory tree."""
    titles = []
    for c in categories or []:
        if c.CategoryType == 'Product':
            titles.append(c.Title)
        titles.extend(product_titles(c.Children.CatalogCategory if c.Children else []))
    return titles


def main(argv):
    node_url, server_id, secret = argv[1:4]
    forged = '--forged-cookie' in argv[4:]
    sync_url = f'{node_url}/ServerSyncWebService/ServerSyncWebService.asmx'

    sync = zeep.Client(f'{sync_url}?wsdl').service
    auth_config = sync.GetAuthConfig()
    plugin = auth_config.AuthInfo.AuthPlugInInfo[0]
    # ServiceUrl is relative to the node's root URL (wsdl/README.md, step 1).
    auth_url = f'{node_url}/{plugin.ServiceUrl}'
    session = requests.Session()
    session.auth = (server_id, secret)
    auth = zeep.Client(f'{auth_url}?wsdl', transport=Transport(session=session)).service

    auth_cookie = auth.GetAuthorizationCookie(accountName='child.example', accountGuid=server_id, programKeys=[])
    cookie = sync.GetCookie(authCookies={'AuthorizationCookie': [auth_cookie]}, protocolVersion='1.20')
    catalog = sync.GetCatalog(cookie=cookie)
    revisions = sync.GetRevisionIdList(cookie=cookie, filter={'GetConfig': False})
    identities = revisions.NewRevisions.UpdateIdentity if revisions.NewRevisions else []
    data = sync.GetUpdateData(cookie=cookie, updateIds={'UpdateIdentity': identities})

    result = {
        'products': product_titles(catalog.Products.CatalogCategory),
        'revisions': [{'UpdateID': i.UpdateID, 'RevisionNumber': i.RevisionNumber} for i in identities],
        'titles': {u.Id.UpdateID: ET.fromstring(u.XmlUpdateBlob).find(f'.//{UPDATE_NS}Title').text
                   for u in data.updates.ServerSyncUpdateData},
    }
    if forged:
        forged_cookie = {'Expiration': cookie.Expiration, 'EncryptedData': b'forged cookie bytes that are long'}
        try:
            sync.GetConfigData(cookie=forged_cookie)
            result['forgedCookieErrorCode'] = None
        except zeep.exceptions.Fault as fault:
            result['forgedCookieFault'] = {'code': fault.code, 'message': fault.message}
            result['forgedCookieErrorCode'] = fault.detail.findtext('ErrorCode') if fault.detail is not None else None
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main(sys.argv)
