<?php
// Sync from a Cascade node as an independent client would, with PHP's SoapClient and the WSDLs the node serves.
//
// Usage: php php_sync.php NODE_URL SERVER_ID SECRET [--forged-cookie]
//
// Runs GetAuthConfig, GetAuthorizationCookie (HTTP Basic), GetCookie, GetCatalog, GetRevisionIdList and
// GetUpdateData, and prints JSON: product titles, revision identities and the title in each update document.
// With --forged-cookie it also calls GetConfigData with a forged cookie and prints the fault's ErrorCode.
// Any failure (a transport error, a SOAP fault) ends the script with a non-zero exit status.

[$_, $nodeUrl, $serverId, $secret] = array_slice($argv, 0, 4);
$forged = in_array('--forged-cookie', array_slice($argv, 4), true);

$options = [
    'exceptions' => true,
    'cache_wsdl' => WSDL_CACHE_NONE,
    // Lists of one item stay lists, as the WSDL's maxOccurs="unbounded" says.
    'features' => SOAP_SINGLE_ELEMENT_ARRAYS,
];
$sync = new SoapClient("$nodeUrl/ServerSyncWebService/ServerSyncWebService.asmx?wsdl", $options);
$authConfig = $sync->GetAuthConfig()->GetAuthConfigResult;
// ServiceUrl is relative to the node's root URL (wsdl/README.md, step 1).
$authUrl = "$nodeUrl/" . $authConfig->AuthInfo->AuthPlugInInfo[0]->ServiceUrl;
$auth = new SoapClient("$authUrl?wsdl", $options + ['login' => $serverId, 'password' => $secret]);

$authCookie = $auth->GetAuthorizationCookie(['accountName' => 'child.example', 'accountGuid' => $serverId, 'programKeys' => []])
    ->GetAuthorizationCookieResult;
$cookie = $sync->GetCookie(['authCookies' => ['AuthorizationCookie' => [$authCookie]], 'protocolVersion' => '1.20'])->GetCookieResult;
$catalog = $sync->GetCatalog(['cookie' => $cookie])->GetCatalogResult;
$list = $sync->GetRevisionIdList(['cookie' => $cookie, 'filter' => ['GetConfig' => false]])->GetRevisionIdListResult;
$identities = $list->NewRevisions->UpdateIdentity ?? [];
$data = $sync->GetUpdateData(['cookie' => $cookie, 'updateIds' => ['UpdateIdentity' => $identities]])->GetUpdateDataResult;

/** Titles of every Product in a CatalogCategory tree. */
function productTitles(array $categories): array
{
    $titles = [];
    foreach ($categories as $c) {
        if ($c->CategoryType === 'Product') $titles[] = $c->Title;
        $titles = array_merge($titles, productTitles($c->Children->CatalogCategory ?? []));
    }
    return $titles;
}

/**
 * The Title of an update document. php-soap needs no XML extension and none other is a test prerequisite, so the
 * document is read with a pattern: Cascade writes exactly one upd:Title, escaped as XML text.
 */
function documentTitle(string $xml): ?string
{
    if (!preg_match('~<(?:[\w.-]+:)?Title>(.*?)</(?:[\w.-]+:)?Title>~s', $xml, $m)) return null;
    return html_entity_decode($m[1], ENT_QUOTES | ENT_XML1, 'UTF-8');
}

$titles = [];
foreach ($data->updates->ServerSyncUpdateData ?? [] as $u) $titles[$u->Id->UpdateID] = documentTitle($u->XmlUpdateBlob);
$result = [
    'products' => productTitles($catalog->Products->CatalogCategory ?? []),
    'revisions' => array_map(fn ($i) => ['UpdateID' => $i->UpdateID, 'RevisionNumber' => $i->RevisionNumber], $identities),
    'titles' => $titles,
];

if ($forged) {
    $forgedCookie = ['Expiration' => $cookie->Expiration, 'EncryptedData' => 'forged cookie bytes that are long'];
    try {
        $sync->GetConfigData(['cookie' => $forgedCookie]);
        $result['forgedCookieErrorCode'] = null;
    } catch (SoapFault $fault) {
        $result['forgedCookieFault'] = ['code' => $fault->faultcode, 'message' => $fault->faultstring];
        $result['forgedCookieErrorCode'] = $fault->detail->ErrorCode ?? null;
    }
}
echo json_encode($result, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR), "\n";
