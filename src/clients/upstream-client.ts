import os from 'node:os';
import path from 'node:path';
import * as soap from 'soap';
import { call, SoapCallError } from './soap-client';
import type { UpstreamConfig } from '../config/config';
import type { UpdateIdentity } from '../domain/update-document';
import type { XmlMarkup } from '../lib/xml-writer';
import {
  envelope,
  getRevisionIdListRequest,
  getUpdateDataRequest,
  readGetRevisionIdListResponse,
  readGetUpdateDataResponse,
  type UpstreamUpdateData,
  type WireCookie,
} from './server-sync-wire';

const WSDL_DIR = path.resolve(__dirname, '..', '..', '..', 'wsdl');
/** The protocol version this node announces to its parent (MS-WSUSSS 1.7; WS2016+ WSUS says 1.20). */
export const DSS_PROTOCOL_VERSION = '1.20';

/** A category of the parent's catalog, as GetCatalog describes it. */
export interface UpstreamCategory {
  id: string;
  categoryType: string;
  title: string;
  children: UpstreamCategory[];
}

/** What a revision-list request asks the parent for. */
export interface UpstreamFilter {
  anchor?: string;
  getConfig: boolean;
  categories: Array<{ id: string; delta: boolean }>;
  classifications: Array<{ id: string; delta: boolean }>;
}

type Wire = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const list = (v: Wire | null | undefined, item: string): Wire[] => (v && v[item] ? (Array.isArray(v[item]) ? v[item] : [v[item]]) : []);

/**
 * UpstreamClient is this node's DSS side of MS-WSUSSS: a node-soap client of the parent's
 * DssAuthWebService and ServerSyncWebService (contracts from our own wsdl/, endpoints on the parent).
 * It keeps the Cookie, and when the parent answers InvalidCookie (expired or the parent restarted its
 * keys) it re-authorizes once and repeats the call.
 */
export class UpstreamClient {
  private cookie?: { Expiration: string; EncryptedData: string };

  private constructor(
    private readonly upstream: UpstreamConfig,
    private readonly auth: soap.Client,
    private readonly sync: soap.Client,
    private readonly timeoutMs: number,
  ) {}

  private get syncEndpoint(): string {
    return `${this.upstream.url}/ServerSyncWebService/ServerSyncWebService.asmx`;
  }

  static async connect(upstream: UpstreamConfig, timeoutMs = 120_000): Promise<UpstreamClient> {
    const options = { wsdl_options: { timeout: timeoutMs }, returnFault: true };
    const auth = await soap.createClientAsync(
      path.join(WSDL_DIR, 'AuthService.wsdl'),
      options,
      `${upstream.url}/DssAuthWebService/DssAuthWebService.asmx`,
    );
    auth.setSecurity(new soap.BasicAuthSecurity(upstream.serverId, upstream.secret));
    const sync = await soap.createClientAsync(
      path.join(WSDL_DIR, 'ServerSyncService.wsdl'),
      options,
      `${upstream.url}/ServerSyncWebService/ServerSyncWebService.asmx`,
    );
    for (const c of [auth, sync]) (c as unknown as { wsdl: { options: Record<string, unknown> } }).wsdl.options.timeout = timeoutMs;
    return new UpstreamClient(upstream, auth, sync, timeoutMs);
  }

  /** authorize runs GetAuthConfig → GetAuthorizationCookie (HTTP Basic) → GetCookie. */
  async authorize(): Promise<void> {
    await call<Wire>(this.sync, 'GetAuthConfig', {});
    const a = await call<Wire>(this.auth, 'GetAuthorizationCookie', {
      accountName: os.hostname(),
      accountGuid: this.upstream.serverId,
      programKeys: {},
    });
    const c = await call<Wire>(this.sync, 'GetCookie', {
      authCookies: { AuthorizationCookie: [a.GetAuthorizationCookieResult] },
      protocolVersion: DSS_PROTOCOL_VERSION,
    });
    const r = c.GetCookieResult;
    this.cookie = { Expiration: new Date(r.Expiration).toISOString(), EncryptedData: r.EncryptedData };
  }

  /** getConfigData returns the parent's limits. */
  async getConfigData(configAnchor?: string): Promise<{ maxUpdatesPerRequest: number; configAnchor: string; lazySync: boolean }> {
    const r = (await this.callWithCookie('GetConfigData', (cookie) => ({ cookie, ...(configAnchor ? { configAnchor } : {}) })))
      .GetConfigDataResult;
    return {
      maxUpdatesPerRequest: Number(r.MaxNumberOfUpdatesPerRequest) || 100,
      configAnchor: String(r.NewConfigAnchor ?? ''),
      lazySync: Boolean(r.LazySync),
    };
  }

  /** getCatalog returns the products (a tree) and classifications the parent offers this node. */
  async getCatalog(): Promise<{ products: UpstreamCategory[]; classifications: UpstreamCategory[] }> {
    const r = (await this.callWithCookie('GetCatalog', (cookie) => ({ cookie }))).GetCatalogResult;
    const tree = (v: Wire | null | undefined): UpstreamCategory[] =>
      list(v, 'CatalogCategory').map((c) => ({
        id: String(c.Id).toLowerCase(),
        categoryType: String(c.CategoryType),
        title: String(c.Title),
        children: tree(c.Children),
      }));
    return { products: tree(r.Products), classifications: tree(r.Classifications) };
  }

  /** getRevisionIdList returns the revisions the parent lists for a filter (the whole delta, maybe 10^5), and its new anchor. */
  getRevisionIdList(f: UpstreamFilter): Promise<{ anchor: string; revisions: UpdateIdentity[] }> {
    return this.withCookie(async (cookie) =>
      readGetRevisionIdListResponse(await this.post('GetRevisionIdList', getRevisionIdListRequest(cookie as WireCookie, f))),
    );
  }

  /** getUpdateData returns the update documents of up to MaxNumberOfUpdatesPerRequest revisions (the sync's hot path). */
  getUpdateData(ids: UpdateIdentity[]): Promise<UpstreamUpdateData[]> {
    return this.withCookie(async (cookie) =>
      readGetUpdateDataResponse(await this.post('GetUpdateData', getUpdateDataRequest(cookie as WireCookie, ids))),
    );
  }

  /**
   * post sends one ServerSync request written by hand and returns the response text. The two calls
   * that carry the bulk of a sync go this way: node-soap's generic object mapping of their large
   * responses cost more than the rest of the sync together.
   */
  private async post(operation: string, body: XmlMarkup): Promise<string> {
    let res: Response;
    try {
      res = await fetch(this.syncEndpoint, {
        method: 'POST',
        body: envelope(body),
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: { 'Content-Type': 'text/xml; charset=utf-8', SOAPAction: `"http://www.microsoft.com/SoftwareDistribution/${operation}"` },
      });
    } catch (err) {
      throw new SoapCallError(operation, undefined, (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message, {
        cause: err,
      });
    }
    const text = await res.text();
    if (res.status !== 200 && res.status !== 500)
      throw new SoapCallError(operation, undefined, `HTTP ${res.status}`, { httpStatus: res.status });
    return text;
  }

  /** callWithCookie invokes a node-soap operation whose arguments carry the Cookie. */
  private callWithCookie(operation: string, args: (cookie: Wire) => Wire): Promise<Wire> {
    return this.withCookie((cookie) => call<Wire>(this.sync, operation, args(cookie)));
  }

  /** withCookie sends with the current Cookie; on InvalidCookie it re-authorizes once and sends again. */
  private async withCookie<T>(send: (cookie: Wire) => Promise<T>): Promise<T> {
    if (!this.cookie) await this.authorize();
    try {
      return await send(this.cookie!);
    } catch (err) {
      if (!(err instanceof SoapCallError) || err.errorCode !== 'InvalidCookie') throw err;
      await this.authorize();
      return send(this.cookie!);
    }
  }
}
