import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { ChangeLogRepository } from '../../../src/repositories/change-log.repository';
import type { PublishingService } from '../../../src/services/publishing.service';
import { ServerSyncService } from '../../../src/services/server-sync.service';
import { downstreamContext, inTransaction, providerContext, testServices } from '../../support/services';
import { createMigratedDatabase, type TestDatabase } from '../../support/test-database';

const SECURITY = '0fa1201d-4330-4fa8-8ae9-b877473b6441';
const CRITICAL = 'e6cf1350-c01b-414d-a61f-263d14d133b4';

describe(ServerSyncService.name, () => {
  let db: TestDatabase;
  let ds: DataSource;
  let publishing: PublishingService;
  let sut: ServerSyncService;
  const warmed: string[][] = [];
  const everything = downstreamContext({ serverId: '5b0d7a0e-1111-4222-8333-944455556666', channel: 'Default', rule: { all: true } });
  const provider = providerContext('Fabrikam');
  const publish = (title: string, product: string, classification = 'Security Updates', updateId?: string) =>
    publishing.publishUpdate(provider, { title, product, classification, updateId });
  const productId = async (title: string) =>
    (await ds.query(`SELECT category_id FROM category WHERE title = $1`, [title]))[0].category_id as string;
  const sorted = (ids: Array<{ updateId: string; revisionNumber: number }>) =>
    [...ids].sort((a, b) => a.updateId.localeCompare(b.updateId));

  before(async () => {
    ({ db, ds } = await createMigratedDatabase());
    const services = await testServices(ds, {
      warmer: {
        warm: async (_ctx, s: string[]) => {
          warmed.push(s);
        },
      },
    });
    ({ publishing, serverSync: sut } = services);
  });
  after(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('a delta from the last anchor carries exactly the updates published or expired since', async () => {
    await publish('Base', 'Fabrikam Reader');
    const first = await sut.getRevisionIdList(everything, { getConfig: false, categories: [], classifications: [] });
    expect(first.anchor).to.match(/^\d+,\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
    const a = await publish('A', 'Fabrikam Reader');
    const b = await publish('B', 'Fabrikam Reader');
    const expired = await publishing.expireUpdate(provider, a.updateId);
    const c = await publish('C', 'Fabrikam Writer');
    const delta = await sut.getRevisionIdList(everything, { anchor: first.anchor, getConfig: false, categories: [], classifications: [] });
    expect(sorted(delta.revisions)).to.deep.equal(sorted([expired, b, c]));
    const again = await sut.getRevisionIdList(everything, { anchor: delta.anchor, getConfig: false, categories: [], classifications: [] });
    expect(again.revisions).to.deep.equal([]);
  });

  it('GetConfig=true lists category updates: the 16 classifications and the products with their companies', async () => {
    const list = await sut.getRevisionIdList(everything, { getConfig: true, categories: [], classifications: [] });
    const ids = new Set(list.revisions.map((r) => r.updateId));
    expect(ids.has(SECURITY)).to.equal(true);
    expect(ids.has(await productId('Fabrikam Reader'))).to.equal(true);
    expect(ids.has(await productId('Fabrikam'))).to.equal(true);
    expect(list.revisions.length).to.equal(16 + 3);
  });

  it('Delta=false for a category returns its whole history; Delta=true only the changes', async () => {
    const reader = await productId('Fabrikam Reader');
    const now = await sut.getRevisionIdList(everything, { getConfig: false, categories: [], classifications: [] });
    const d = await publish('D', 'Fabrikam Reader', 'Critical Updates');
    const delta = await sut.getRevisionIdList(everything, {
      anchor: now.anchor,
      getConfig: false,
      categories: [{ id: reader, delta: true }],
      classifications: [
        { id: SECURITY, delta: true },
        { id: CRITICAL, delta: true },
      ],
    });
    expect(delta.revisions).to.deep.equal([d]);
    const full = await sut.getRevisionIdList(everything, {
      anchor: now.anchor,
      getConfig: false,
      categories: [{ id: reader, delta: false }],
      classifications: [
        { id: SECURITY, delta: true },
        { id: CRITICAL, delta: true },
      ],
    });
    const titles = await ds.query(
      `SELECT title FROM update_revision r JOIN unnest($1::uuid[], $2::int[]) AS q(u, n)
      ON r.update_id = q.u AND r.revision_number = q.n ORDER BY title`,
      [full.revisions.map((r) => r.updateId), full.revisions.map((r) => r.revisionNumber)],
    );
    expect(titles.map((t: { title: string }) => t.title)).to.deep.equal(['A', 'B', 'Base', 'D']);
  });

  it('a scope limits what a downstream sees, and a logged availability change reaches only its target', async () => {
    const writer = await productId('Fabrikam Writer');
    const reader = await productId('Fabrikam Reader');
    const limited = downstreamContext({
      serverId: 'aaaaaaaa-1111-4222-8333-944455556666',
      channel: 'Branch',
      rule: { all: false, productIds: new Set([reader]), classificationIds: new Set([SECURITY, CRITICAL]) },
    });
    const start = await sut.getRevisionIdList(limited, { getConfig: false, categories: [], classifications: [] });
    const catalog = await sut.getCatalog(limited);
    expect(catalog.products.map((p) => p.title)).to.deep.equal(['Fabrikam']);
    expect(catalog.products[0].children.map((p) => p.title)).to.deep.equal(['Fabrikam Reader']);
    expect(catalog.classifications.map((c) => c.title)).to.deep.equal(['Critical Updates', 'Security Updates']);
    const writerUpdates = await ds.query(
      `SELECT r.update_id, r.revision_number FROM update_revision r JOIN revision_category c USING (revision_id)
      WHERE c.category_id = $1 AND r.is_latest`,
      [writer],
    );
    expect(start.revisions.some((r) => writerUpdates.some((w: { update_id: string }) => w.update_id === r.updateId))).to.equal(false);

    const ids = writerUpdates.map((w: { update_id: string; revision_number: number }) => ({
      updateId: w.update_id,
      revisionNumber: w.revision_number,
    }));
    await inTransaction(ds, (m) => new ChangeLogRepository().appendMadeAvailable(m, ids, { channel: 'Branch' }));
    const widened = downstreamContext({
      ...limited.downstream,
      rule: { all: false, productIds: new Set([reader, writer]), classificationIds: new Set([SECURITY, CRITICAL]) },
    });
    const next = await sut.getRevisionIdList(widened, { anchor: start.anchor, getConfig: false, categories: [], classifications: [] });
    expect(sorted(next.revisions)).to.deep.equal(sorted(ids));
    const other = await sut.getRevisionIdList(downstreamContext({ ...everything.downstream, channel: 'Elsewhere' }), {
      anchor: start.anchor,
      getConfig: false,
      categories: [],
      classifications: [],
    });
    expect(other.revisions).to.deep.equal([]);
  });

  it('GetUpdateData returns each document and refuses unknown, unavailable or too many identities', async () => {
    const e = await publish('E', 'Fabrikam Reader');
    const data = await sut.getUpdateData(everything, [e, e]);
    expect(data.updates.map((u) => u.id)).to.deep.equal([e, e]);
    expect(data.updates[0].xml).to.contain('<upd:Title>E</upd:Title>');
    const unknown = { updateId: '00000000-0000-4000-8000-000000000000', revisionNumber: 1 };
    for (const ids of [[unknown], [{ ...e, revisionNumber: 99 }], [], Array(101).fill(e)]) {
      const err = await sut.getUpdateData(everything, ids).then(
        () => undefined,
        (x) => x,
      );
      expect(err).to.have.property('code', 'InvalidParameters');
    }
    const writerOnly = downstreamContext({
      ...everything.downstream,
      rule: { all: false, productIds: new Set([await productId('Fabrikam Writer')]), classificationIds: new Set([SECURITY]) },
    });
    const hidden = await sut.getUpdateData(writerOnly, [e]).then(
      () => undefined,
      (x) => x,
    );
    expect(hidden).to.have.property('code', 'InvalidParameters');
  });

  it('rejects malformed anchors and half filters, and reports ServerChanged for an anchor from the future', async () => {
    for (const filter of [
      { anchor: 'garbage', getConfig: false, categories: [], classifications: [] },
      { getConfig: false, categories: [{ id: SECURITY, delta: true }], classifications: [] },
      { getConfig: false, categories: [{ id: 'nope', delta: true }], classifications: [{ id: SECURITY, delta: true }] },
    ]) {
      const err = await sut.getRevisionIdList(everything, filter).then(
        () => undefined,
        (x) => x,
      );
      expect(err).to.have.property('code', 'InvalidParameters');
    }
    const future = await sut
      .getRevisionIdList(everything, { anchor: '999999,2026-01-01 00:00:00.000', getConfig: false, categories: [], classifications: [] })
      .then(
        () => undefined,
        (x) => x,
      );
    expect(future).to.have.property('code', 'ServerChanged');
  });

  it('DownloadFiles accepts 1..100 known digests and names the missing ones', async () => {
    const sha1 = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
    await ds.query(`INSERT INTO update_file (sha1, sha256, size) VALUES ($1, $2, 4)`, [sha1, '0'.repeat(64)]);
    await sut.downloadFiles(everything, [sha1]);
    expect(warmed).to.deep.equal([[sha1]]);
    const missing = await sut.downloadFiles(everything, ['b'.repeat(40)]).then(
      () => undefined,
      (x) => x,
    );
    expect(missing).to.have.property('code', 'FileDigestsMissing');
    expect(missing.message).to.equal(Buffer.from('b'.repeat(40), 'hex').toString('base64'));
    const tooMany = await sut.downloadFiles(everything, Array(101).fill(sha1)).then(
      () => undefined,
      (x) => x,
    );
    expect(tooMany).to.have.property('code', 'InvalidParameters');
  });
});
