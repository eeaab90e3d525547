import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { migrateUp } from '../../src/db/migrator';
import type { UpdateDocument } from '../../src/domain/update-document';
import { buildUpdateXml } from '../../src/domain/update-xml';
import { ChangeLogRepository } from '../../src/repositories/change-log.repository';
import { UpdateStoreRepository, type RevisionToStore } from '../../src/repositories/update-store.repository';
import { inTransaction } from '../support/services';
import { createMigratedDatabase, migrateDownTo, type TestDatabase } from '../support/test-database';

const SHA1 = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
const SHA256 = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

function revision(updateId: string, revisionNumber: number, title: string, files: UpdateDocument['files'] = []): RevisionToStore {
  const doc: UpdateDocument = {
    identity: { updateId, revisionNumber },
    updateType: 'Software',
    publicationState: 'Published',
    creationDate: '2026-11-30T00:00:00.000Z',
    title,
    description: '',
    categoryIds: [],
    prerequisites: [],
    supersededUpdates: [],
    bundledUpdates: [],
    files,
  };
  return { doc, xml: buildUpdateXml(doc) };
}

describe('update origin in the update store', () => {
  let db: TestDatabase;
  let ds: DataSource;
  const store = new UpdateStoreRepository(new ChangeLogRepository());
  const rows = (updateId: string) =>
    ds.query(
      `SELECT r.revision_number AS n, r.origin, r.is_latest AS latest, r.title, u.origin AS owner, u.latest_revision_number AS top
     FROM update_revision r JOIN "update" u USING (update_id) WHERE update_id = $1 ORDER BY 1`,
      [updateId],
    );
  const changes = async () => (await ds.query(`SELECT count(*)::int AS n FROM change_log`))[0].n as number;

  before(async () => {
    ({ db, ds } = await createMigratedDatabase());
  });
  after(async () => {
    await ds.destroy();
    await db.drop();
  });

  it("adopts a local revision equal to the parent's silently: no new revision, no change logged", async () => {
    const id = randomUUID();
    const same = revision(id, 1, 'Same');
    await inTransaction(ds, (m) => store.insertRevisions(m, [same]));
    const logged = await changes();
    expect(await inTransaction(ds, (m) => store.missingIdentities(m, [same.doc.identity]))).to.deep.equal([same.doc.identity]);
    const yielded = await inTransaction(ds, async (m) => {
      const y = await store.yieldToUpstream(m, [same]);
      expect(await store.insertRevisions(m, [same], 'upstream')).to.deep.equal([]);
      return y;
    });
    expect(yielded).to.deep.equal({ adopted: [same.doc.identity], replaced: [] });
    expect(await rows(id)).to.deep.equal([{ n: 1, origin: 'upstream', latest: true, title: 'Same', owner: 'upstream', top: 1 }]);
    expect(await changes()).to.equal(logged);
    expect(await inTransaction(ds, (m) => store.missingIdentities(m, [same.doc.identity]))).to.deep.equal([]);
  });

  it('replaces a differing local revision and deletes those above it, keeping older local history', async () => {
    const id = randomUUID();
    await inTransaction(ds, (m) =>
      store.insertRevisions(m, [revision(id, 1, 'Local 1'), revision(id, 2, 'Local 2'), revision(id, 3, 'Local 3')]),
    );
    const parents = revision(id, 2, 'Parent 2');
    const yielded = await inTransaction(ds, async (m) => {
      const y = await store.yieldToUpstream(m, [parents]);
      await store.insertRevisions(m, [parents], 'upstream');
      return y;
    });
    expect(yielded.replaced).to.have.deep.members([
      { updateId: id, revisionNumber: 2 },
      { updateId: id, revisionNumber: 3 },
    ]);
    expect(await rows(id)).to.deep.equal([
      { n: 1, origin: 'local', latest: false, title: 'Local 1', owner: 'upstream', top: 2 },
      { n: 2, origin: 'upstream', latest: true, title: 'Parent 2', owner: 'upstream', top: 2 },
    ]);
  });

  it('stores no SHA-256 for a file the metadata names by SHA-1 alone, and fills it in when a document names it', async () => {
    const file = { sha1: SHA1, size: 4, fileName: 'tool.msu', modified: '2026-11-30T00:00:00.000Z' };
    const id = randomUUID();
    await inTransaction(ds, (m) => store.insertRevisions(m, [revision(id, 1, 'No SHA-256', [file])]));
    const sha256 = async () => (await ds.query(`SELECT sha256 FROM update_file WHERE sha1 = $1`, [SHA1]))[0].sha256;
    expect(await sha256()).to.equal(null);
    await inTransaction(ds, (m) => store.insertRevisions(m, [revision(id, 2, 'With SHA-256', [{ ...file, sha256: SHA256 }])]));
    expect(await sha256()).to.equal(SHA256);
  });

  it('migrates existing rows: revisions written during a finished sync run are upstream, the rest local, and anchors are forgotten', async () => {
    const [imported, published, interrupted] = [randomUUID(), randomUUID(), randomUUID()];
    await migrateDownTo(ds, 'AddUpdateOrigin1796066000000');
    const insert = async (updateId: string, at: string) => {
      await ds.query(`INSERT INTO "update" (update_id, update_type, latest_revision_number) VALUES ($1, 'Software', 1)`, [updateId]);
      await ds.query(
        `INSERT INTO update_revision (update_id, revision_number, update_type, title, publication_state, creation_date, is_latest, xml, imported_at)
                      VALUES ($1, 1, 'Software', 't', 'Published', $2, true, '<x/>', $2)`,
        [updateId, at],
      );
    };
    await ds.query(`INSERT INTO sync_run (started_at, finished_at, result, trigger) VALUES
      ('2026-11-01T10:00:00Z', '2026-11-01T10:05:00Z', 'Succeeded', 'manual'),
      ('2026-11-02T10:00:00Z', '2026-11-03T10:00:00Z', 'Failed', 'manual')`);
    await ds.query(`UPDATE sync_run SET error = 'interrupted: the syncing process stopped' WHERE result = 'Failed'`);
    await insert(imported, '2026-11-01T10:01:00Z');
    await insert(published, '2026-11-01T11:00:00Z');
    await insert(interrupted, '2026-11-02T12:00:00Z');
    const zeros = 'c'.repeat(40);
    await ds.query(`INSERT INTO update_file (sha1, sha256, size) VALUES ($1, repeat('0', 64), 4)`, [zeros]);
    await ds.query(
      `INSERT INTO node_setting (key, value) VALUES ('sync.update-anchor', 'a'), ('sync.category-anchor', 'b'), ('sync.config-anchor', 'c')`,
    );
    await migrateUp(ds);
    const owners = await ds.query(`SELECT update_id, origin FROM "update" WHERE update_id = ANY($1::uuid[])`, [
      [imported, published, interrupted],
    ]);
    expect(Object.fromEntries(owners.map((o: { update_id: string; origin: string }) => [o.update_id, o.origin]))).to.deep.equal({
      [imported]: 'upstream',
      [published]: 'local',
      [interrupted]: 'local',
    });
    expect((await ds.query(`SELECT origin FROM update_revision WHERE update_id = $1`, [imported]))[0].origin).to.equal('upstream');
    expect(
      (await ds.query(`SELECT key FROM node_setting WHERE key LIKE 'sync.%' ORDER BY key`)).map((r: { key: string }) => r.key),
    ).to.deep.equal(['sync.config-anchor']);
    expect((await ds.query(`SELECT sha256 FROM update_file WHERE sha1 = $1`, [zeros]))[0].sha256).to.equal(null);
    await migrateDownTo(ds, 'MakeFileSha256Optional1796066100000');
    expect((await ds.query(`SELECT sha256 FROM update_file WHERE sha1 = $1`, [zeros]))[0].sha256).to.equal('0'.repeat(64));
    await migrateUp(ds);
  });
});
