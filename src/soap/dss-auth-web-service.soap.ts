import type { Request, RequestHandler } from 'express';
import type { DownstreamServer } from '../domain/downstream-server';
import { httpContext } from '../http/request-context';
import type { DownstreamSessionService } from '../services/downstream-session.service';
import { optionalText } from './soap-args';
import type { SoapServiceSpec } from './soap-host';

/** dssAuthWebServiceSpec adapts GetAuthorizationCookie to wsdl/AuthService.wsdl; `authenticate` admits downstream servers by HTTP Basic. */
export function dssAuthWebServiceSpec(sessions: DownstreamSessionService, authenticate: RequestHandler): SoapServiceSpec {
  return {
    path: '/DssAuthWebService/DssAuthWebService.asmx',
    wsdlFile: 'AuthService.wsdl',
    serviceName: 'DssAuthWebService',
    portName: 'DssAuthWebServiceSoap',
    before: [authenticate],
    operations: {
      GetAuthorizationCookie: async (args, req: Request) => {
        const server = req.user as DownstreamServer;
        const data = await sessions.issueAuthorizationCookie(
          httpContext(req, { kind: 'downstream-server', serverId: server.serverId }),
          server,
          optionalText(args.accountGuid, 'accountGuid'),
        );
        return { GetAuthorizationCookieResult: { PlugInId: 'DssTargeting', CookieData: data.toString('base64') } };
      },
    },
  };
}
