import { errorChain } from '../lib/error-chain';
import { DomainError } from '../domain/errors';
import type { Logger } from '../lib/logger';
import { SoapCallError } from './soap-client';

/**
 * RetryPolicy bounds how a child retries one read-only call to its parent: failures (no answer, a cut
 * connection, a 5xx without a fault) at most maxAttempts times, and any retrying, ServerBusy included, at
 * most maxElapsedMs after the call first failed.
 */
export interface RetryPolicy {
  maxAttempts: number;
  maxElapsedMs: number;
  /** The first backoff; each next one doubles, up to maxDelayMs, each drawn between half and all of it. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** The longest a ServerBusy hint (Retry-After) is followed. */
  maxBusyWaitMs: number;
}

/** The defaults: six attempts, backoffs of about 2, 4, 8, 16, 30 s, and two minutes in all. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  maxElapsedMs: 120_000,
  baseDelayMs: 2000,
  maxDelayMs: 30_000,
  maxBusyWaitMs: 30_000,
};

/** A failure worth another attempt: the parent said it is busy (maybe with a hint), or it did not answer properly. */
export type Transient = { kind: 'busy'; retryAfterMs?: number } | { kind: 'unreachable' };

/** Socket and undici codes of a connection that broke or timed out: the same request may well work again. */
const BROKEN = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);
/** Codes of a parent that cannot be reached at all: transient only once this run has reached it (a restart, not a wrong URL). */
const REFUSED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * classifyFailure says whether a failed call is worth retrying. ServerBusy, a connection reset or closed,
 * a timeout, or an HTTP 5xx that is no SOAP fault are; a refused connection is once the parent answered
 * in this run. Every other fault is final (one without an ErrorCode too): InvalidCookie is handled by
 * re-authorizing, and InternalServerError stops the sync as MS-WSUSSS §2.2.9 requires of a DSS.
 */
export function classifyFailure(err: unknown, opts: { reached: boolean }): Transient | undefined {
  if (err instanceof SoapCallError) {
    if (err.errorCode === 'ServerBusy') return { kind: 'busy', retryAfterMs: err.retryAfterMs };
    if (err.errorCode || err.detail.fault) return undefined;
    const status = err.httpStatus;
    if (status === 503 && err.retryAfterMs !== undefined) return { kind: 'busy', retryAfterMs: err.retryAfterMs };
    if (status !== undefined) return status >= 500 && status !== 501 && status !== 505 ? { kind: 'unreachable' } : undefined;
  }
  for (const { code, name } of errorChain(err, 6)) {
    if (typeof code === 'string' && (BROKEN.has(code) || (opts.reached && REFUSED.has(code)))) return { kind: 'unreachable' };
    if (name === 'TimeoutError') return { kind: 'unreachable' };
  }
  return undefined;
}

/** backoffMs is the wait before retry number `retry` (1 = the first): exponential, capped, with jitter in [½, 1]. */
export function backoffMs(retry: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/** busyWaitMs follows the parent's hint, capped, plus up to a quarter more so the children it refused do not return together. */
export function busyWaitMs(hintMs: number, policy: RetryPolicy, random: () => number): number {
  return Math.round(Math.min(hintMs, policy.maxBusyWaitMs) * (1 + random() / 4));
}

/** How a retrying call waits, draws jitter and tells the time; injectable for tests. */
export interface RetryEnvironment {
  log: Logger;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * withRetry runs one read-only call, retrying what classifyFailure calls transient within the policy's
 * bounds and logging each retry at warn. When the bounds are spent it throws UpstreamUnavailable saying
 * the parent stayed busy or unreachable, with the attempts, the time and the last error.
 */
export async function withRetry<T>(
  operation: string,
  send: () => Promise<T>,
  policy: RetryPolicy,
  env: RetryEnvironment & { reached: () => boolean },
): Promise<T> {
  const random = env.random ?? Math.random;
  const sleep = env.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = env.now ?? Date.now;
  let failures = 0;
  let attempts = 0;
  let firstFailure: number | undefined;
  for (;;) {
    attempts++;
    try {
      return await send();
    } catch (err) {
      const transient = classifyFailure(err, { reached: env.reached() });
      if (!transient) throw err;
      firstFailure ??= now();
      if (transient.kind === 'unreachable') failures++;
      const delayMs =
        transient.kind === 'busy' && transient.retryAfterMs !== undefined
          ? busyWaitMs(transient.retryAfterMs, policy, random)
          : backoffMs(attempts, policy, random);
      const elapsedMs = now() - firstFailure;
      if (failures >= policy.maxAttempts || elapsedMs + delayMs > policy.maxElapsedMs) {
        const state = transient.kind === 'busy' ? 'busy' : 'unreachable';
        const spent = `${attempts} attempt${attempts === 1 ? '' : 's'} over ${Math.round(elapsedMs / 1000)} s`;
        throw new DomainError(
          'UpstreamUnavailable',
          `the parent stayed ${state} for ${operation} after ${spent}: ${(err as Error).message}`,
        );
      }
      env.log.warn(
        { operation, attempt: attempts, retryInMs: delayMs, reason: transient.kind, err: (err as Error).message },
        'parent call failed; retrying',
      );
      await sleep(delayMs);
    }
  }
}
