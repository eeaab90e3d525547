import { expect } from 'chai';
import { createDataSource } from '../../src/db/data-source';
import { migrateDown, migrateUp, migrationStatus, schemaDrift } from '../../src/db/migrator';
import { createTestDatabase, migrateDownTo, type TestDatabase } from '../support/test-database';

describe('migrations on real Postgres', () => {
  let db: TestDatabase;
  before(async () => {
    db = await createTestDatabase();
  });
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
      const tables = await ds.query(
        `SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migration'`,
      );
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

  it("renames downstream groups to channels keeping every server's channel and rule, and back", async () => {
    const ds = await createDataSource({ url: db.url }).initialize();
    try {
      await migrateUp(ds);
      const serverId = '5e2c0000-0000-4000-8000-000000000001';
      await ds.query(`INSERT INTO downstream_server (server_id, name, channel_name, secret_hash) VALUES ($1, 'branch-1', 'pilot', 'x')`, [
        serverId,
      ]);
      await ds.query(`INSERT INTO distribution_rule (target_kind, target, all_products, product_ids, all_classifications, classification_ids)
                      VALUES ('channel', 'pilot', true, '{}', true, '{}')`);
      await migrateDownTo(ds, 'RenameDownstreamGroupToChannel1796066200000');
      expect(await ds.query(`SELECT group_name FROM downstream_server WHERE server_id = $1`, [serverId])).to.deep.equal([
        { group_name: 'pilot' },
      ]);
      expect(await ds.query(`SELECT target_kind, target FROM distribution_rule`)).to.deep.equal([
        { target_kind: 'group', target: 'pilot' },
      ]);
      await migrateUp(ds);
      expect(await ds.query(`SELECT channel_name FROM downstream_server WHERE server_id = $1`, [serverId])).to.deep.equal([
        { channel_name: 'pilot' },
      ]);
      expect(await ds.query(`SELECT target_kind, target FROM distribution_rule`)).to.deep.equal([
        { target_kind: 'channel', target: 'pilot' },
      ]);
      expect(await schemaDrift(ds)).to.deep.equal([]);
    } finally {
      await ds.destroy();
    }
  });
});
