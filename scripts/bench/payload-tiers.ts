/**
 * Benchmark: just-in-time payloads through two tiers. Publishes a payload (256 MiB unless --mib N) at a
 * root node with `cascade publish`, then starts a child (upstream = root) and a grandchild (upstream =
 * child), each on its own throwaway Postgres database (CASCADE_TEST_PG_URL, default the local test server)
 * and data folder, with the payload's update_file row written by SQL as metadata sync would. Measures
 *   (a) a direct download from the root (median of 3),
 *   (b) the first download at the grandchild, fetched through both tiers while it streams (median of 3
 *       rounds, fresh child and grandchild each), relative to (a), with the tiers' peak RSS growth,
 *   (c) with a fresh child and grandchild, 50 concurrent requests at the grandchild: total time and the
 *       upstream fetches each tier made (cascade_upstream_payload_fetches_total from its /metrics).
 * Goals: (b) ≤ 1.5 × (a); exactly one upstream fetch per tier in (c). Removes everything it made.
 *
 *   npx tsc -p . && node dist/scripts/bench/payload-tiers.js [--mib 256]
 */
import { createHash, randomFillSync, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHUNK_BYTES } from '../../src/content/content-store';
import { contentUrlPath } from '../../src/domain/content-path';
import { runCli, startNodeProcess, tempDir, type NodeProcess } from '../../test/support/node-process';
import { createTestDatabase, type TestDatabase, sql as sqlAt } from '../../test/support/test-database';

const MiB = 1024 * 1024;
const CONCURRENT = 50;

interface FileRow {
  sha1: string;
  sha256: string;
  size: string;
  extension: string;
}

const dir = tempDir('casc-tiers-');
const databases: TestDatabase[] = [];
const nodes: NodeProcess[] = [];

const sql = <T = Record<string, unknown>>(db: TestDatabase, text: string, params: unknown[] = []) => sqlAt<T>(db.url, text, params);

async function node(name: string, upstreamUrl?: string): Promise<{ node: NodeProcess; db: TestDatabase; dataDir: string }> {
  const db = await createTestDatabase();
  databases.push(db);
  const dataDir = path.join(dir, name);
  const upstream: Record<string, string> = upstreamUrl
    ? { CASCADE_UPSTREAM_URL: upstreamUrl, CASCADE_UPSTREAM_ID: randomUUID(), CASCADE_UPSTREAM_SECRET: 'x' }
    : {};
  const started = await startNodeProcess({ DATABASE_URL: db.url, CASCADE_DATA_DIR: dataDir, ...upstream });
  nodes.push(started);
  return { node: started, db, dataDir };
}

/** tiers starts a fresh child of root and grandchild of that child, both knowing the payload's row. */
async function tiers(round: string, rootUrl: string, row: FileRow) {
  const child = await node(`child-${round}`, rootUrl);
  const grandchild = await node(`grandchild-${round}`, child.node.url);
  for (const t of [child, grandchild]) {
    await sql(t.db, 'INSERT INTO update_file (sha1, sha256, size, extension) VALUES ($1, $2, $3, $4)', [
      row.sha1,
      row.sha256,
      row.size,
      row.extension,
    ]);
  }
  return { child, grandchild };
}

async function stopTiers(...tierNodes: { node: NodeProcess; db: TestDatabase; dataDir: string }[]): Promise<void> {
  for (const t of tierNodes) {
    await t.node.stop();
    nodes.splice(nodes.indexOf(t.node), 1);
    await t.db.drop();
    databases.splice(databases.indexOf(t.db), 1);
    fs.rmSync(t.dataDir, { recursive: true, force: true });
  }
}

/** download reads a whole payload and returns seconds taken; it throws unless every byte came with a 200. */
async function download(url: string, size: number): Promise<number> {
  const t = performance.now();
  const res = await fetch(url);
  if (res.status !== 200 || !res.body) throw new Error(`${url} answered ${res.status}`);
  let received = 0;
  for await (const chunk of res.body) received += (chunk as Uint8Array).byteLength;
  if (received !== size) throw new Error(`received ${received} of ${size} bytes from ${url}`);
  return (performance.now() - t) / 1000;
}

async function upstreamFetches(n: NodeProcess): Promise<Record<string, number>> {
  const text = await (await fetch(`${n.url}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^cascade_upstream_payload_fetches_total\{result="(\w+)"\} (\d+)$/gm)) counts[m[1]] = Number(m[2]);
  return counts;
}

/** cpuSeconds is a process's user + system CPU time so far, all threads included. */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** peakRss samples the processes' RSS every 50 ms while work runs and returns each one's growth over its baseline. */
async function peakRss<T>(pids: number[], work: () => Promise<T>): Promise<{ result: T; growth: number[] }> {
  const base = pids.map(rssBytes);
  const peak = [...base];
  const timer = setInterval(
    () =>
      pids.forEach((pid, i) => {
        peak[i] = Math.max(peak[i], rssBytes(pid));
      }),
    50,
  );
  try {
    const result = await work();
    return { result, growth: peak.map((p, i) => p - base[i]) };
  } finally {
    clearInterval(timer);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mib = (bytes: number) => (bytes / MiB).toFixed(1);
const verdict = (ok: boolean) => (ok ? 'MET' : 'MISSED');

function sha1OfFile(file: string): string {
  if (!fs.existsSync(file)) return 'missing';
  const h = createHash('sha1');
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  for (let n; (n = fs.readSync(fd, buf)) > 0;) h.update(buf.subarray(0, n));
  fs.closeSync(fd);
  return h.digest('hex');
}

async function main(): Promise<void> {
  const arg = process.argv.indexOf('--mib');
  const size = (arg > 0 ? Number(process.argv[arg + 1]) : 256) * MiB;
  if (!Number.isInteger(size) || size <= 0) throw new Error('--mib must be a positive whole number');

  const file = path.join(dir, 'tiers-payload.bin');
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  for (let left = size; left > 0; left -= CHUNK_BYTES) fs.writeSync(fd, randomFillSync(chunk), 0, Math.min(CHUNK_BYTES, left));
  fs.closeSync(fd);

  const root = await node('root');
  const env = { DATABASE_URL: root.db.url };
  const password = /password:\s*(\S+)/.exec((await runCli(['providers', 'add', 'bench'], env)).stdout)?.[1];
  if (!password) throw new Error('could not add a software provider at the root');
  let t = performance.now();
  const published = await runCli(
    [
      'publish',
      '--url',
      root.node.url,
      '--title',
      'Tiers bench payload',
      '--product',
      'Bench Product',
      '--classification',
      'Updates',
      file,
    ],
    { ...env, CASCADE_USER: 'bench', CASCADE_PASSWORD: password },
  );
  if (published.code !== 0) throw new Error(`publish failed: ${published.stderr}`);
  const [row] = await sql<FileRow>(root.db, 'SELECT sha1, sha256, size, extension FROM update_file');
  const urlPath = contentUrlPath(row.sha1, row.extension);
  console.log(`payload: ${mib(size)} MiB published at the root in ${((performance.now() - t) / 1000).toFixed(2)} s (sha1 ${row.sha1})`);

  const direct = median(await seq(3, () => download(root.node.url + urlPath, size)));
  console.log(`(a) direct from the root: ${direct.toFixed(3)} s = ${(size / 1e6 / direct).toFixed(0)} MB/s (median of 3)`);

  const rounds: number[] = [];
  let cpu: number[] = [];
  let growth: number[] = [];
  let settled = 0;
  for (let round = 1; round <= 3; round++) {
    const { child, grandchild } = await tiers(`b${round}`, root.node.url, row);
    const pids = [root.node.child.pid!, child.node.child.pid!, grandchild.node.child.pid!];
    const cpuBefore = pids.map(cpuSeconds);
    const measured = await peakRss(pids.slice(1), () => download(grandchild.node.url + urlPath, size));
    rounds.push(measured.result);
    if (round === 1) {
      cpu = pids.map((pid, i) => cpuSeconds(pid) - cpuBefore[i]);
      growth = measured.growth;
      // The requester has its last bytes once they are verified; flushing and renaming into place follow.
      const files = [child, grandchild].map((t) => path.join(t.dataDir, 'content', urlPath.slice('/Content/'.length)));
      const t0 = performance.now();
      while (!files.every((f) => fs.existsSync(f)) && performance.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 10));
      settled = (performance.now() - t0) / 1000;
      for (const f of files) if (sha1OfFile(f) !== row.sha1) throw new Error(`${f} is missing or has the wrong SHA-1`);
    }
    await stopTiers(child, grandchild);
  }
  const threeTier = median(rounds);
  console.log(
    `(b) first download at the grandchild through two JIT tiers: ${threeTier.toFixed(3)} s = ${(threeTier / direct).toFixed(2)} × direct` +
      ` (rounds ${rounds.map((s) => s.toFixed(3)).join(', ')} s); peak RSS growth child +${mib(growth[0])} MiB, grandchild +${mib(growth[1])} MiB;` +
      ` both tiers held it ${settled.toFixed(3)} s after the requester had its last byte`,
  );
  console.log(
    `    CPU seconds during round 1 (all threads): root ${cpu[0].toFixed(2)}, child ${cpu[1].toFixed(2)}, grandchild ${cpu[2].toFixed(2)};` +
      ` this machine has ${os.availableParallelism()} CPUs`,
  );

  const { child, grandchild } = await tiers('c', root.node.url, row);
  t = performance.now();
  await Promise.all(Array.from({ length: CONCURRENT }, () => download(grandchild.node.url + urlPath, size)));
  const crowd = (performance.now() - t) / 1000;
  const childFetches = await upstreamFetches(child.node);
  const grandFetches = await upstreamFetches(grandchild.node);
  console.log(`(c) ${CONCURRENT} concurrent requests at the grandchild: ${crowd.toFixed(2)} s for ${mib(CONCURRENT * size)} MiB served`);
  console.log(`    upstream fetches: child → root ${JSON.stringify(childFetches)}, grandchild → child ${JSON.stringify(grandFetches)}`);
  await stopTiers(child, grandchild);

  console.log('goals:');
  console.log(`  three-tier first download ≤ 1.5 × direct: ${(threeTier / direct).toFixed(2)} × → ${verdict(threeTier <= 1.5 * direct)}`);
  const one = (c: Record<string, number>) => c.ok === 1 && !c.failed && !c.corrupt;
  console.log(
    `  exactly one upstream fetch per tier: child ${childFetches.ok}, grandchild ${grandFetches.ok} → ${verdict(one(childFetches) && one(grandFetches))}`,
  );
}

async function seq(n: number, fn: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await fn());
  return out;
}

async function cleanup(): Promise<void> {
  for (const n of nodes.splice(0)) await n.stop();
  for (const db of databases.splice(0)) await db.drop();
  fs.rmSync(dir, { recursive: true, force: true });
}

process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
main().then(cleanup, async (err) => {
  process.stderr.write(`payload-tiers bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  await cleanup();
  process.exit(1);
});
