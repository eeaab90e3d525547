import { createHmac, randomBytes } from 'node:crypto';
import { verifySecret } from '../crypto/secret-hash';
import { DomainError } from '../domain/errors';
import { FailureLimiter } from '../lib/failure-limiter';
import { Semaphore, SemaphoreFullError } from '../lib/semaphore';

/** CredentialSettings bounds what password checks may cost (src/config/config.ts reads them). */
export interface CredentialSettings {
  /** Failed sign-ins allowed per source address, and per account, within failureWindowMs. */
  failuresPerSource: number;
  failuresPerAccount: number;
  failureWindowMs: number;
  /** scrypt computations at once; the rest of the thread pool stays free for content and the database. */
  hashConcurrency: number;
  /** How long a verified credential is accepted again without scrypt. */
  cacheMs: number;
}

/** One sign-in: the account (kind-qualified, "provider:contoso"), where it comes from, the secret and the stored hash. */
export interface CredentialAttempt {
  account: string;
  source?: string;
  secret: string;
  stored: string;
}

// A sign-in waits this long at most for a hashing slot, behind at most this many others; past that, ServerBusy.
const HASH_WAIT_MS = 2000;
const HASH_QUEUE = 64;
const MAX_REMEMBERED = 10_000;

/**
 * CredentialChecker verifies secrets against scrypt hashes for every account kind, so that a password flood
 * costs little: failures are limited per account and per source (TooManyRequests with a Retry-After), scrypt
 * runs a few at a time (ServerBusy when the queue is full), and a credential verified recently (or used since)
 * is accepted again after one HMAC. The cache key binds account, stored hash and secret under a per-process random key:
 * a new secret (a new stored hash) can never match an old entry, and no secret is kept in memory.
 */
export class CredentialChecker {
  private readonly cacheKey = randomBytes(32);
  private readonly verified = new Map<string, number>();
  private readonly bySource: FailureLimiter;
  private readonly byAccount: FailureLimiter;
  private readonly hashing: Semaphore;

  constructor(
    private readonly settings: CredentialSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.bySource = new FailureLimiter({ limit: settings.failuresPerSource, windowMs: settings.failureWindowMs }, now);
    this.byAccount = new FailureLimiter({ limit: settings.failuresPerAccount, windowMs: settings.failureWindowMs }, now);
    this.hashing = new Semaphore(settings.hashConcurrency, HASH_QUEUE, HASH_WAIT_MS);
  }

  /** verify indicates whether the secret matches; TooManyRequests or ServerBusy when it may not be checked now. */
  async verify(attempt: CredentialAttempt): Promise<boolean> {
    const id = createHmac('sha256', this.cacheKey)
      .update(JSON.stringify([attempt.account, attempt.stored, attempt.secret]))
      .digest('base64');
    if ((this.verified.get(id) ?? 0) > this.now()) {
      // Sliding: a client that keeps signing in keeps passing even while its account is held by someone's guessing.
      this.remember(id);
      return true;
    }
    const source = attempt.source;
    const wait = Math.max(source ? this.bySource.retryAfterMs(source) : 0, this.byAccount.retryAfterMs(attempt.account));
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      throw new DomainError(
        'TooManyRequests',
        `too many failed sign-ins for this account or from this address; retry in ${seconds} s`,
        seconds,
      );
    }
    if (source) this.bySource.record(source);
    this.byAccount.record(attempt.account);
    const forgive = () => {
      if (source) this.bySource.forgive(source);
      this.byAccount.forgive(attempt.account);
    };
    let ok: boolean;
    try {
      ok = await this.hashing.run(() => verifySecret(attempt.secret, attempt.stored));
    } catch (err) {
      forgive();
      if (err instanceof SemaphoreFullError) throw new DomainError('ServerBusy', 'too many sign-ins are being checked; retry shortly', 1);
      throw err;
    }
    if (ok) {
      forgive();
      this.remember(id);
    }
    return ok;
  }

  private remember(id: string): void {
    this.verified.delete(id);
    this.verified.set(id, this.now() + this.settings.cacheMs);
    if (this.verified.size > MAX_REMEMBERED) this.verified.delete(this.verified.keys().next().value!);
  }
}
