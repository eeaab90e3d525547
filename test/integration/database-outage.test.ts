import { expect } from 'chai';
import { loadConfig } from '../../src/config/config';
import { requestContext } from '../../src/db/unit-of-work';
import { createLogger } from '../../src/lib/logger';
import { startNode, type RunningNode } from '../../src/main';
import { authorize, faultCode, httpStatus } from '../support/downstream-client';
import { freePort, tempDir } from '../support/node-process';
import { TEST_PG_URL, createTestDatabase, sql, type TestDatabase } from '../support/test-database';

describe('a database that goes away under a running node', function () {
  this.timeout(60000);
  let db: TestDatabase;
  let node: RunningNode;
  let url: string;

  beforeEach(async () => {
    db = await createTestDatabase();
    const port = await freePort();
    const config = loadConfig({ DATABASE_URL: db.url, CASCADE_PORT: String(port), CASCADE_HOST: '127.0.0.1', CASCADE_DATA_DIR: tempDir() });
    node = await startNode(config, createLogger('silent'));
    url = `http://127.0.0.1:${port}`;
  });
  afterEach(async () => {
    await sql(TEST_PG_URL, `ALTER DATABASE ${db.name} ALLOW_CONNECTIONS true`);
    node.server.closeAllConnections();
    await node.stop().catch(() => undefined);
    await db.drop();
  });

  it('answers a valid cookie with ServerBusy, not InvalidCookie, and serves it again once the database is back', async () => {
    const child = await node.services.downstreamServers.add(requestContext({ kind: 'admin' }), 'child.example');
    const { sync, cookie } = await authorize(url, child.serverId, child.secret);
    await sync.GetConfigDataAsync({ cookie });

    await sql(TEST_PG_URL, `ALTER DATABASE ${db.name} ALLOW_CONNECTIONS false`);
    await sql(TEST_PG_URL, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [db.name]);
    for (const call of [
      () => sync.GetConfigDataAsync({ cookie }),
      () => sync.GetRevisionIdListAsync({ cookie, filter: { GetConfig: false } }),
    ]) {
      const err = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(faultCode(err)).to.equal('ServerBusy');
      expect(httpStatus(err)).to.equal(500);
    }
    const health = await fetch(`${url}/healthz`);
    expect(health.status).to.equal(503);

    await sql(TEST_PG_URL, `ALTER DATABASE ${db.name} ALLOW_CONNECTIONS true`);
    const [config] = await sync.GetConfigDataAsync({ cookie });
    expect(config.GetConfigDataResult.MaxNumberOfUpdatesPerRequest).to.equal(100);
  });

  it("/healthz answers 503 naming the problem when the database's schema is not at the node's migration", async () => {
    expect((await fetch(`${url}/healthz`)).status).to.equal(200);
    await sql(db.url, 'DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    const res = await fetch(`${url}/healthz`);
    expect(res.status).to.equal(503);
    const body = (await res.json()) as { status: string; reason: string };
    expect(body.status).to.equal('unavailable');
    expect(body.reason).to.contain("is not at this node's schema");
  });
});
