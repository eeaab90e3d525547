// A wide tree (issue 13): 1 root → 10 children → 30 grandchildren, each node its own process on its own PostgreSQL
// database, the root seeded with a synthetic catalog. Extra children first sync alone, one after another (the
// yardstick is their median, with every node already running); then the ten children sync from the root at once,
// then the thirty grandchildren from their children at once. Prints each wave's time and runs, the root's peak RSS and
// CPU seconds over the children's wave, where the CPU went (parents, syncing CLIs, PostgreSQL, the rest of the
// machine), how many of the 41 nodes end identical to the root, and (children's wave + grandchildren's wave) /
// (40 × the lone sync). Goals: 41 of 41 identical on the first try; ratio <= 0.8.
// Run: npm run build && node dist/scripts/bench/tree.js [revisions=10000] [--children 10] [--per-child 3] [--lone 3]
//      [--shared-postgres]
// By default the bench starts its own PostgreSQL cluster (initdb, max_connections 500; as the postgres user when run
// as root) and removes it after: the tree opens more connections than a default server's 100, which fails syncs with
// "too many clients" and starves anything else using that server. --shared-postgres uses CASCADE_TEST_PG_URL (default
// postgres://postgres@127.0.0.1:5432/postgres) instead. Every database and process it makes is removed at the end,
// also on Ctrl-C.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { startTier, type TierNode } from '../../test/support/hierarchy';
import { runCli } from '../../test/support/node-process';
import { sql, TEST_PG_URL } from '../../test/support/test-database';
import { procReading } from './cpu-accounting';
import { startPrivatePostgres } from './private-postgres';
import {
  catalogFingerprint,
  cleanUp,
  cleanUpOnInterrupt,
  describeOutcomes,
  inBatches,
  started,
  stopIfInterrupted,
  timedSync,
  watch,
  wave,
  type SyncOutcome,
  type Watched,
} from './tree-support';

const GOALS = { ratio: 0.8 };
/** Nodes started at once while building the tree (each start runs migrations and a CLI on its parent). */
const START_WIDTH = 4;
/** Pool sizes hard-coded in src/main.ts (a node) and src/cli/with-database.ts (a CLI command such as `cascade sync`). */
const NODE_POOL = 20;
const CLI_POOL = 2;
/** Connections of the private cluster: every node's whole pool could not exhaust it (42 × 20 is more, but is never reached). */
const PRIVATE_MAX_CONNECTIONS = 500;
/** How long pg's pool keeps an idle connection open, plus a margin. */
const IDLE_POOL_MS = 12_000;

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const revisions = Number(argv.find((a, i) => /^\d+$/.test(a) && !argv[i - 1]?.startsWith('--')) ?? 10000);
const childCount = option('children', 10);
const perChild = option('per-child', 3);
const loneCount = option('lone', 3);
/** Set by the run that started the private cluster, so its CPU can be counted. */
const postmasterPid = Number(process.env.BENCH_POSTMASTER_PID) || undefined;

const mb = (n: number) => `${n.toFixed(0)} MB`;
const s = (n: number) => `${n.toFixed(1)} s`;
const load = () => `load ${os.loadavg()[0].toFixed(2)}`;
const meets = (ok: boolean) => (ok ? 'meets' : 'MISSES');
const describeWatch = (w: Watched) =>
  `CPU ${w.cpuSeconds.toFixed(1)} s, peak RSS ${mb(w.peakRssMb)}; peak PostgreSQL connections ${w.connections} (${w.ours} on this run's databases)`;

/** describeCpu splits the CPU of a stretch of `syncs` syncs taking `seconds`: parents, syncing CLIs, PostgreSQL, everything else. */
function describeCpu(w: Watched, syncs: number, seconds: number, parents: string): string {
  const ours = w.cpuSeconds + w.syncsCpuSeconds + (w.postgresCpuSeconds ?? 0);
  const pg = w.postgresCpuSeconds === undefined ? 'PostgreSQL not counted (shared server)' : `PostgreSQL ${s(w.postgresCpuSeconds)}`;
  return (
    `CPU: ${parents} ${s(w.cpuSeconds)}, syncing CLIs ${s(w.syncsCpuSeconds)}, ${pg}: ${s(ours / syncs)} per sync; ` +
    `whole machine ${s(w.machineCpuSeconds)} = ${(w.machineCpuSeconds / seconds).toFixed(2)} of ${os.cpus().length} cores busy, ` +
    `${s(Math.max(0, w.machineCpuSeconds - ours))} of it not this bench's nodes, syncs or cluster`
  );
}

/**
 * onPrivatePostgres starts a private cluster, runs this bench again on it (--shared-postgres) and removes the cluster
 * when that run ends, however it ends; signals are passed on so the run cleans up first.
 */
async function onPrivatePostgres(): Promise<number> {
  const pg = await startPrivatePostgres(PRIVATE_MAX_CONNECTIONS);
  try {
    const run = spawn(process.execPath, [__filename, ...argv, '--shared-postgres'], {
      env: { ...process.env, CASCADE_TEST_PG_URL: pg.url, BENCH_POSTMASTER_PID: String(pg.postmasterPid) },
      stdio: 'inherit',
    });
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => run.kill(sig));
    return await new Promise<number>((resolve) => run.on('close', (code) => resolve(code ?? 1)));
  } finally {
    pg.stop();
  }
}

async function main() {
  cleanUpOnInterrupt();
  const nodes = 1 + loneCount + childCount + childCount * perChild;
  const [{ max_connections: maxConnections }] = await sql<{ max_connections: string }>(TEST_PG_URL, 'SHOW max_connections');
  console.log(
    `tree: 1 root → ${childCount} children → ${childCount * perChild} grandchildren, plus ${loneCount} lone children; ${revisions} revisions; ` +
      `${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB, ${load()} (machine shared with other work)`,
  );
  console.log(
    `PostgreSQL ${new URL(TEST_PG_URL).host}, max_connections ${maxConnections}; pools: ${nodes} nodes × up to ${NODE_POOL} + each running sync × ${CLI_POOL} ` +
      `(node pools open connections only as requests need them and close them after 10 s idle)`,
  );

  let t = performance.now();
  const root = await startTier('root');
  started.push(root);
  const seeded = await runCli(['seed', '--revisions', String(revisions), '--products', '20'], root.env, undefined, 30 * 60 * 1000);
  if (seeded.code !== 0) throw new Error(`seeding the root failed: ${seeded.stderr}`);
  console.log(`root seeded with ${revisions} revisions in ${s((performance.now() - t) / 1000)}`);

  t = performance.now();
  const startUnder = async (name: string, parent: TierNode) => {
    const tier = await startTier(name, parent);
    started.push(tier);
    return tier;
  };
  const lone = await inBatches(
    Array.from({ length: loneCount }, (_, i) => `lone${i + 1}`),
    START_WIDTH,
    (name) => startUnder(name, root),
  );
  const children = await inBatches(
    Array.from({ length: childCount }, (_, i) => `c${String(i + 1).padStart(2, '0')}`),
    START_WIDTH,
    (name) => startUnder(name, root),
  );
  const grandchildren = await inBatches(
    children.flatMap((c) => Array.from({ length: perChild }, (_, j) => ({ name: `${c.name}g${j + 1}`, parent: c }))),
    START_WIDTH,
    ({ name, parent }) => startUnder(name, parent),
  );
  console.log(`${started.length} nodes started in ${s((performance.now() - t) / 1000)}`);
  // Let the start's database connections close (10 s idle) and its load settle before the yardstick.
  await new Promise((resolve) => setTimeout(resolve, IDLE_POOL_MS));

  const rootPid = root.process!.child.pid!;
  let stop = await watch([rootPid], postmasterPid);
  let t0 = performance.now();
  const alone: SyncOutcome[] = [];
  for (const tier of lone) alone.push(await timedSync(tier));
  const aloneRoot = await stop();
  stopIfInterrupted();
  const aloneSeconds = median(alone.map((o) => o.seconds));
  console.log(`\nlone syncs, one after another: median ${s(aloneSeconds)}; ${summary(alone)}; ${load()}`);
  describeOutcomes(alone).forEach((l) => console.log(l));
  console.log(`  root over them: ${describeWatch(aloneRoot)}`);
  console.log(`  ${describeCpu(aloneRoot, alone.length, (performance.now() - t0) / 1000, 'root')}`);
  if (alone.some((o) => o.code !== 0)) throw new Error('a lone sync failed: no yardstick for the ratio');

  stop = await watch([rootPid], postmasterPid);
  const first = await wave(children);
  const firstRoot = await stop();
  stopIfInterrupted();
  console.log(`\nchildren's wave (${children.length} at once): ${s(first.seconds)}; ${summary(first.outcomes)}; ${load()}`);
  describeOutcomes(first.outcomes).forEach((l) => console.log(l));
  console.log(`  root over the wave: ${describeWatch(firstRoot)}`);
  console.log(`  ${describeCpu(firstRoot, children.length, first.seconds, 'root')}`);

  stop = await watch(
    children.map((c) => c.process!.child.pid!),
    postmasterPid,
  );
  t0 = performance.now();
  const second = await wave(grandchildren);
  const parents = await stop();
  stopIfInterrupted();
  console.log(`\ngrandchildren's wave (${grandchildren.length} at once): ${s(second.seconds)}; ${summary(second.outcomes)}; ${load()}`);
  describeOutcomes(second.outcomes).forEach((l) => console.log(l));
  console.log(`  the ${children.length} children (their parents) together over the wave: ${describeWatch(parents)}`);
  console.log(`  ${describeCpu(parents, grandchildren.length, (performance.now() - t0) / 1000, 'parents')}`);

  const failed = [...first.outcomes, ...second.outcomes].filter((o) => o.code !== 0).length;
  await report(root, lone, [...children, ...grandchildren], first.seconds + second.seconds, aloneSeconds, failed);
}

/** median of some numbers (the mean of the middle two for an even count). */
function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** summary counts a wave's successes: "10 of 10 ok". */
function summary(outcomes: SyncOutcome[]): string {
  return `${outcomes.filter((o) => o.code === 0).length} of ${outcomes.length} ok`;
}

/**
 * report compares every node's catalog with the root's, prints the memory of the node processes and what they logged,
 * and the ratio (which misses its goal when a sync failed: a failed sync ends early and would flatter it).
 */
async function report(root: TierNode, lone: TierNode[], tree: TierNode[], treeSeconds: number, aloneSeconds: number, failed: number) {
  const want = await catalogFingerprint(root);
  const prints = await inBatches(tree, 8, async (n) => ({ n, f: await catalogFingerprint(n) }));
  const differing = prints.filter(({ f }) => f.md5 !== want.md5);
  const identical = 1 + prints.length - differing.length;
  const loneSame = (await inBatches(lone, 8, catalogFingerprint)).filter((f) => f.md5 === want.md5).length;
  console.log(
    `\nidentical to the root (${want.revisions} revisions): ${identical} of ${tree.length + 1} ` +
      `(goal all, on the first try: ${meets(differing.length === 0)}); lone children: ${loneSame} of ${lone.length}`,
  );
  if (differing.length) console.log(`  differing: ${differing.map(({ n, f }) => `${n.name} (${f.revisions})`).join(', ')}`);

  const procs = [root, ...lone, ...tree].map((n) => ({ n, r: procReading(n.process!.child.pid!) }));
  const biggest = procs.reduce((a, b) => (b.r.hwmMb > a.r.hwmMb ? b : a));
  const total = procs.reduce((sum, p) => sum + p.r.rssMb, 0);
  console.log(
    `node processes: ${procs.length}, RSS now ${mb(total)} together; highest peak (VmHWM) ${mb(biggest.r.hwmMb)} (${biggest.n.name}); ` +
      `memory available now ${(os.freemem() / 2 ** 30).toFixed(1)} GB of ${(os.totalmem() / 2 ** 30).toFixed(0)} GB`,
  );
  const logged = [root, ...lone, ...tree].filter((n) => n.process!.output().trim());
  console.log(`nodes that logged at warn or error: ${logged.length}`);
  for (const n of logged.slice(0, 8)) {
    const lines = n.process!.output().trim().split('\n');
    console.log(`  ${n.name}: ${lines.length} line(s), first: ${lines[0].slice(0, 300)}`);
  }

  const ratio = treeSeconds / (tree.length * aloneSeconds);
  console.log(
    `\ntree time ${s(treeSeconds)} / (${tree.length} × lone sync (median) ${s(aloneSeconds)} = ${s(tree.length * aloneSeconds)}) ` +
      `= ratio ${ratio.toFixed(2)} (goal <= ${GOALS.ratio}: ` +
      (failed
        ? `MISSES: ${failed} of ${tree.length} syncs failed, so the tree's time is not the time to sync it)`
        : `${meets(ratio <= GOALS.ratio)})`),
  );
}

if (argv.includes('--shared-postgres')) {
  main()
    .catch((err: Error) => {
      console.error(`bench failed: ${err.message}`);
      process.exitCode = 1;
    })
    .finally(() => cleanUp());
} else {
  onPrivatePostgres().then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(`bench failed: ${err.message}`);
      process.exit(1);
    },
  );
}
