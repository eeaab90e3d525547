import type { CatalogNode } from '../domain/catalog';
import { invalidParameters } from '../domain/errors';
import type { DownstreamSessionService, WireCookie } from '../services/downstream-session.service';
import { SERVER_SYNC_LIMITS, type ServerSyncService } from '../services/server-sync.service';
import type { Request } from 'express';
import { httpContext } from '../http/request-context';
import { arrayOf, optionalText, requiredObject } from './soap-args';
import type { SoapServiceSpec } from './soap-host';
import { getUpdateDataResponseXml, revisionIdListResponseXml } from './update-data-xml';
import { readGetRevisionIdList, readGetUpdateData } from './server-sync-requests';
import { base64ToHex } from '../domain/update-document';

/** readCookie reads a Cookie argument { Expiration, EncryptedData }. */
function readCookie(value: unknown): WireCookie {
  const c = requiredObject(value, 'cookie');
  const data = optionalText(c.EncryptedData, 'EncryptedData');
  if (!data) throw invalidParameters('cookie.EncryptedData is required');
  return { encryptedData: Buffer.from(data, 'base64') };
}

function catalogToWsdl(nodes: CatalogNode[]): { CatalogCategory: unknown[] } {
  return {
    CatalogCategory: nodes.map((n) => ({
      Id: n.id,
      CategoryType: n.categoryType,
      Title: n.title,
      ...(n.children.length ? { Children: catalogToWsdl(n.children) } : {}),
    })),
  };
}

/** anonymous is the context of a request before its Cookie is opened: the node answers on its own behalf. */
const anonymous = (req: Request) => httpContext(req, { kind: 'node' });

/** serverSyncWebServiceSpec adapts the parent side of MS-WSUSSS to wsdl/ServerSyncService.wsdl. */
export function serverSyncWebServiceSpec(sync: ServerSyncService, sessions: DownstreamSessionService): SoapServiceSpec {
  return {
    path: '/ServerSyncWebService/ServerSyncWebService.asmx',
    wsdlFile: 'ServerSyncService.wsdl',
    serviceName: 'ServerSyncWebService',
    portName: 'ServerSyncWebServiceSoap',
    operations: {
      GetAuthConfig: async (_args, req) => ({
        GetAuthConfigResult: {
          LastChange: sessions.authConfigLastChange(anonymous(req)).toISOString(),
          AuthInfo: { AuthPlugInInfo: [{ PlugInID: 'DssTargeting', ServiceUrl: 'DssAuthWebService/DssAuthWebService.asmx' }] },
          AllowedEventIds: {},
        },
      }),
      GetCookie: async (args, req) => {
        const auth = arrayOf<Record<string, unknown>>(args.authCookies, 'AuthorizationCookie');
        if (auth.length !== 1) throw invalidParameters('authCookies must hold exactly one AuthorizationCookie');
        const data = optionalText(auth[0].CookieData, 'CookieData');
        if (!data) throw invalidParameters('AuthorizationCookie.CookieData is required');
        const cookie = await sessions.issueCookie(
          anonymous(req),
          Buffer.from(data, 'base64'),
          optionalText(args.protocolVersion, 'protocolVersion') ?? '',
        );
        return { GetCookieResult: { Expiration: cookie.expiration.toISOString(), EncryptedData: cookie.encryptedData.toString('base64') } };
      },
      GetConfigData: async (args, req) => {
        const ctx = await sessions.context(anonymous(req), readCookie(args.cookie));
        return {
          GetConfigDataResult: {
            CatalogOnlySync: false,
            LazySync: true,
            ServerHostsPsfFiles: false,
            MaxNumberOfComputerIdsInRequest: 0,
            MaxNumberOfDriverSetsPerRequest: 0,
            MaxNumberOfPnpHardwareIdsInRequest: 0,
            MaxNumberOfUpdatesPerRequest: SERVER_SYNC_LIMITS.maxNumberOfUpdatesPerRequest,
            NewConfigAnchor: sync.configAnchor(ctx),
            ProtocolVersion: SERVER_SYNC_LIMITS.protocolVersion,
            LanguageUpdateList: {
              ServerSyncLanguageData: [{ LanguageID: 1033, ShortLanguage: 'en', LongLanguage: 'English', Enabled: true }],
            },
          },
        };
      },
      GetCatalog: async (args, req) => {
        const catalog = await sync.getCatalog(await sessions.context(anonymous(req), readCookie(args.cookie)));
        return { GetCatalogResult: { Products: catalogToWsdl(catalog.products), Classifications: catalogToWsdl(catalog.classifications) } };
      },
      DownloadFiles: async (args, req) => {
        const ctx = await sessions.context(anonymous(req), readCookie(args.cookie));
        const digests = arrayOf<string>(args.fileDigestList, 'base64Binary').map(String);
        for (const d of digests)
          if (!/^[A-Za-z0-9+/]{27}=$/.test(d)) throw invalidParameters(`fileDigestList: "${d}" is not a base64 SHA-1`);
        await sync.downloadFiles(ctx, digests.map(base64ToHex));
        return {};
      },
    },
    // The two operations a sync repeats: each request read once, each response written by hand.
    direct: {
      GetRevisionIdList: async (op, req) => {
        const { cookie, filter } = readGetRevisionIdList(op);
        const list = await sync.getRevisionIdList(await sessions.context(anonymous(req), cookie), filter);
        return revisionIdListResponseXml(list.anchor, list.revisions);
      },
      GetUpdateData: async (op, req) => {
        const { cookie, updateIds } = readGetUpdateData(op);
        const data = await sync.getUpdateData(await sessions.context(anonymous(req), cookie), updateIds);
        return getUpdateDataResponseXml(data.updates, data.files);
      },
    },
  };
}
