import type { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { CHUNK_BYTES } from '../content/content-store';
import { contentUrlPath } from '../domain/content-path';
import { DomainError } from '../domain/errors';

/** UpstreamTimeouts bounds one payload GET on the parent; bodyIdleMs is the longest pause between two body chunks. */
export interface UpstreamTimeouts {
  connectMs: number;
  headersMs: number;
  bodyIdleMs: number;
}

/** DEFAULT_UPSTREAM_TIMEOUTS indicates generous limits: a parent that is itself fetching from its parent answers headers at once. */
export const DEFAULT_UPSTREAM_TIMEOUTS: UpstreamTimeouts = { connectMs: 10_000, headersMs: 30_000, bodyIdleMs: 60_000 };

/** UpstreamPayload is a parent's 200 answer: the body still to be read and the size it announced, if any. */
export interface UpstreamPayload {
  body: Readable;
  declaredSize: number | undefined;
}

/**
 * UpstreamContentClient indicates the parent node's payload URLs (/Content/<XX>/<SHA1HEX><.ext>), read as
 * plain unauthenticated GETs, as WSUS downstream servers and clients read them.
 */
export class UpstreamContentClient {
  private readonly agent: Agent;

  constructor(
    private readonly baseUrl: string,
    timeouts: UpstreamTimeouts = DEFAULT_UPSTREAM_TIMEOUTS,
  ) {
    this.agent = new Agent({
      connect: { timeout: timeouts.connectMs },
      headersTimeout: timeouts.headersMs,
      bodyTimeout: timeouts.bodyIdleMs,
      // An idle connection is reused for 10 s at most, well within the 65 s a Cascade parent keeps it open.
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 10_000,
    });
  }

  /**
   * openPayload asks the parent for a payload and returns its body once the parent answered 200; no answer,
   * a timeout or any other status is UpstreamUnavailable. The caller must read or destroy the body.
   */
  async openPayload(sha1: string, extension: string): Promise<UpstreamPayload> {
    const url = this.baseUrl + contentUrlPath(sha1, extension);
    let res: Awaited<ReturnType<typeof request>>;
    try {
      res = await request(url, { dispatcher: this.agent, highWaterMark: CHUNK_BYTES });
    } catch (err) {
      throw new DomainError(
        'UpstreamUnavailable',
        `the parent did not answer for ${url}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
    if (res.statusCode !== 200) {
      res.body.destroy();
      throw new DomainError('UpstreamUnavailable', `the parent answered ${res.statusCode} for ${url}`);
    }
    const length = res.headers['content-length'];
    return { body: res.body, declaredSize: typeof length === 'string' ? Number(length) : undefined };
  }

  /** close aborts every fetch still running and frees the connections. */
  close(): Promise<void> {
    return this.agent.destroy();
  }
}
