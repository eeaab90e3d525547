import { Cron } from 'croner';
import type { Logger } from '../lib/logger';

/** What the scheduler runs: one sync, throwing when it fails. */
export type ScheduledSync = () => Promise<unknown>;

const RETRY_FIRST_MS = 30_000;
const RETRY_MAX_MS = 15 * 60_000;
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** intervalMs reads "90s", "30m", "6h", "1d"; undefined for a cron expression. */
export function intervalMs(schedule: string): number | undefined {
  const m = /^(\d+)([smhd])$/.exec(schedule.trim());
  return m ? Number(m[1]) * UNITS[m[2]] : undefined;
}

/**
 * SyncScheduler runs syncs on CASCADE_SYNC_SCHEDULE (an interval or a cron expression), each shifted by
 * a random offset so sibling nodes do not all call their parent at once. A failed run (parent
 * unreachable, say) is retried with exponential backoff from 30 s up to 15 min, until one succeeds or
 * the next scheduled time comes; the node keeps serving meanwhile.
 */
export class SyncScheduler {
  private timer?: NodeJS.Timeout;
  private cron?: Cron;
  private stopped = false;

  constructor(
    private readonly schedule: string,
    private readonly sync: ScheduledSync,
    private readonly log: Logger,
    private readonly random: () => number = Math.random,
  ) {}

  start(): void {
    const every = intervalMs(this.schedule);
    if (every !== undefined) {
      const loop = () => this.runWithRetry().finally(() => this.later(loop, every));
      this.later(loop, Math.floor(this.random() * Math.min(every, 5 * 60_000)));
    } else {
      this.cron = new Cron(
        this.schedule,
        { protect: true },
        () =>
          new Promise<void>((resolve) => {
            this.later(() => this.runWithRetry().finally(resolve), Math.floor(this.random() * 60_000));
          }),
      );
    }
    this.log.info({ schedule: this.schedule }, 'sync schedule started');
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.cron?.stop();
  }

  private later(fn: () => unknown, ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(fn, ms);
    this.timer.unref();
  }

  private async runWithRetry(): Promise<void> {
    const deadline = Date.now() + (intervalMs(this.schedule) ?? this.cron?.msToNext() ?? RETRY_MAX_MS);
    for (let wait = RETRY_FIRST_MS; !this.stopped; wait = Math.min(wait * 2, RETRY_MAX_MS)) {
      try {
        await this.sync();
        return;
      } catch (err) {
        if (Date.now() + wait >= deadline) return;
        this.log.warn({ err: (err as Error).message, retryInMs: wait }, 'scheduled sync failed; retrying');
        await new Promise<void>((resolve) => this.later(resolve, wait));
      }
    }
  }
}
