import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../src/db/data-source';
import { migrateUp } from '../../../src/db/migrator';
import { DownstreamSessionService } from '../../../src/services/downstream-session.service';
import { adminContext, testServices } from '../../support/services';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

const ctx = adminContext();

describe(DownstreamSessionService.name, () => {
  const dbs: TestDatabase[] = [];
  const sources: DataSource[] = [];
  let now = Date.UTC(2026, 10, 25, 8, 0, 0);
  const clock = () => new Date(now);

  async function node() {
    const db = await createTestDatabase();
    const ds = await createDataSource({ url: db.url }).initialize();
    await migrateUp(ds);
    dbs.push(db);
    sources.push(ds);
    const services = await testServices(ds, { clock });
    return { sut: services.sessions, servers: services.downstreamServers };
  }
  const code = (p: Promise<unknown>) =>
    p.then(
      () => 'no error',
      (e) => e.code,
    );

  after(async () => {
    for (const ds of sources) await ds.destroy();
    for (const db of dbs) await db.drop();
  });

  it('issues a 240-minute cookie that stops working when it expires', async () => {
    const { sut, servers } = await node();
    const server = await servers.add(ctx, 'expiring.example');
    const auth = await sut.issueAuthorizationCookie(ctx, server, server.serverId);
    const cookie = await sut.issueCookie(ctx, auth, '1.20');
    expect(cookie.expiration.getTime()).to.equal(now + 240 * 60_000);
    expect((await sut.context(ctx, cookie)).downstream.serverId).to.equal(server.serverId);
    now += 240 * 60_000 + 1;
    expect(await code(sut.context(ctx, cookie))).to.equal('InvalidCookie');
    expect(await code(sut.issueCookie(ctx, auth, '1.20'))).to.equal('InvalidAuthorizationCookie');
  });

  it('refuses tokens made by another node, even for the same server name', async () => {
    const a = await node();
    const b = await node();
    const onA = await a.servers.add(ctx, 'roaming.example');
    const onB = await b.servers.add(ctx, 'roaming.example');
    const authFromB = await b.sut.issueAuthorizationCookie(ctx, onB, onB.serverId);
    const cookieFromB = await b.sut.issueCookie(ctx, authFromB, '1.20');
    expect(await code(a.sut.issueCookie(ctx, authFromB, '1.20'))).to.equal('InvalidAuthorizationCookie');
    expect(await code(a.sut.context(ctx, cookieFromB))).to.equal('InvalidCookie');
    expect(
      (await a.sut.context(ctx, await a.sut.issueCookie(ctx, await a.sut.issueAuthorizationCookie(ctx, onA, undefined), '1.8'))).downstream
        .serverId,
    ).to.equal(onA.serverId);
  });

  it('refuses a removed server, a mismatched accountGuid and malformed protocol versions', async () => {
    const { sut, servers } = await node();
    const server = await servers.add(ctx, 'leaving.example');
    const auth = await sut.issueAuthorizationCookie(ctx, server, server.serverId);
    expect(await code(sut.issueAuthorizationCookie(ctx, server, '00000000-0000-4000-8000-000000000000'))).to.equal('InvalidParameters');
    expect(await code(sut.issueCookie(ctx, auth, 'one.two'))).to.equal('InvalidParameters');
    expect(await code(sut.issueCookie(ctx, auth, '3.0'))).to.equal('IncompatibleProtocolVersion');
    const cookie = await sut.issueCookie(ctx, auth, '1.20');
    await servers.remove(ctx, server.serverId);
    expect(await code(sut.context(ctx, cookie))).to.equal('InvalidCookie');
    expect(await code(sut.issueCookie(ctx, auth, '1.20'))).to.equal('InvalidAuthorizationCookie');
  });
});
