// What the sync bench samples while a sync runs: the CPU time of processes from /proc (the syncing process, the
// root node and the PostgreSQL backends serving the two databases, which come and go), and the progress of the
// import over time, from which the rate of the first and the last tenth of the revisions follows.
import fs from 'node:fs';
import { Client } from 'pg';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** cpuMs reads a process's user + system CPU time in milliseconds, all threads, or undefined once it is gone. */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd (state) on
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND; // utime, stime: fields 14 and 15
  } catch {
    return undefined;
  }
}

/**
 * CpuAccount keeps, per process, its CPU time when first seen and when last seen, so a process that exits
 * (a PostgreSQL backend whose client disconnected) still counts with its last sample. A process already
 * running when the account opens counts only what it used after that.
 */
export class CpuAccount {
  private readonly procs = new Map<number, { label: string; first: number; last: number }>();

  /** track starts counting a process (from zero when `fromStart`, i.e. it was born after the account opened). */
  track(pid: number, label: string, fromStart = false): void {
    if (this.procs.has(pid)) return;
    const now = cpuMs(pid);
    if (now !== undefined) this.procs.set(pid, { label, first: fromStart ? 0 : now, last: now });
  }

  sample(): void {
    for (const [pid, p] of this.procs) p.last = cpuMs(pid) ?? p.last;
  }

  /** usedMs is the CPU time a process used while tracked. */
  usedMs(pid: number): number {
    const p = this.procs.get(pid);
    return p ? p.last - p.first : 0;
  }

  /** byLabel sums the CPU time used per label, with how many processes each sum covers. */
  byLabel(): Map<string, { ms: number; processes: number }> {
    const out = new Map<string, { ms: number; processes: number }>();
    for (const p of this.procs.values()) {
      const s = out.get(p.label) ?? { ms: 0, processes: 0 };
      out.set(p.label, { ms: s.ms + p.last - p.first, processes: s.processes + 1 });
    }
    return out;
  }
}

/**
 * BackendWatch polls pg_stat_activity for the backends serving the given databases (its own excepted) and the
 * import's progress: max(revision_id) of update_revision, an index-only lookup that equals the committed count
 * while one import writes revisions in order into an empty table. Each poll's (time, progress) is kept.
 */
export class BackendWatch {
  readonly progress: Array<{ ms: number; revisions: number }> = [];
  private constructor(
    private readonly c: Client,
    private readonly labels: Map<string, string>,
  ) {}

  /** open connects to the database whose update_revision is watched; labels maps a database name to its label. */
  static async open(url: string, labels: Map<string, string>): Promise<BackendWatch> {
    const c = new Client({ connectionString: url });
    await c.connect();
    return new BackendWatch(c, labels);
  }

  /** poll tracks newly seen backends in `cpu` (counted from zero when `born`: not there when the account opened) and records progress. */
  async poll(cpu: CpuAccount, nowMs: number, born: boolean): Promise<void> {
    const backends = await this.c.query<{ pid: number; datname: string }>(
      `SELECT pid, datname FROM pg_stat_activity WHERE datname = ANY($1) AND pid <> pg_backend_pid()`,
      [[...this.labels.keys()]],
    );
    for (const b of backends.rows) cpu.track(b.pid, this.labels.get(b.datname)!, born);
    const [{ n }] = (await this.c.query<{ n: number }>(`SELECT coalesce(max(revision_id), 0)::int AS n FROM update_revision`)).rows;
    this.progress.push({ ms: nowMs, revisions: n });
  }

  close(): Promise<void> {
    return this.c.end();
  }
}

/**
 * tenthRates gives the import rate (revisions/s) of the first and the last tenth of `total` revisions, from
 * progress samples. The first tenth is counted from the first sample past 1% of the total (past the category
 * revisions and the first chunk, so the listing before the first chunk does not count) to the moment a tenth
 * more was stored; the last from the moment nine tenths were stored to the first sample showing all. Moments
 * between samples are interpolated linearly.
 */
export function tenthRates(samples: Array<{ ms: number; revisions: number }>, total: number): { first: number; last: number } {
  const at = (target: number): number => {
    const i = samples.findIndex((s) => s.revisions >= target);
    if (i <= 0) return samples[Math.max(i, 0)].ms;
    const a = samples[i - 1];
    const b = samples[i];
    return a.ms + ((b.ms - a.ms) * (target - a.revisions)) / (b.revisions - a.revisions);
  };
  const start = samples.find((s) => s.revisions > total / 100);
  const end = samples.find((s) => s.revisions >= total);
  if (!start || !end) return { first: NaN, last: NaN };
  const tenth = total / 10;
  return { first: (tenth * 1000) / (at(start.revisions + tenth) - start.ms), last: (tenth * 1000) / (end.ms - at(total - tenth)) };
}
