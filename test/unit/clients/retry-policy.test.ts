import { expect } from 'chai';
import {
  backoffMs,
  busyWaitMs,
  classifyFailure,
  DEFAULT_RETRY_POLICY,
  withRetry,
  type RetryPolicy,
} from '../../../src/clients/retry-policy';
import { parseRetryAfter, SoapCallError } from '../../../src/clients/soap-client';
import { DomainError } from '../../../src/domain/errors';
import type { Logger } from '../../../src/lib/logger';

const reached = { reached: true };
const fresh = { reached: false };
/** A transport failure as undici or node's http report it: a wrapper whose cause carries the code. */
const transport = (code: string, message = code) =>
  new SoapCallError('GetUpdateData', undefined, message, { cause: Object.assign(new Error(message), { code }) });
const fault = (code: string | undefined, retryAfterMs?: number) =>
  new SoapCallError('GetUpdateData', code, 'fault', { fault: true, httpStatus: 500, retryAfterMs });
const http = (status: number, retryAfterMs?: number) =>
  new SoapCallError('GetUpdateData', undefined, `HTTP ${status}`, { httpStatus: status, retryAfterMs });

describe('retry policy: which failures are transient', () => {
  it('retries ServerBusy with the hint it came with, and no other fault', () => {
    expect(classifyFailure(fault('ServerBusy', 3000), reached)).to.deep.equal({ kind: 'busy', retryAfterMs: 3000 });
    expect(classifyFailure(fault('ServerBusy'), fresh)).to.deep.equal({ kind: 'busy', retryAfterMs: undefined });
    for (const code of [
      'InvalidParameters',
      'InvalidCookie',
      'InvalidAuthorizationCookie',
      'InternalServerError',
      'IncompatibleProtocolVersion',
      undefined,
    ])
      expect(classifyFailure(fault(code), reached), code ?? 'no ErrorCode').to.equal(undefined);
  });

  it('retries an HTTP 5xx that is no SOAP fault (a 503 with Retry-After as busy), not a 4xx, 501 or 505', () => {
    for (const status of [500, 502, 503, 504])
      expect(classifyFailure(http(status), fresh), String(status)).to.deep.equal({ kind: 'unreachable' });
    expect(classifyFailure(http(503, 7000), fresh)).to.deep.equal({ kind: 'busy', retryAfterMs: 7000 });
    for (const status of [400, 401, 403, 404, 413, 501, 505])
      expect(classifyFailure(http(status), reached), String(status)).to.equal(undefined);
  });

  it('retries a reset, closed or timed-out connection; a refused one only once the parent answered in this run', () => {
    for (const code of ['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ECONNABORTED'])
      expect(classifyFailure(transport(code), fresh), code).to.deep.equal({ kind: 'unreachable' });
    const timeout = new SoapCallError('GetUpdateData', undefined, 'timed out', { cause: new DOMException('timed out', 'TimeoutError') });
    expect(classifyFailure(timeout, fresh)).to.deep.equal({ kind: 'unreachable' });
    expect(classifyFailure(transport('ECONNREFUSED'), fresh)).to.equal(undefined);
    expect(classifyFailure(transport('ECONNREFUSED'), reached)).to.deep.equal({ kind: 'unreachable' });
    expect(classifyFailure(transport('ENOTFOUND'), reached)).to.equal(undefined);
  });

  it('does not retry a malformed answer or an error of its own', () => {
    expect(
      classifyFailure(new SoapCallError('GetUpdateData', undefined, 'the response is not a well-formed SOAP message'), reached),
    ).to.equal(undefined);
    expect(classifyFailure(new TypeError('x is undefined'), reached)).to.equal(undefined);
    expect(classifyFailure(new DomainError('ServerBusy', 'local lock'), reached)).to.equal(undefined);
  });
});

describe('retry policy: how long to wait', () => {
  const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 1000, maxDelayMs: 10_000, maxBusyWaitMs: 20_000 };

  it('doubles from the base up to the cap, each wait between half and all of it', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, policy, () => 1))).to.deep.equal([1000, 2000, 4000, 8000, 10_000, 10_000]);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, policy, () => 0))).to.deep.equal([500, 1000, 2000, 4000, 5000, 5000]);
    expect(backoffMs(3, policy, () => 0.5)).to.equal(3000);
  });

  it("follows a busy parent's hint, capped, with up to a quarter more", () => {
    expect(busyWaitMs(4000, policy, () => 0)).to.equal(4000);
    expect(busyWaitMs(4000, policy, () => 1)).to.equal(5000);
    expect(busyWaitMs(120_000, policy, () => 0)).to.equal(20_000);
  });

  it('reads Retry-After as seconds or a date, else the seconds a fault message names', () => {
    expect(parseRetryAfter('3')).to.equal(3000);
    expect(parseRetryAfter(['12'])).to.equal(12_000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:09 GMT', '', now)).to.equal(9000);
    expect(parseRetryAfter(undefined, 'The server is busy (2 of 2 running); retry after 4 seconds.')).to.equal(4000);
    expect(parseRetryAfter(undefined, 'busy')).to.equal(undefined);
  });
});

describe('retry policy: withRetry', () => {
  const policy: RetryPolicy = { maxAttempts: 4, maxElapsedMs: 60_000, baseDelayMs: 1000, maxDelayMs: 8000, maxBusyWaitMs: 30_000 };

  /** A fake clock that sleeping advances, and a logger that keeps the warn lines. */
  function environment() {
    let clock = 0;
    const slept: number[] = [];
    const warned: Array<Record<string, unknown>> = [];
    const log = { warn: (fields: Record<string, unknown>) => warned.push(fields) } as unknown as Logger;
    return {
      slept,
      warned,
      advance: (ms: number) => (clock += ms),
      env: {
        log,
        random: () => 1,
        now: () => clock,
        sleep: async (ms: number) => {
          slept.push(ms);
          clock += ms;
        },
        reached: () => true,
      },
    };
  }

  /** failing throws the given errors in turn, then answers 'ok'. */
  const failing = (...errors: Error[]) => {
    let calls = 0;
    const send = async () => {
      const err = errors[calls++];
      if (err) throw err;
      return 'ok';
    };
    return { send, calls: () => calls };
  };

  it('retries transient failures, backing off, logging each retry with its attempt, and returns the answer', async () => {
    const e = environment();
    const call = failing(transport('UND_ERR_SOCKET', 'other side closed'), http(502), fault('ServerBusy', 3000));
    expect(await withRetry('GetUpdateData', call.send, policy, e.env)).to.equal('ok');
    expect(call.calls()).to.equal(4);
    expect(e.slept).to.deep.equal([1000, 2000, 3750]);
    expect(e.warned.map((w) => [w.operation, w.attempt, w.reason])).to.deep.equal([
      ['GetUpdateData', 1, 'unreachable'],
      ['GetUpdateData', 2, 'unreachable'],
      ['GetUpdateData', 3, 'busy'],
    ]);
  });

  it('gives up after maxAttempts failures, saying the parent stayed unreachable, with the attempts, the time and the last error', async () => {
    const e = environment();
    const call = failing(...Array.from({ length: 10 }, () => transport('ECONNRESET', 'socket hang up')));
    const err = await withRetry('GetUpdateData', call.send, policy, e.env).catch((x: unknown) => x);
    expect(err).to.be.instanceOf(DomainError);
    expect((err as DomainError).code).to.equal('UpstreamUnavailable');
    expect((err as Error).message).to.equal(
      'the parent stayed unreachable for GetUpdateData after 4 attempts over 7 s: GetUpdateData failed: socket hang up',
    );
    expect(call.calls()).to.equal(4);
    expect(e.warned.length).to.equal(3);
  });

  it('gives up on a busy parent once the time bound would be passed, however many attempts that took', async () => {
    const e = environment();
    const call = failing(...Array.from({ length: 100 }, () => fault('ServerBusy', 10_000)));
    const err = await withRetry('GetRevisionIdList', call.send, policy, e.env).catch((x: unknown) => x);
    expect((err as Error).message).to.match(/^the parent stayed busy for GetRevisionIdList after 5 attempts over 50 s: .*ServerBusy/);
    expect(e.slept.every((ms) => ms === 12_500)).to.equal(true);
  });

  it('does not retry what is not transient, and does not wait', async () => {
    const e = environment();
    const invalid = fault('InvalidParameters');
    const call = failing(invalid);
    expect(await withRetry('GetUpdateData', call.send, policy, e.env).catch((x: unknown) => x)).to.equal(invalid);
    expect(e.slept).to.deep.equal([]);
  });
});
