import { expect } from 'chai';
import * as soap from 'soap';
import { runCli } from './node-process';

/** The SOAP clients and tokens a downstream server holds after authorizing with a parent node. */
export interface AuthorizedClients {
  auth: soap.Client;
  sync: soap.Client;
  cookie: { Expiration: string; EncryptedData: string };
  authCookie: { PlugInId: string; CookieData: string };
}

/** authorize runs GetAuthConfig → GetAuthorizationCookie (HTTP Basic) → GetCookie against a node with node-soap. */
export async function authorize(baseUrl: string, serverId: string, secret: string): Promise<AuthorizedClients> {
  const authUrl = `${baseUrl}/DssAuthWebService/DssAuthWebService.asmx`;
  const syncUrl = `${baseUrl}/ServerSyncWebService/ServerSyncWebService.asmx`;
  const auth = await soap.createClientAsync(`${authUrl}?wsdl`, {}, authUrl);
  auth.setSecurity(new soap.BasicAuthSecurity(serverId, secret));
  const sync = await soap.createClientAsync(`${syncUrl}?wsdl`, {}, syncUrl);
  await sync.GetAuthConfigAsync({});
  const [a] = await auth.GetAuthorizationCookieAsync({ accountName: 'child.example', accountGuid: serverId, programKeys: {} });
  const authCookie = a.GetAuthorizationCookieResult;
  const [c] = await sync.GetCookieAsync({ authCookies: { AuthorizationCookie: [authCookie] }, protocolVersion: '1.20' });
  const r = c.GetCookieResult;
  return { auth, sync, authCookie, cookie: { Expiration: new Date(r.Expiration).toISOString(), EncryptedData: r.EncryptedData } };
}

/** faultCode returns the WSUS ErrorCode of a node-soap client error, or the HTTP status when there is no SOAP fault. */
export function faultCode(err: unknown): string {
  const e = err as { root?: { Envelope?: { Body?: { Fault?: { detail?: { ErrorCode?: string } } } } }; response?: { status?: number } };
  return e.root?.Envelope?.Body?.Fault?.detail?.ErrorCode ?? `HTTP ${e.response?.status ?? '?'}`;
}

/** addDownstream registers a downstream server with the CLI and returns its id and secret. */
export async function addDownstream(env: Record<string, string>, name: string, channel?: string) {
  const r = await runCli(['downstream', 'add', '--name', name, ...(channel ? ['--channel', channel] : [])], env);
  expect(r.code, r.stderr).to.equal(0);
  const id = /([0-9a-f]{8}-[0-9a-f-]{27})/.exec(r.stdout)?.[1];
  const secret = /^secret:\s+(\S+)/m.exec(r.stdout)?.[1]; // base64url: may start with "-"
  if (!id || !secret) throw new Error(`cannot read id/secret from: ${r.stdout}`);
  return { id, secret };
}

/** httpStatus is the HTTP status a failed SOAP or HTTP call answered with, if any. */
export function httpStatus(err: unknown): number | undefined {
  return (err as { response?: { status?: number } } | undefined)?.response?.status;
}
