import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { UpdateDocument } from '../../src/domain/update-document';
import { buildUpdateXml } from '../../src/domain/update-xml';
import { ChangeLogRepository } from '../../src/repositories/change-log.repository';
import { UpdateStoreRepository, type RevisionToStore } from '../../src/repositories/update-store.repository';
import { inTransaction } from '../support/services';
import { createMigratedDatabase, type TestDatabase } from '../support/test-database';

function revision(updateId: string, revisionNumber: number): RevisionToStore {
  const doc: UpdateDocument = {
    identity: { updateId, revisionNumber },
    updateType: 'Software',
    publicationState: 'Published',
    creationDate: '2026-11-30T00:00:00.000Z',
    title: `Revision ${revisionNumber}`,
    description: '',
    categoryIds: [],
    prerequisites: [],
    supersededUpdates: [],
    bundledUpdates: [],
    files: [],
  };
  return { doc, xml: buildUpdateXml(doc) };
}

// insertRevisions keeps is_latest and update.latest_revision_number from the chunk's own rows (no join, no scan
// of the tables): these cases pin what that bookkeeping must give.
describe('latest revision bookkeeping of chunked imports', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const store = new UpdateStoreRepository(new ChangeLogRepository());
  const importChunk = (chunk: RevisionToStore[], origin: 'local' | 'upstream' = 'upstream') =>
    inTransaction(ds, async (m) => {
      if (origin === 'upstream') await store.yieldToUpstream(m, chunk);
      return store.insertRevisions(m, chunk, origin);
    });
  /** latest says, per revision number of an update, whether it is marked latest, and the update's latest number. */
  const latest = async (updateId: string) => {
    const rows: Array<{ n: number; latest: boolean; top: number }> = await ds.query(
      `SELECT r.revision_number AS n, r.is_latest AS latest, u.latest_revision_number AS top
       FROM update_revision r JOIN "update" u USING (update_id) WHERE update_id = $1 ORDER BY 1`,
      [updateId],
    );
    return { top: rows[0]?.top, marked: rows.filter((r) => r.latest).map((r) => r.n), numbers: rows.map((r) => r.n) };
  };

  before(async () => {
    ({ db, ds } = await createMigratedDatabase());
  });
  after(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('marks only the highest of several revisions of one update that arrive in one chunk, in any order', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await importChunk([revision(a, 2), revision(b, 1), revision(a, 3), revision(a, 1)]);
    expect(await latest(a)).to.deep.equal({ top: 3, marked: [3], numbers: [1, 2, 3] });
    expect(await latest(b)).to.deep.equal({ top: 1, marked: [1], numbers: [1] });
  });

  it('moves the mark when a later chunk supersedes the latest revision, and keeps it when a chunk brings an older one', async () => {
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await importChunk([revision(a, 1), revision(a, 2), revision(b, 1), revision(c, 5)]);
    await importChunk([revision(a, 4), revision(a, 3), revision(c, 3), revision(randomUUID(), 1)]);
    expect(await latest(a)).to.deep.equal({ top: 4, marked: [4], numbers: [1, 2, 3, 4] });
    expect(await latest(b)).to.deep.equal({ top: 1, marked: [1], numbers: [1] });
    expect(await latest(c)).to.deep.equal({ top: 5, marked: [5], numbers: [3, 5] });
    await importChunk([revision(b, 2), revision(a, 4), revision(c, 6)]);
    expect(await latest(a)).to.deep.equal({ top: 4, marked: [4], numbers: [1, 2, 3, 4] });
    expect(await latest(b)).to.deep.equal({ top: 2, marked: [2], numbers: [1, 2] });
    expect(await latest(c)).to.deep.equal({ top: 6, marked: [6], numbers: [3, 5, 6] });
  });

  it('keeps the mark right when the parent supersedes a local latest revision, and when a local revision follows', async () => {
    const id = randomUUID();
    await importChunk([revision(id, 1), revision(id, 2)], 'local');
    await importChunk([revision(id, 3)]);
    expect(await latest(id)).to.deep.equal({ top: 3, marked: [3], numbers: [1, 2, 3] });
    await importChunk([revision(id, 4)], 'local');
    expect(await latest(id)).to.deep.equal({ top: 4, marked: [4], numbers: [1, 2, 3, 4] });
  });

  it('leaves exactly one latest revision per update, the one latest_revision_number names', async () => {
    const wrong = await ds.query(
      `SELECT u.update_id FROM "update" u JOIN update_revision r USING (update_id)
       GROUP BY u.update_id, u.latest_revision_number
       HAVING count(*) FILTER (WHERE r.is_latest) <> 1 OR bool_or(r.is_latest <> (r.revision_number = u.latest_revision_number))`,
    );
    expect(wrong).to.deep.equal([]);
  });
});
