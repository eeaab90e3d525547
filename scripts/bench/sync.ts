// Part 1: initial sync of a synthetic catalog from a root to a child over loopback: revisions per second,
// wall time and the peak RSS of the child's syncing process. Goals: >= 5,000 revisions/s, peak RSS <= 400 MB.
// Part 2 (payload-tiers.js): a 256 MiB payload through three tiers against a direct download, and the
// upstream fetches per tier for 50 concurrent requests. Goals: <= 1.5 x direct, exactly one fetch per tier.
// Run: npm run build && node dist/scripts/bench/sync.js [revisions] [--no-payloads]   (needs PostgreSQL on 127.0.0.1:5432)
// BENCH_NODE_OPTIONS passes V8 flags to the syncing process, e.g. "--max-old-space-size=192" to see its live memory
// rather than how far V8 lets the heap grow before collecting.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { dropTier, query, startTier } from '../../test/support/hierarchy';
import { REPO_ROOT, runCli } from '../../test/support/node-process';

const GOALS = { revisionsPerSecond: 5000, peakRssMb: 400 };

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
  const revisions = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100000);
  const root = await startTier('bench-root');
  const child = await startTier('bench-child', root);
  try {
    let t = performance.now();
    const seeded = await runCli(['seed', '--revisions', String(revisions), '--products', '20'], root.env);
    if (seeded.code !== 0) throw new Error(seeded.stderr);
    console.log(`root seeded with ${revisions} revisions in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    t = performance.now();
    const sync = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'cascade.js'), 'sync'], {
      env: { PATH: process.env.PATH ?? '', ...child.env, CASCADE_LOG_LEVEL: 'warn', NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    sync.stdout.on('data', (d) => {
      out += d;
    });
    sync.stderr.on('data', (d) => {
      out += d;
    });
    let peak = 0;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMb(sync.pid!));
    }, 50);
    const code = await new Promise<number>((resolve) => sync.on('close', (c) => resolve(c ?? -1)));
    clearInterval(sampler);
    const seconds = (performance.now() - t) / 1000;
    if (code !== 0) throw new Error(`sync failed: ${out}`);
    const [{ n }] = await query<{ n: number }>(child, `SELECT count(*)::int AS n FROM update_revision`);
    const rate = n / seconds;
    console.log(out.trim());
    console.log(
      `initial sync root → child: ${n} revisions in ${seconds.toFixed(1)} s = ${Math.round(rate)} revisions/s ` +
        `(goal >= ${GOALS.revisionsPerSecond}: ${rate >= GOALS.revisionsPerSecond ? 'meets' : 'MISSES'})`,
    );
    console.log(
      `peak RSS of the child's syncing process: ${peak.toFixed(0)} MB (goal <= ${GOALS.peakRssMb}: ${peak <= GOALS.peakRssMb ? 'meets' : 'MISSES'})`,
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

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
