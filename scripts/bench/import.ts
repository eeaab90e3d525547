// Per-statement cost of an import as the tables grow: stores `total` revisions in chunks of 1,000 the way a sync
// does (missingIdentities, yieldToUpstream, insertRevisions as 'upstream', the StatisticsRefresh ANALYZEs), a tenth
// of each chunk being new revisions of updates stored earlier, and prints each statement's time in the first and
// the last tenth of the chunks. With --no-analyze no statistics are ever gathered.
// Run: npm run build && node dist/scripts/bench/import.js [total] [--no-analyze] [--into=<empty database url>]
// (needs PostgreSQL on 127.0.0.1:5432; without --into it uses a throwaway database).
import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createDataSource } from '../../src/db/data-source';
import { migrateUp } from '../../src/db/migrator';
import type { TxContext } from '../../src/db/unit-of-work';
import { StatisticsRefresh } from '../../src/domain/statistics-refresh';
import type { UpdateDocument } from '../../src/domain/update-document';
import { buildUpdateXml } from '../../src/domain/update-xml';
import { ChangeLogRepository } from '../../src/repositories/change-log.repository';
import { UpdateStoreRepository, type RevisionToStore } from '../../src/repositories/update-store.repository';
import { inTransaction } from '../../test/support/services';
import { createMigratedDatabase } from '../../test/support/test-database';

const CHUNK = 1000;
const PRODUCTS = Array.from({ length: 20 }, () => randomUUID());
const CLASSIFICATION = '0fa1201d-4330-4fa8-8ae9-b877473b6441';

function revision(updateId: string, revisionNumber: number, i: number): RevisionToStore {
  const sha1 = createHash('sha1').update(`${updateId}/${revisionNumber}`).digest('hex');
  const doc: UpdateDocument = {
    identity: { updateId, revisionNumber },
    updateType: 'Software',
    publicationState: 'Published',
    creationDate: '2026-11-30T00:00:00.000Z',
    title: `Imported update ${i} revision ${revisionNumber}`,
    description: 'x'.repeat(1500),
    kbArticleId: String(5000000 + i),
    msrcSeverity: 'Important',
    categoryIds: [PRODUCTS[i % PRODUCTS.length], CLASSIFICATION],
    prerequisites: [PRODUCTS[i % PRODUCTS.length]],
    supersededUpdates: [],
    bundledUpdates: [],
    files: [{ sha1, size: 1024, fileName: `kb${i}.msu`, modified: '2026-11-30T00:00:00.000Z' }],
  };
  return { doc, xml: buildUpdateXml(doc) };
}

/**
 * timed returns ctx with every query's time added to `times` under the statement's first words. With `buffers`,
 * each statement also runs first under EXPLAIN (ANALYZE, BUFFERS) in a savepoint that is rolled back, and the
 * shared buffers its plan touched are added there: a count the machine's load does not change.
 */
function timed(ctx: TxContext, times: Map<string, number>, buffers?: Map<string, number>): TxContext {
  const tx = Object.create(ctx.tx) as TxContext['tx'];
  tx.query = async (sql: string, params?: unknown[]) => {
    const label = sql.replace(/\s+/g, ' ').trim().slice(0, 60);
    if (buffers && !/^(ANALYZE|SELECT pg_advisory)/.test(label)) {
      await ctx.tx.query('SAVEPOINT buffers');
      const [row] = await ctx.tx.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
      await ctx.tx.query('ROLLBACK TO SAVEPOINT buffers');
      const plan = row['QUERY PLAN'][0].Plan;
      buffers.set(label, (buffers.get(label) ?? 0) + plan['Shared Hit Blocks'] + plan['Shared Read Blocks']);
    }
    const started = performance.now();
    try {
      return await ctx.tx.query(sql, params);
    } finally {
      times.set(label, (times.get(label) ?? 0) + performance.now() - started);
    }
  };
  return { ...ctx, tx };
}

async function main() {
  const total = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100000);
  const analyze = !process.argv.includes('--no-analyze');
  const into = process.argv.find((a) => a.startsWith('--into='))?.slice('--into='.length);
  const { db, ds } = into ? { db: undefined, ds: await createDataSource({ url: into }).initialize() } : await createMigratedDatabase();
  if (into) await migrateUp(ds);
  const store = new UpdateStoreRepository(new ChangeLogRepository());
  const statistics = new StatisticsRefresh();
  const chunks = Math.ceil(total / CHUNK);
  const tenth = Math.max(1, Math.floor(chunks / 10));
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  const firstBuffers = new Map<string, number>();
  const lastBuffers = new Map<string, number>();
  const stored: string[] = [];
  const started = performance.now();
  try {
    for (let c = 0; c < chunks; c++) {
      const chunk: RevisionToStore[] = [];
      for (let k = 0; k < CHUNK; k++) {
        const i = c * CHUNK + k;
        // A tenth are a new revision of updates stored earlier, superseding their latest.
        const earlier = stored.length ? stored[(c * 97 + Math.floor(k / 10)) % stored.length] : undefined;
        chunk.push(k % 10 === 9 && earlier ? revision(earlier, 2 + c, i) : revision(randomUUID(), 1, i));
      }
      const times = c < tenth ? first : c >= chunks - tenth ? last : new Map<string, number>();
      // Buffers of the second chunk (the first that supersedes stored revisions) and of the last.
      const buffers = c === 1 ? firstBuffers : c === chunks - 1 ? lastBuffers : undefined;
      await inTransaction(ds, async (m) => {
        const t = timed(m, times, buffers);
        await store.missingIdentities(
          t,
          chunk.map((r) => r.doc.identity),
        );
        await store.yieldToUpstream(t, chunk);
        const inserted = await store.insertRevisions(t, chunk, 'upstream');
        if (analyze && statistics.due(inserted.length)) await store.analyze(t);
      });
      stored.push(...chunk.filter((r) => r.doc.identity.revisionNumber === 1).map((r) => r.doc.identity.updateId));
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(`${total} revisions in ${seconds.toFixed(1)} s (${Math.round(total / seconds)}/s), analyze: ${analyze}`);
    console.log('ms per chunk, first tenth → last tenth (ratio):');
    for (const [label, ms] of first) {
      const a = ms / tenth;
      const b = (last.get(label) ?? 0) / tenth;
      console.log(`  ${a.toFixed(1).padStart(7)} → ${b.toFixed(1).padStart(7)}  (${(b / a).toFixed(2)})  ${label}`);
    }
    console.log('shared buffers a statement touches, second chunk → last chunk (ratio):');
    for (const [label, n] of firstBuffers) {
      const b = lastBuffers.get(label) ?? 0;
      console.log(`  ${String(n).padStart(7)} → ${String(b).padStart(7)}  (${(b / n).toFixed(2)})  ${label}`);
    }
    const latest = await ds.query(
      `SELECT count(*) FILTER (WHERE r.is_latest <> (r.revision_number = u.latest_revision_number))::int AS wrong
       FROM update_revision r JOIN "update" u USING (update_id)`,
    );
    console.log(`revisions whose is_latest disagrees with latest_revision_number: ${latest[0].wrong}`);
  } finally {
    await ds.destroy();
    await db?.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
