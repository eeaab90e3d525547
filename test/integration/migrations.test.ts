import { expect } from 'chai';
import { createDataSource } from '../../src/db/data-source';
import { migrateDown, migrateUp, migrationStatus, schemaDrift } from '../../src/db/migrator';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

describe('migrations on real Postgres', () => {
  let db: TestDatabase;
  before(async () => { db = await createTestDatabase(); });
  after(async () => db.drop());

  it('go up, down to nothing, and up again, with no drift from the entities', async () => {
    const ds = await createDataSource({ url: db.url }).initialize();
    try {
      const applied = await migrateUp(ds);
      expect(applied.length).to.equal(ds.migrations.length);
      expect(await schemaDrift(ds)).to.deep.equal([]);
      const classifications = await ds.query(`SELECT count(*)::int AS n FROM category WHERE category_type = 'UpdateClassification'`);
      expect(classifications[0].n).to.equal(16);

      expect(await migrateDown(ds, ds.migrations.length)).to.equal(ds.migrations.length);
      expect((await migrationStatus(ds)).every((m) => !m.applied)).to.equal(true);
      const tables = await ds.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migration'`);
      expect(tables[0].n).to.equal(0);

      await migrateUp(ds);
      expect(await schemaDrift(ds)).to.deep.equal([]);
    } finally {
      await ds.destroy();
    }
  });

  it('reports drift when the database differs from the entities', async () => {
    const ds = await createDataSource({ url: db.url }).initialize();
    try {
      await migrateUp(ds);
      await ds.query('ALTER TABLE update_file DROP COLUMN extension');
      const drift = await schemaDrift(ds);
      expect(drift.join('\n')).to.match(/extension/);
      await ds.query(`ALTER TABLE update_file ADD COLUMN extension character varying(32) NOT NULL DEFAULT ''`);
      expect(await schemaDrift(ds)).to.deep.equal([]);
    } finally {
      await ds.destroy();
    }
  });
});
