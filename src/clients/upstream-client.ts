import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import * as soap from 'soap';
import { Agent, request } from 'undici';
import { call, parseRetryAfter, SoapCallError } from './soap-client';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from './retry-policy';
import type { UpstreamConfig } from '../config/config';
import type { UpdateIdentity } from '../domain/update-document';
import type { Logger } from '../lib/logger';
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
/**
 * How long an idle connection to the parent is kept for reuse: well below the 65 s a Cascade parent keeps
 * it (src/main.ts), so the parent never closes a socket this node is about to send on. (Node's 5 s on both
 * sides raced: a child whose event loop was busy for a second sent on a socket the parent had just closed.)
 */
const IDLE_SOCKET_MS = 10_000;
/** Connections to the parent at once for the sync's own requests (the sync keeps a few GetUpdateData in flight). */
const MAX_CONNECTIONS = 8;

/** The longest one request to the parent may take. */
const DEFAULT_TIMEOUT_MS = 120_000;

/** How an UpstreamClient behaves: its per-request time limit, its retry bounds, and where it logs retries. */
export interface UpstreamClientOptions {
  log: Logger;
  timeoutMs?: number;
  retry?: RetryPolicy;
}
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
 * Every call is read-only, so each is retried on what is transient (retry-policy.ts), one call (one
 * GetUpdateData batch) at a time. It keeps the Cookie, and when the parent answers InvalidCookie
 * (expired or the parent restarted its keys) it re-authorizes once and repeats the call.
 */
export class UpstreamClient {
  private cookie?: { Expiration: string; EncryptedData: string };
  /** Whether the parent has answered anything yet: a refused connection is only transient after that. */
  private reached = false;
  /** node-soap's few small calls open a connection each; no idle socket is kept to go stale. */
  private readonly soapAgent = new http.Agent({ keepAlive: false });
  private readonly agent = new Agent({
    keepAliveTimeout: IDLE_SOCKET_MS,
    keepAliveMaxTimeout: IDLE_SOCKET_MS,
    connections: MAX_CONNECTIONS,
  });

  private constructor(
    private readonly upstream: UpstreamConfig,
    private readonly auth: soap.Client,
    private readonly sync: soap.Client,
    private readonly log: Logger,
    private readonly timeoutMs: number,
    private readonly retry: RetryPolicy,
  ) {}

  private get syncEndpoint(): string {
    return `${this.upstream.url}/ServerSyncWebService/ServerSyncWebService.asmx`;
  }

  static async connect(upstream: UpstreamConfig, opts: UpstreamClientOptions): Promise<UpstreamClient> {
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
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
    return new UpstreamClient(upstream, auth, sync, opts.log, timeoutMs, opts.retry ?? DEFAULT_RETRY_POLICY);
  }

  /** close frees the connections to the parent, ending any request still running (the run is over). */
  close(): Promise<void> {
    this.soapAgent.destroy();
    return this.agent.destroy();
  }

  /** authorize runs GetAuthConfig → GetAuthorizationCookie (HTTP Basic) → GetCookie. */
  async authorize(): Promise<void> {
    await this.call(this.sync, 'GetAuthConfig', {});
    const a = await this.call(this.auth, 'GetAuthorizationCookie', {
      accountName: os.hostname(),
      accountGuid: this.upstream.serverId,
      programKeys: {},
    });
    const c = await this.call(this.sync, 'GetCookie', {
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
    return this.withCookie((cookie) =>
      this.post('GetRevisionIdList', getRevisionIdListRequest(cookie as WireCookie, f), readGetRevisionIdListResponse),
    );
  }

  /** getUpdateData returns the update documents of up to MaxNumberOfUpdatesPerRequest revisions (the sync's hot path). */
  getUpdateData(ids: UpdateIdentity[]): Promise<UpstreamUpdateData[]> {
    return this.withCookie((cookie) =>
      this.post('GetUpdateData', getUpdateDataRequest(cookie as WireCookie, ids), readGetUpdateDataResponse),
    );
  }

  /**
   * post sends one ServerSync request written by hand and reads its response, retrying what is transient.
   * The two calls that carry the bulk of a sync go this way: node-soap's generic object mapping of their
   * large responses cost more than the rest of the sync together.
   */
  private post<T>(operation: string, body: XmlMarkup, read: (envelope: string) => T): Promise<T> {
    return this.retrying(operation, async () => {
      let status: number;
      let retryAfter: string | string[] | undefined;
      let text: string;
      try {
        const res = await request(this.syncEndpoint, {
          dispatcher: this.agent,
          method: 'POST',
          body: envelope(body),
          signal: AbortSignal.timeout(this.timeoutMs),
          headers: {
            'Content-Type': 'text/xml; charset=utf-8',
            SOAPAction: `"http://www.microsoft.com/SoftwareDistribution/${operation}"`,
          },
        });
        this.reached = true;
        status = res.statusCode;
        retryAfter = res.headers['retry-after'];
        text = await res.body.text();
      } catch (err) {
        throw new SoapCallError(operation, undefined, (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message, {
          cause: err,
        });
      }
      if (status !== 200 && status !== 500)
        throw new SoapCallError(operation, undefined, `HTTP ${status}`, { httpStatus: status, retryAfterMs: parseRetryAfter(retryAfter) });
      try {
        return read(text);
      } catch (err) {
        if (status === 200 || !(err instanceof SoapCallError)) throw err;
        // A 500 is a fault (with the wait a busy parent asks for) or, when it holds none, a failed server.
        const fault = err.detail.fault === true;
        const reason = fault ? err.reason : `HTTP 500 without a SOAP fault (${err.reason})`;
        throw new SoapCallError(operation, err.errorCode, reason, {
          fault,
          httpStatus: status,
          retryAfterMs: parseRetryAfter(retryAfter, reason),
        });
      }
    });
  }

  /** call invokes a node-soap operation, retrying what is transient. */
  private call(client: soap.Client, operation: string, args: Wire): Promise<Wire> {
    return this.retrying(operation, async () => {
      try {
        const result = await call<Wire>(client, operation, args, { httpAgent: this.soapAgent });
        this.reached = true;
        return result;
      } catch (err) {
        if (err instanceof SoapCallError && (err.errorCode || err.httpStatus)) this.reached = true;
        throw err;
      }
    });
  }

  private retrying<T>(operation: string, send: () => Promise<T>): Promise<T> {
    return withRetry(operation, send, this.retry, { log: this.log, reached: () => this.reached });
  }

  /** callWithCookie invokes a node-soap operation whose arguments carry the Cookie. */
  private callWithCookie(operation: string, args: (cookie: Wire) => Wire): Promise<Wire> {
    return this.withCookie((cookie) => this.call(this.sync, operation, args(cookie)));
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
