// GetRevisionIdList latency over real SOAP against a node process, for an up-to-date anchor and for an
// anchor 100 changes behind, on synthetic catalogs of 10,000 and 100,000 revisions.
// Run: npm run build && node dist/scripts/bench/revision-list.js [sizes...]   (needs PostgreSQL on 127.0.0.1:5432)
import { performance } from 'node:perf_hooks';
import { createDataSource } from '../../src/db/data-source';
import { migrateUp } from '../../src/db/migrator';
import { authorize } from '../../test/support/downstream-client';
import { startNodeProcess } from '../../test/support/node-process';
import { adminContext, testServices } from '../../test/support/services';
import { createTestDatabase } from '../../test/support/test-database';

const GOALS = { upToDateMs: 50, hundredChangesMs: 100 };
const RUNS = 30;

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p95: s[Math.floor(s.length * 0.95)] };
}

async function measure(size: number) {
  const db = await createTestDatabase();
  const ds = await createDataSource({ url: db.url }).initialize();
  try {
    await migrateUp(ds);
    const services = await testServices(ds);
    const ctx = adminContext();
    const seed = services.seed;
    let t = performance.now();
    await seed.seed(ctx, { revisions: size, products: 20 });
    const seedSeconds = (performance.now() - t) / 1000;
    const child = await services.downstreamServers.add(ctx, `bench-${size}.example`);
    const node = await startNodeProcess({ DATABASE_URL: db.url });
    try {
      const { sync, cookie } = await authorize(node.url, child.serverId, child.secret);
      const call = async (anchor?: string) => {
        const started = performance.now();
        const [r] = await sync.GetRevisionIdListAsync({ cookie, filter: { ...(anchor ? { Anchor: anchor } : {}), GetConfig: false } });
        const ids = r.GetRevisionIdListResult.NewRevisions?.UpdateIdentity ?? [];
        return { ms: performance.now() - started, anchor: r.GetRevisionIdListResult.Anchor as string, count: ids.length as number };
      };
      t = performance.now();
      const full = await call();
      const fullMs = performance.now() - t;
      const upToDate: number[] = [];
      for (let i = 0; i < RUNS; i++) upToDate.push((await call(full.anchor)).ms);
      await seed.seed(ctx, { revisions: 100, products: 1 });
      const behind: number[] = [];
      let count = 0;
      for (let i = 0; i < RUNS; i++) {
        const r = await call(full.anchor);
        behind.push(r.ms);
        count = r.count;
      }
      return { size, seedSeconds, fullMs, fullCount: full.count, upToDate: stats(upToDate), behind: stats(behind), behindCount: count };
    } finally {
      await node.stop();
    }
  } finally {
    await ds.destroy();
    await db.drop();
  }
}

async function main() {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  console.log(
    `GetRevisionIdList over SOAP, ${RUNS} calls each (goals: up-to-date <= ${GOALS.upToDateMs} ms, 100 changes <= ${GOALS.hundredChangesMs} ms)`,
  );
  for (const size of sizes.length ? sizes : [10_000, 100_000]) {
    const r = await measure(size);
    const ok = (v: number, goal: number) => (v <= goal ? 'meets goal' : 'MISSES goal');
    console.log(`catalog ${r.size} revisions (seeded in ${r.seedSeconds.toFixed(1)} s)`);
    console.log(`  full list (no anchor):   ${r.fullMs.toFixed(0)} ms for ${r.fullCount} revisions`);
    console.log(
      `  up-to-date anchor:       median ${r.upToDate.median.toFixed(1)} ms, p95 ${r.upToDate.p95.toFixed(1)} ms  (${ok(r.upToDate.median, GOALS.upToDateMs)})`,
    );
    console.log(
      `  100 changes since anchor: median ${r.behind.median.toFixed(1)} ms, p95 ${r.behind.p95.toFixed(1)} ms, ${r.behindCount} returned  (${ok(r.behind.median, GOALS.hundredChangesMs)})`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
