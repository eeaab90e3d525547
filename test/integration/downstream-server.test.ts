import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { DomainError } from '../../src/domain/errors';
import type { DownstreamServerService } from '../../src/services/downstream-server.service';
import type { AvailabilityService } from '../../src/services/availability.service';
import { buildDownstreamServices } from '../support/downstream-services';
import { createMigratedDatabase, type TestDatabase } from '../support/test-database';
import { adminContext } from '../support/services';

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (err) {
    expect(err).to.be.instanceOf(DomainError);
    return err as DomainError;
  }
  throw new Error('expected a DomainError');
}

const ctx = adminContext();

describe('DownstreamServerService on real Postgres', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let servers: DownstreamServerService;
  let availability: AvailabilityService;

  before(async () => {
    ({ db, ds } = await createMigratedDatabase());
    ({ servers, availability } = await buildDownstreamServices(ds));
  });
  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('adds a server and authenticates it with its id and secret only', async () => {
    const added = await servers.add(ctx, 'Child-1.Example.org', 'Branches');
    expect(added.serverId).to.match(/^[0-9a-f-]{36}$/);
    expect(added.name).to.equal('child-1.example.org');
    expect(added.channel).to.equal('Branches');
    expect(added.enabled).to.equal(true);
    expect((await servers.authenticate(ctx, added.serverId, added.secret))?.name).to.equal('child-1.example.org');
    expect(await servers.authenticate(ctx, added.serverId.toUpperCase(), added.secret)).to.not.equal(undefined);
    expect(await servers.authenticate(ctx, added.serverId, `${added.secret}x`)).to.equal(undefined);
    expect(await servers.authenticate(ctx, '9c0e4b1e-0000-4000-8000-000000000000', added.secret)).to.equal(undefined);
    expect(await servers.authenticate(ctx, 'not-an-id', added.secret)).to.equal(undefined);
    const [row] = await ds.query('SELECT secret_hash FROM downstream_server WHERE server_id = $1', [added.serverId]);
    expect(row.secret_hash).to.match(/^scrypt\$16384\$8\$1\$/);
    expect(row.secret_hash).to.not.contain(added.secret);
  });

  it('stops accepting a verified secret from its cache once the stored secret is replaced', async () => {
    const [a, b] = [await servers.add(ctx, 'reset-a'), await servers.add(ctx, 'reset-b')];
    expect(await servers.authenticate(ctx, a.serverId, a.secret, '10.0.0.1')).to.not.equal(undefined);
    await ds.query(
      'UPDATE downstream_server SET secret_hash = (SELECT secret_hash FROM downstream_server WHERE server_id = $2) WHERE server_id = $1',
      [a.serverId, b.serverId],
    );
    expect(await servers.authenticate(ctx, a.serverId, a.secret, '10.0.0.1')).to.equal(undefined);
    expect(await servers.authenticate(ctx, a.serverId, b.secret, '10.0.0.1')).to.not.equal(undefined);
  });

  it('puts a server in the Default channel unless told otherwise', async () => {
    expect((await servers.add(ctx, 'child-default')).channel).to.equal('Default');
  });

  it('refuses a duplicate name, whatever its case, with Conflict', async () => {
    await servers.add(ctx, 'dup');
    expect((await rejection(servers.add(ctx, 'DUP'))).code).to.equal('Conflict');
    expect((await servers.list(ctx)).filter((s) => s.name === 'dup')).to.have.length(1);
  });

  it('refuses names that are not DNS names or identifiers, and uuid-shaped names', async () => {
    for (const bad of ['', 'has space', '-lead', 'a..b', 'x'.repeat(64), 'semi;colon', '9c0e4b1e-0000-4000-8000-000000000000']) {
      expect((await rejection(servers.add(ctx, bad))).code, bad).to.equal('InvalidParameters');
    }
    expect((await rejection(servers.add(ctx, 'ok-name', ''))).code).to.equal('InvalidParameters');
  });

  it('disables and enables a server by name or id', async () => {
    const s = await servers.add(ctx, 'toggle');
    expect((await servers.disable(ctx, 'toggle')).enabled).to.equal(false);
    expect(await servers.authenticate(ctx, s.serverId, s.secret)).to.equal(undefined);
    expect((await servers.get(ctx, s.serverId)).enabled).to.equal(false);
    await servers.enable(ctx, s.serverId);
    expect((await servers.authenticate(ctx, s.serverId, s.secret))?.enabled).to.equal(true);
  });

  it('removes a server with its own rule; unknown names give NotFound', async () => {
    const s = await servers.add(ctx, 'gone');
    await availability.setRule(ctx, { kind: 'server', serverId: s.serverId }, { products: 'all', classifications: [] });
    const removed = await servers.remove(ctx, 'gone');
    expect(removed.serverId).to.equal(s.serverId);
    expect((await rejection(servers.get(ctx, 'gone'))).code).to.equal('NotFound');
    expect((await rejection(servers.remove(ctx, s.serverId))).code).to.equal('NotFound');
    expect(await servers.authenticate(ctx, s.serverId, s.secret)).to.equal(undefined);
    expect((await availability.listRules(ctx)).some((r) => r.target.kind === 'server' && r.target.serverId === s.serverId)).to.equal(false);
  });

  it('records when a server was last seen and its protocol version', async () => {
    const s = await servers.add(ctx, 'seen');
    expect(s.lastSeenAt).to.equal(null);
    const before = Date.now();
    await servers.touch(ctx, s.serverId, '1.20');
    const after = await servers.get(ctx, 'seen');
    expect(after.protocolVersion).to.equal('1.20');
    expect(after.lastSeenAt!.getTime()).to.be.within(before - 5000, Date.now() + 5000);
    expect((await rejection(servers.touch(ctx, s.serverId, 'x'))).code).to.equal('InvalidParameters');
  });

  it('moves a server to another channel', async () => {
    await servers.add(ctx, 'mover', 'A');
    expect((await servers.setChannel(ctx, 'mover', 'B')).channel).to.equal('B');
    expect((await servers.get(ctx, 'mover')).channel).to.equal('B');
  });
});
