/**
 * Benchmark: how fast one node serves one large payload from its content store, and whether its memory
 * stays flat while it does. Creates a payload (1 GiB unless --mib N) in a temporary content store,
 * starts a real node on a throwaway Postgres database (CASCADE_TEST_PG_URL, default the local test
 * server), downloads the payload once with fetch while sampling the node's RSS every 50 ms, prints the
 * figures, and removes everything it made.
 *
 *   npx tsc -p . && node dist/scripts/bench/content-serve.js [--mib 1024]
 */
import { randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { ContentStore, CHUNK_BYTES } from '../../src/content/content-store';
import { startNodeProcess, tempDir, type NodeProcess } from '../../test/support/node-process';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database';

const MiB = 1024 * 1024;

function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function* randomChunks(total: number): Generator<Buffer> {
  for (let left = total; left > 0; left -= CHUNK_BYTES) yield randomFillSync(Buffer.allocUnsafe(Math.min(CHUNK_BYTES, left)));
}

const mib = (bytes: number) => (bytes / MiB).toFixed(1);

async function main(): Promise<void> {
  const arg = process.argv.indexOf('--mib');
  const size = (arg > 0 ? Number(process.argv[arg + 1]) : 1024) * MiB;
  if (!Number.isInteger(size) || size <= 0) throw new Error('--mib must be a positive whole number');

  const dir = tempDir('casc-bench-');
  let db: TestDatabase | undefined;
  let node: NodeProcess | undefined;
  const cleanup = async () => {
    await node?.stop();
    await db?.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  try {
    const contentDir = path.join(dir, 'content');
    const store = new ContentStore(contentDir);
    await store.init();
    let t = performance.now();
    const stored = await store.store(Readable.from(randomChunks(size)), { maxBytes: size, extension: '.bin' });
    const storeSeconds = (performance.now() - t) / 1000;
    console.log(`payload: ${mib(size)} MiB, generated and stored (hash + write + fsync) in ${storeSeconds.toFixed(2)} s`);

    db = await createTestDatabase();
    node = await startNodeProcess({ DATABASE_URL: db.url, CASCADE_CONTENT_DIR: contentDir, CASCADE_DATA_DIR: path.join(dir, 'data') });
    const pid = node.child.pid!;
    const baseline = rssBytes(pid);
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssBytes(pid));
    }, 50);

    t = performance.now();
    const res = await fetch(node.url + store.contentUrlPath(stored.sha1, '.bin'));
    if (res.status !== 200 || !res.body) throw new Error(`download answered ${res.status}`);
    let received = 0;
    for await (const chunk of res.body) received += (chunk as Uint8Array).byteLength;
    const seconds = (performance.now() - t) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, rssBytes(pid));
    if (received !== size) throw new Error(`received ${received} bytes, expected ${size}`);

    console.log(`download: ${mib(received)} MiB in ${seconds.toFixed(2)} s = ${(received / 1e6 / seconds).toFixed(0)} MB/s`);
    console.log(`server RSS: ${mib(baseline)} MiB before, ${mib(peak)} MiB peak (+${mib(peak - baseline)} MiB)`);
  } finally {
    await cleanup();
  }
}

main().catch((err) => {
  process.stderr.write(`content-serve bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
