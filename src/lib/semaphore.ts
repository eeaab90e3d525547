/** SemaphoreFullError indicates that a Semaphore refused a caller: its queue is full or the wait ran out. */
export class SemaphoreFullError extends Error {}

/**
 * Semaphore lets at most `permits` tasks run at once; up to `maxWaiting` more wait, each at most maxWaitMs,
 * in arrival order. Anything beyond is refused at once with SemaphoreFullError, so a flood cannot queue for ever.
 */
export class Semaphore {
  private running = 0;
  private readonly waiting: Array<{ start: () => void; timer: NodeJS.Timeout }> = [];

  constructor(
    private readonly permits: number,
    private readonly maxWaiting: number,
    private readonly maxWaitMs: number,
  ) {}

  /** run runs task once a permit is free; rejects with SemaphoreFullError when none frees in time. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.running < this.permits) {
      this.running++;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxWaiting) return Promise.reject(new SemaphoreFullError('too many tasks waiting'));
    return new Promise((resolve, reject) => {
      const entry = {
        start: () => {
          clearTimeout(entry.timer);
          resolve();
        },
        timer: setTimeout(() => {
          this.waiting.splice(this.waiting.indexOf(entry), 1);
          reject(new SemaphoreFullError(`no permit within ${this.maxWaitMs} ms`));
        }, this.maxWaitMs),
      };
      this.waiting.push(entry);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    // The permit passes straight to the next waiter; running stays the same.
    if (next) next.start();
    else this.running--;
  }
}
