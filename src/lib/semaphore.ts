/** SemaphoreFullError indicates that a Semaphore refused a caller: its queue was full, or no permit freed in time. */
export class SemaphoreFullError extends Error {
  constructor(readonly reason: 'full' | 'timeout') {
    super(reason === 'full' ? 'too many tasks waiting' : 'no permit freed in time');
  }
}

/**
 * Semaphore lets at most `permits` holders run at once; up to `maxWaiting` more wait, each at most maxWaitMs,
 * in arrival order. Anything beyond is refused at once with SemaphoreFullError, so a flood cannot queue for ever.
 * `onChange` hears the counts whenever they change (for metrics).
 */
export class Semaphore {
  private held = 0;
  private readonly waiting: Array<{ start: () => void; timer: NodeJS.Timeout }> = [];

  constructor(
    private readonly permits: number,
    private readonly maxWaiting: number,
    private readonly maxWaitMs: number,
    private readonly onChange: (running: number, waiting: number) => void = () => undefined,
  ) {}

  get running(): number {
    return this.held;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** run runs task once a permit is free; rejects with SemaphoreFullError when none frees in time. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await task();
    } finally {
      release();
    }
  }

  /**
   * acquire resolves with the release of a permit once one is free. A waiter whose signal aborts leaves the
   * line and is never granted one (the promise then stays pending: the caller has gone).
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.held < this.permits) {
      this.held++;
      this.changed();
      return Promise.resolve(this.releaser());
    }
    if (this.waiting.length >= this.maxWaiting) return Promise.reject(new SemaphoreFullError('full'));
    return new Promise((resolve, reject) => {
      const leave = () => {
        clearTimeout(entry.timer);
        signal?.removeEventListener('abort', leave);
        this.waiting.splice(this.waiting.indexOf(entry), 1);
        this.changed();
      };
      const entry = {
        start: () => {
          clearTimeout(entry.timer);
          signal?.removeEventListener('abort', leave);
          resolve(this.releaser());
        },
        timer: setTimeout(() => {
          leave();
          reject(new SemaphoreFullError('timeout'));
        }, this.maxWaitMs),
      };
      signal?.addEventListener('abort', leave, { once: true });
      this.waiting.push(entry);
      this.changed();
    });
  }

  /** releaser returns the one-shot release of a held permit: it passes straight to the next waiter, if any. */
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next.start();
      else this.held--;
      this.changed();
    };
  }

  private changed(): void {
    this.onChange(this.held, this.waiting.length);
  }
}
