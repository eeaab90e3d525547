// The raw PostgreSQL ingest rate the sync bench compares a sync with: how fast this server takes rows shaped like
// update_revision's hot columns when nothing but the inserts runs.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { createTestDatabase } from '../../test/support/test-database';

const BATCH = 1000;
const ROW_BYTES = 2048;

/**
 * rawIngestRate inserts `rows` rows into a scratch table of a scratch database (serial key, uuid + revision number
 * with a unique constraint on them, a title, is_latest and a 2 KB text document that varies per row and compresses
 * like XML does), as INSERT … SELECT FROM unnest of 1,000-row array parameters, one transaction (autocommit) per
 * batch, from one connection of this process; it returns rows/s over the whole insert loop (the client building
 * the parameters included; creating the table excluded).
 */
export async function rawIngestRate(rows: number): Promise<number> {
  const db = await createTestDatabase();
  const c = new Client({ connectionString: db.url });
  await c.connect();
  try {
    await c.query(`CREATE TABLE scratch_revision (
      revision_id serial PRIMARY KEY, update_id uuid NOT NULL, revision_number int NOT NULL, title varchar(1024) NOT NULL,
      is_latest boolean NOT NULL, xml text NOT NULL, UNIQUE (update_id, revision_number))`);
    const filler = '<Property Name="Filler" Value="'.padEnd(ROW_BYTES - 120, 'abcdefghij') + '"/>';
    const t = performance.now();
    for (let i = 0; i < rows; i += BATCH) {
      const ids: string[] = [];
      const docs: string[] = [];
      const titles: string[] = [];
      for (let j = i; j < Math.min(rows, i + BATCH); j++) {
        const id = randomUUID();
        ids.push(id);
        titles.push(`Scratch update ${j}`);
        docs.push(`<Update UpdateID="${id}" RevisionNumber="1" Number="${j}">${filler}</Update>`);
      }
      await c.query(
        `INSERT INTO scratch_revision (update_id, revision_number, title, is_latest, xml)
         SELECT u, 1, t, true, x FROM unnest($1::uuid[], $2::varchar[], $3::text[]) AS v(u, t, x)`,
        [ids, titles, docs],
      );
    }
    return (rows * 1000) / (performance.now() - t);
  } finally {
    await c.end();
    await db.drop();
  }
}
