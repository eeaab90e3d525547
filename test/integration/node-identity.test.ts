import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { open, seal } from '../../src/crypto/cookie-seal';
import { createDataSource } from '../../src/db/data-source';
import { migrateUp } from '../../src/db/migrator';
import { adminContext, testServices } from '../support/services';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const ctx = adminContext();

describe('NodeIdentityService on real Postgres', () => {
  let db: TestDatabase;
  let a: DataSource;
  let b: DataSource;

  before(async () => {
    db = await createTestDatabase();
    a = await createDataSource({ url: db.url }).initialize();
    b = await createDataSource({ url: db.url }).initialize();
    await migrateUp(a);
  });
  after(async () => {
    await a?.destroy();
    await b?.destroy();
    await db?.drop();
  });

  it('gives every process sharing the database the same node id and cookie key, even when they start together', async () => {
    const services = (await Promise.all([a, b, a, b].map((ds) => testServices(ds)))).map((s) => s.nodeIdentity);
    const ids = await Promise.all(services.map((s) => s.getNodeIdentity(ctx)));
    expect(ids[0].nodeId).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(ids[0].cookieKey.length).to.equal(32);
    for (const id of ids.slice(1)) {
      expect(id.nodeId).to.equal(ids[0].nodeId);
      expect(id.cookieKey.equals(ids[0].cookieKey)).to.equal(true);
    }
    const rows = await a.query('SELECT key FROM node_setting ORDER BY key');
    expect(rows.map((r: { key: string }) => r.key)).to.deep.equal(['cookie_key', 'node_id']);

    // A cookie one process seals, another opens.
    const now = Date.now();
    const sealed = seal(
      { kind: 'auth', serverId: randomUUID(), channel: 'Default', issuerNodeId: ids[0].nodeId, expiresAt: now + 1000 },
      ids[0].cookieKey,
    );
    expect(open(sealed, 'auth', { key: ids[1].cookieKey, nodeId: ids[1].nodeId, now }).channel).to.equal('Default');
  });

  it('reads the identity once per process', async () => {
    const service = (await testServices(b)).nodeIdentity;
    const first = await service.getNodeIdentity(ctx);
    await a.query(`UPDATE node_setting SET value = $1 WHERE key = 'node_id'`, [randomUUID()]);
    expect((await service.getNodeIdentity(ctx)).nodeId).to.equal(first.nodeId);
    const fresh = await (await testServices(b)).nodeIdentity.getNodeIdentity(ctx);
    expect(fresh.nodeId).to.not.equal(first.nodeId);
  });

  it('refuses a damaged cookie key instead of issuing cookies with it', async () => {
    await a.query(`UPDATE node_setting SET value = 'c2hvcnQ=' WHERE key = 'cookie_key'`);
    const service = (await testServices(a)).nodeIdentity;
    let message = '';
    await service.getNodeIdentity(ctx).catch((err: Error) => {
      message = err.message;
    });
    expect(message).to.match(/cookie_key/);
  });
});
