// Helpers of tree.ts: timed `cascade sync` runs, /proc readings of a node process, PostgreSQL connection sampling,
// the catalog fingerprint the tree compares, and clean-up of every database and process even on Ctrl-C.
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { clusterCpu, exitedChildrenCpu, machineCpu, procReading } from './cpu-accounting';
import { dropTier, query, type TierNode } from '../../test/support/hierarchy';
import { killLeftoverProcesses, runCli } from '../../test/support/node-process';
import { dropLeftoverDatabases, TEST_PG_URL } from '../../test/support/test-database';
import { RUN_DATABASE_PREFIX, RUN_DIR } from '../../test/support/test-run';

/** A sync still running after this long is killed and counted as failed, so a hang cannot stall the bench. */
const SYNC_TIME_LIMIT_MS = 30 * 60 * 1000;

/** One `cascade sync` run of a node: its exit status, wall time and output. */
export interface SyncOutcome {
  node: string;
  code: number;
  seconds: number;
  stdout: string;
  stderr: string;
}

/** timedSync runs `cascade sync` for a tier as the operator would and times it from spawn to exit. */
export async function timedSync(tier: TierNode): Promise<SyncOutcome> {
  const t = performance.now();
  const r = await runCli(['sync'], tier.env, undefined, SYNC_TIME_LIMIT_MS);
  return { node: tier.name, code: r.code, seconds: (performance.now() - t) / 1000, stdout: r.stdout, stderr: r.stderr };
}

/** wave syncs every tier at once and returns the wave's wall time and each run's outcome. */
export async function wave(tiers: TierNode[]): Promise<{ seconds: number; outcomes: SyncOutcome[] }> {
  const t = performance.now();
  const outcomes = await Promise.all(tiers.map(timedSync));
  return { seconds: (performance.now() - t) / 1000, outcomes };
}

/**
 * describeOutcomes prints runs compactly, five a line ("c03 ok 41.2s"), then the calls the runs retried (the warnings
 * "parent call failed; retrying" on their stderr, by reason), then each failure with its stderr.
 */
export function describeOutcomes(outcomes: SyncOutcome[]): string[] {
  const cells = outcomes.map((o) => `${o.node} ${o.code === 0 ? 'ok' : `FAIL(${o.code})`} ${o.seconds.toFixed(1)}s`);
  const lines: string[] = [];
  for (let i = 0; i < cells.length; i += 5) lines.push(`    ${cells.slice(i, i + 5).join('  ')}`);
  const retries = outcomes.map((o) => [...o.stderr.matchAll(/"reason":"(\w+)"[^\n]*retrying/g)].map((m) => m[1]));
  const reasons = new Map<string, number>();
  for (const r of retries.flat()) reasons.set(r, (reasons.get(r) ?? 0) + 1);
  if (reasons.size) {
    const by = [...reasons].map(([reason, n]) => `${reason} ${n}`).join(', ');
    lines.push(
      `    calls retried: ${retries.flat().length} (${by}) in ${retries.filter((r) => r.length).length} of ${outcomes.length} runs`,
    );
  }
  for (const o of outcomes.filter((x) => x.code !== 0)) {
    const why = (o.stderr.trim() || o.stdout.trim() || '(no output)').replace(/\s*\n\s*/g, ' | ');
    lines.push(`    ! ${o.node} failed after ${o.seconds.toFixed(1)} s: ${why.slice(0, 400)}`);
  }
  return lines;
}

/** What watch saw between its start and stop. */
export interface Watched {
  /** CPU seconds (user + system) the watched processes used together. */
  cpuSeconds: number;
  /** CPU seconds of the `cascade sync` runs that ended meanwhile, of the PostgreSQL cluster when known, and of the whole machine. */
  syncsCpuSeconds: number;
  postgresCpuSeconds: number | undefined;
  machineCpuSeconds: number;
  /** The highest RSS any one of them reached (sampled every 100 ms). */
  peakRssMb: number;
  /** Peak client connections on the whole PostgreSQL server, and on this run's databases (sampled every 500 ms). */
  connections: number;
  ours: number;
}

/**
 * watch samples, until the returned function is called, the CPU and RSS of some processes and PostgreSQL's connections,
 * and the CPU used meanwhile by the syncs that ended, by the PostgreSQL cluster (given its postmaster) and by the machine.
 */
export async function watch(pids: number[], postmasterPid?: number): Promise<() => Promise<Watched>> {
  const pg = new Client({ connectionString: TEST_PG_URL });
  await pg.connect();
  const cpu = () => ({
    watched: pids.reduce((sum, pid) => sum + procReading(pid).cpuSeconds, 0),
    syncs: exitedChildrenCpu(),
    postgres: postmasterPid ? clusterCpu(postmasterPid) : 0,
    machine: machineCpu(),
  });
  const atStart = cpu();
  const seen = { peakRssMb: 0, connections: 0, ours: 0 };
  let sampling = Promise.resolve();
  const sampleConnections = async () => {
    const { rows } = await pg.query<{ all: number; ours: number }>(
      `SELECT count(*)::int AS all, count(*) FILTER (WHERE datname LIKE $1)::int AS ours
         FROM pg_stat_activity WHERE backend_type = 'client backend'`,
      [`${RUN_DATABASE_PREFIX.replace(/_/g, '\\_')}%`],
    );
    seen.connections = Math.max(seen.connections, rows[0].all);
    seen.ours = Math.max(seen.ours, rows[0].ours);
  };
  let ticks = 0;
  const timer = setInterval(() => {
    for (const pid of pids) seen.peakRssMb = Math.max(seen.peakRssMb, procReading(pid).rssMb);
    // One connection query at a time, so a slow server never piles them up.
    if (ticks++ % 5 === 0) sampling = sampling.then(sampleConnections).catch(() => undefined);
  }, 100);
  return async () => {
    clearInterval(timer);
    await sampling;
    await pg.end();
    const atEnd = cpu();
    return {
      ...seen,
      cpuSeconds: atEnd.watched - atStart.watched,
      syncsCpuSeconds: atEnd.syncs - atStart.syncs,
      postgresCpuSeconds: postmasterPid ? atEnd.postgres - atStart.postgres : undefined,
      machineCpuSeconds: atEnd.machine - atStart.machine,
    };
  };
}

/** catalogFingerprint is the number of revisions a tier stores and an md5 over their identities and documents, in order. */
export async function catalogFingerprint(tier: TierNode): Promise<{ revisions: number; md5: string }> {
  const [row] = await query<{ revisions: number; md5: string | null }>(
    tier,
    `SELECT count(*)::int AS revisions,
            md5(string_agg(update_id::text || '/' || revision_number || ':' || md5(xml), ',' ORDER BY update_id, revision_number)) AS md5
       FROM update_revision`,
  );
  return { revisions: row.revisions, md5: row.md5 ?? '' };
}

/** inBatches runs fn over items, at most `width` at a time, in order. */
export async function inBatches<T, R>(items: T[], width: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += width) out.push(...(await Promise.all(items.slice(i, i + width).map(fn))));
  return out;
}

/** The tiers the bench has started, dropped by cleanUp. */
export const started: TierNode[] = [];

let cleaning: Promise<void> | undefined;

/**
 * cleanUp kills every node and CLI process the bench started (by the handles it holds, so a sync never waits on a
 * stopped parent), drops every database and removes the run's folders; it runs once however often it is called
 * (end of run, error, Ctrl-C).
 */
export function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    await killLeftoverProcesses();
    const dropped = await Promise.allSettled(started.splice(0).map((t) => dropTier(t)));
    for (const d of dropped) if (d.status === 'rejected') console.error(`clean-up: ${(d.reason as Error).message.split('\n')[0]}`);
    await dropLeftoverDatabases();
    fs.rmSync(RUN_DIR, { recursive: true, force: true });
  })();
  return cleaning;
}

/** stopIfInterrupted throws once clean-up has begun, so an interrupted run prints nothing more after the runs it killed. */
export function stopIfInterrupted(): void {
  if (cleaning) throw new Error('interrupted');
}

/** cleanUpOnInterrupt cleans up and exits when the bench is interrupted (Ctrl-C, kill); a repeated signal changes nothing. */
export function cleanUpOnInterrupt(): void {
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (cleaning) return;
      console.error(`\n${sig}: stopping the nodes and dropping the databases…`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
}
