// Part 1: initial sync of a synthetic catalog from a root to a child over loopback: revisions per second,
// wall time and the peak RSS of the child's syncing process. Goals: >= 5,000 revisions/s, peak RSS <= 400 MB.
// Also (issue 14): the rate of the first and the last tenth of the revisions (goal: last >= 90% of first), the
// share of the wall time the syncing process is idle (<= 15%), CPU core-ms per revision of the syncing process,
// the root node and the PostgreSQL backends of both databases (<= 0.4), and the raw PostgreSQL ingest rate of as
// many 2 KB rows, measured after the sync; `--baseline <rev/s>` gives the rate the sync must triple.
// Part 2 (payload-tiers.js): a 256 MiB payload through three tiers against a direct download, and the
// upstream fetches per tier for 50 concurrent requests. Goals: <= 1.5 x direct, exactly one fetch per tier.
// Run: npm run build && node dist/scripts/bench/sync.js [revisions] [--no-payloads]   (needs PostgreSQL on 127.0.0.1:5432)
// BENCH_NODE_OPTIONS passes node flags to the syncing process, e.g. "--max-old-space-size=192" to see its live memory
// rather than how far V8 lets the heap grow before collecting, or "--cpu-prof --cpu-prof-dir=/tmp/prof" for a profile.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { dropTier, query, startTier } from '../../test/support/hierarchy';
import { REPO_ROOT, runCli } from '../../test/support/node-process';
import { rawIngestRate } from './pg-ingest';
import { BackendWatch, CpuAccount, tenthRates } from './proc-usage';

const GOALS = { revisionsPerSecond: 5000, peakRssMb: 400, lastTenthShare: 0.9, idleShare: 0.15, coreMsPerRevision: 0.4, speedup: 3 };
const meets = (ok: boolean) => (ok ? 'meets' : 'MISSES');

/** rssMb reads a process's resident set size from /proc, or 0 once it is gone. */
function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

async function main() {
  const args = process.argv.slice(2);
  const baselineAt = args.indexOf('--baseline');
  const baseline = baselineAt >= 0 ? Number(args[baselineAt + 1]) : undefined;
  const revisions = Number(args.find((a, i) => /^\d+$/.test(a) && (baselineAt < 0 || i !== baselineAt + 1)) ?? 100000);
  const root = await startTier('bench-root');
  const child = await startTier('bench-child', root);
  try {
    let t = performance.now();
    const seeded = await runCli(['seed', '--revisions', String(revisions), '--products', '20'], root.env);
    if (seeded.code !== 0) throw new Error(seeded.stderr);
    console.log(`root seeded with ${revisions} revisions in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const cpu = new CpuAccount();
    cpu.track(root.process!.child.pid!, 'root node');
    const watch = await BackendWatch.open(
      child.db.url,
      new Map([
        [root.db.name, "root's backends"],
        [child.db.name, "child's backends"],
      ]),
    );
    await watch.poll(cpu, 0, false);
    t = performance.now();
    const nodeFlags = (process.env.BENCH_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
    const sync = spawn(process.execPath, [...nodeFlags, path.join(REPO_ROOT, 'bin', 'cascade.js'), 'sync'], {
      env: { PATH: process.env.PATH ?? '', ...child.env, CASCADE_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    sync.stdout.on('data', (d) => {
      out += d;
    });
    sync.stderr.on('data', (d) => {
      out += d;
    });
    cpu.track(sync.pid!, "child's syncing process", true);
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMb(sync.pid!));
      cpu.sample();
    }, 50);
    let polling = Promise.resolve();
    const poller = setInterval(() => {
      polling = polling.then(() => watch.poll(cpu, performance.now() - t, true));
    }, 100);
    const code = await new Promise<number>((resolve) => sync.on('close', (c) => resolve(c ?? -1)));
    const seconds = (performance.now() - t) / 1000;
    clearInterval(sampler);
    clearInterval(poller);
    await polling;
    await watch.poll(cpu, performance.now() - t, true);
    await watch.close();
    cpu.sample();
    if (code !== 0) throw new Error(`sync failed: ${out}`);
    const [{ n }] = await query<{ n: number }>(child, `SELECT count(*)::int AS n FROM update_revision`);
    const rate = n / seconds;
    console.log(out.trim());
    console.log(
      `initial sync root → child: ${n} revisions in ${seconds.toFixed(1)} s = ${Math.round(rate)} revisions/s ` +
        `(goal >= ${GOALS.revisionsPerSecond}: ${rate >= GOALS.revisionsPerSecond ? 'meets' : 'MISSES'})`,
    );
    console.log(
      `peak RSS of the child's syncing process: ${peak.toFixed(0)} MB (goal <= ${GOALS.peakRssMb}: ${meets(peak <= GOALS.peakRssMb)})`,
    );
    report({ n, seconds, rate, baseline, cpu, syncPid: sync.pid!, tenths: tenthRates(watch.progress, n) });
    const raw = await rawIngestRate(n);
    console.log(
      `raw PostgreSQL ingest of ${n} 2 KB rows (1,000-row INSERT … SELECT FROM unnest, one transaction each, scratch database): ` +
        `${Math.round(raw)} rows/s; the sync ran at ${((rate / raw) * 100).toFixed(0)}% of it`,
    );
  } finally {
    await dropTier(child);
    await dropTier(root);
  }
  if (process.argv.includes('--no-payloads')) return;
  console.log('');
  const tiers = spawn(process.execPath, [path.join(__dirname, 'payload-tiers.js')], { stdio: 'inherit' });
  const code = await new Promise<number>((resolve) => tiers.on('close', (c) => resolve(c ?? -1)));
  if (code !== 0) throw new Error(`payload-tiers exited with ${code}`);
}

/** report prints the issue-14 figures of one sync: tenth rates, idle share, CPU per revision and the speed-up. */
function report(r: {
  n: number;
  seconds: number;
  rate: number;
  baseline?: number;
  cpu: CpuAccount;
  syncPid: number;
  tenths: { first: number; last: number };
}): void {
  const share = r.tenths.last / r.tenths.first;
  console.log(
    `first tenth ${Math.round(r.tenths.first)} revisions/s, last tenth ${Math.round(r.tenths.last)} revisions/s = ` +
      `${(share * 100).toFixed(0)}% (goal >= ${GOALS.lastTenthShare * 100}%: ${meets(share >= GOALS.lastTenthShare)})`,
  );
  const idle = 1 - r.cpu.usedMs(r.syncPid) / (r.seconds * 1000);
  console.log(
    `the child's syncing process was idle ${(idle * 100).toFixed(0)}% of the wall time ` +
      `(goal <= ${GOALS.idleShare * 100}%: ${meets(idle <= GOALS.idleShare)})`,
  );
  const parts = [...r.cpu.byLabel()];
  const total = parts.reduce((sum, [, p]) => sum + p.ms, 0);
  const perRevision = total / r.n;
  console.log(
    `CPU ${(total / 1000).toFixed(1)} core-s = ${perRevision.toFixed(3)} core-ms per revision ` +
      `(goal <= ${GOALS.coreMsPerRevision}: ${meets(perRevision <= GOALS.coreMsPerRevision)}): ` +
      parts.map(([label, p]) => `${label} ${(p.ms / r.n).toFixed(3)}${p.processes > 1 ? ` (${p.processes} processes)` : ''}`).join(', '),
  );
  const speedup = r.baseline ? r.rate / r.baseline : undefined;
  console.log(
    speedup === undefined
      ? `speed-up over the baseline: unknown (pass --baseline <revisions/s>; goal >= ${GOALS.speedup}x)`
      : `speed-up over the baseline of ${r.baseline} revisions/s: ${speedup.toFixed(2)}x (goal >= ${GOALS.speedup}x: ${meets(speedup >= GOALS.speedup)})`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
