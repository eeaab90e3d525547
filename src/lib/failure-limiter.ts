/** FailureLimiterSettings bounds failures per key in a sliding window. */
export interface FailureLimiterSettings {
  /** Failures allowed per key within windowMs; the next attempt waits. */
  limit: number;
  windowMs: number;
  /** Keys remembered at most; the least recently failing are forgotten first, so memory stays bounded. */
  maxKeys?: number;
}

/**
 * FailureLimiter counts failures per key (an account, a source address) in a sliding window, in memory. A key
 * with `limit` failures in the last windowMs must wait until the oldest of them leaves the window. An attempt
 * is recorded before it is judged (so a burst of concurrent attempts cannot all slip past the limit) and
 * forgiven when it succeeds.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly maxKeys: number;

  constructor(
    private readonly settings: FailureLimiterSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.maxKeys = settings.maxKeys ?? 10_000;
  }

  /** retryAfterMs returns 0 when the key may attempt now, else how long until it may. */
  retryAfterMs(key: string): number {
    const times = this.recent(key);
    if (times.length < this.settings.limit) return 0;
    return Math.max(1, times[times.length - this.settings.limit] + this.settings.windowMs - this.now());
  }

  /** record counts one attempt against the key (as a failure until forgiven). */
  record(key: string): void {
    const times = this.recent(key);
    times.push(this.now());
    // Only the last `limit` matter for the wait; keep no more.
    if (times.length > this.settings.limit) times.splice(0, times.length - this.settings.limit);
    this.failures.delete(key); // re-insert: Map order is then least recently failing first
    this.failures.set(key, times);
    if (this.failures.size > this.maxKeys) this.failures.delete(this.failures.keys().next().value!);
  }

  /** forgive takes back the latest attempt recorded for the key: it succeeded. */
  forgive(key: string): void {
    const times = this.failures.get(key);
    times?.pop();
    if (times?.length === 0) this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const times = this.failures.get(key) ?? [];
    const cutoff = this.now() - this.settings.windowMs;
    while (times.length && times[0] <= cutoff) times.shift();
    return times;
  }
}
