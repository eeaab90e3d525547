import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../src/db/data-source';
import { migrateUp } from '../../../src/db/migrator';
import { NodeSettingRepository } from '../../../src/repositories/node-setting.repository';
import { DownstreamSessionService } from '../../../src/services/downstream-session.service';
import { NodeIdentityService } from '../../../src/services/node-identity.service';
import { buildDownstreamServices } from '../../support/downstream-services';
import { createTestDatabase, type TestDatabase } from '../../support/test-database';

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
    const { servers, availability } = buildDownstreamServices(ds);
    const sut = new DownstreamSessionService(new NodeIdentityService(new NodeSettingRepository(ds.manager)), servers, availability, 240, clock);
    return { sut, servers };
  }
  const code = (p: Promise<unknown>) => p.then(() => 'no error', (e) => e.code);

  after(async () => {
    for (const ds of sources) await ds.destroy();
    for (const db of dbs) await db.drop();
  });

  it('issues a 240-minute cookie that stops working when it expires', async () => {
    const { sut, servers } = await node();
    const server = await servers.add('expiring.example');
    const auth = await sut.issueAuthorizationCookie(server, server.serverId);
    const cookie = await sut.issueCookie(auth, '1.20');
    expect(cookie.expiration.getTime()).to.equal(now + 240 * 60_000);
    expect((await sut.context(cookie)).serverId).to.equal(server.serverId);
    now += 240 * 60_000 + 1;
    expect(await code(sut.context(cookie))).to.equal('InvalidCookie');
    expect(await code(sut.issueCookie(auth, '1.20'))).to.equal('InvalidAuthorizationCookie');
  });

  it('refuses tokens made by another node, even for the same server name', async () => {
    const a = await node();
    const b = await node();
    const onA = await a.servers.add('roaming.example');
    const onB = await b.servers.add('roaming.example');
    const authFromB = await b.sut.issueAuthorizationCookie(onB, onB.serverId);
    const cookieFromB = await b.sut.issueCookie(authFromB, '1.20');
    expect(await code(a.sut.issueCookie(authFromB, '1.20'))).to.equal('InvalidAuthorizationCookie');
    expect(await code(a.sut.context(cookieFromB))).to.equal('InvalidCookie');
    expect((await a.sut.context(await a.sut.issueCookie(await a.sut.issueAuthorizationCookie(onA, undefined), '1.8'))).serverId).to.equal(onA.serverId);
  });

  it('refuses a removed server, a mismatched accountGuid and malformed protocol versions', async () => {
    const { sut, servers } = await node();
    const server = await servers.add('leaving.example');
    const auth = await sut.issueAuthorizationCookie(server, server.serverId);
    expect(await code(sut.issueAuthorizationCookie(server, '00000000-0000-4000-8000-000000000000'))).to.equal('InvalidParameters');
    expect(await code(sut.issueCookie(auth, 'one.two'))).to.equal('InvalidParameters');
    expect(await code(sut.issueCookie(auth, '3.0'))).to.equal('IncompatibleProtocolVersion');
    const cookie = await sut.issueCookie(auth, '1.20');
    await servers.remove(server.serverId);
    expect(await code(sut.context(cookie))).to.equal('InvalidCookie');
    expect(await code(sut.issueCookie(auth, '1.20'))).to.equal('InvalidAuthorizationCookie');
  });
});
