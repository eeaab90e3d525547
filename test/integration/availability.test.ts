import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import type { EffectiveRule } from '../../src/domain/availability';
import { Catalog } from '../../src/domain/catalog';
import { DomainError } from '../../src/domain/errors';
import { ChangeLogRepository } from '../../src/repositories/change-log.repository';
import { UpdateStoreRepository } from '../../src/repositories/update-store.repository';
import type { AvailabilityService } from '../../src/services/availability.service';
import type { DownstreamServerService } from '../../src/services/downstream-server.service';
import { CLASSIFICATION, insertProduct, insertProductTree, insertUpdate, type InsertedRevision } from '../factories/catalog.factory';
import { buildDownstreamServices } from '../support/downstream-services';
import { adminContext, inTransaction } from '../support/services';
import { createMigratedDatabase, type TestDatabase } from '../support/test-database';

const ctx = adminContext();

describe('AvailabilityService on real Postgres', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let servers: DownstreamServerService;
  let availability: AvailabilityService;
  let n = 0;

  before(async () => {
    ({ db, ds } = await createMigratedDatabase());
    ({ servers, availability } = await buildDownstreamServices(ds));
  });
  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  /** unique gives each test its own names, so tests sharing the database never see each other's rows. */
  const unique = (prefix: string) => `${prefix}${++n}`;

  /** madeAvailable returns the MadeAvailable rows for a target as "updateId:revision". */
  async function madeAvailable(target: { serverId?: string; channel?: string }): Promise<string[]> {
    const rows: Array<{ update_id: string; revision_number: number }> = await ds.query(
      `SELECT update_id, revision_number FROM change_log WHERE change_kind = 'MadeAvailable'
       AND (target_server_id = $1 OR target_channel = $2) ORDER BY seq`,
      [target.serverId ?? null, target.channel ?? null],
    );
    return rows.map((r) => `${r.update_id}:${r.revision_number}`);
  }
  const keys = (revs: InsertedRevision[]) => revs.map((r) => `${r.updateId}:${r.revisionNumber}`);

  /** Two products A and B, each with a security update and a critical update. */
  async function twoProducts() {
    const a = await insertProductTree(ds, unique('A'));
    const b = await insertProductTree(ds, unique('B'));
    const aUpdates = [
      await insertUpdate(ds, { productId: a.productId, classificationId: CLASSIFICATION.security }),
      await insertUpdate(ds, { productId: a.productId, classificationId: CLASSIFICATION.critical }),
    ];
    const bUpdates = [
      await insertUpdate(ds, { productId: b.productId, classificationId: CLASSIFICATION.security }),
      await insertUpdate(ds, { productId: b.productId, classificationId: CLASSIFICATION.critical }),
    ];
    return { a, b, aUpdates, bUpdates };
  }
  const ids = (revs: InsertedRevision[]) => revs.map((r) => r.revisionId);
  const isAvailable = async (rule: EffectiveRule, revisionId: number) =>
    (await availability.filterAvailable(ctx, rule, [revisionId])).length === 1;

  it('makes everything available when no rule applies', async () => {
    const { aUpdates, bUpdates } = await twoProducts();
    const s = await servers.add(ctx, unique('free'), unique('g'));
    const rule = await availability.effectiveRule(ctx, { serverId: s.serverId, channel: s.channel });
    expect(rule).to.deep.equal({ all: true });
    expect(await availability.filterAvailable(ctx, rule, ids([...aUpdates, ...bUpdates]))).to.deep.equal(ids([...aUpdates, ...bUpdates]));
  });

  it("restricting a channel to product A serves only A's updates and writes no rows; widening to A+B writes exactly B's", async () => {
    const { a, b, aUpdates, bUpdates } = await twoProducts();
    const channel = unique('g');
    const s = await servers.add(ctx, unique('child'), channel);
    const [category] = await ds.query(`SELECT revision_id FROM update_revision WHERE update_id = $1`, [a.productId]);

    expect(
      await availability.setRule(ctx, { kind: 'channel', channel }, { products: [a.productId], classifications: 'all' }),
    ).to.deep.equal({ madeAvailable: 0 });
    const narrow = await availability.effectiveRule(ctx, { serverId: s.serverId, channel });
    const asked = [bUpdates[0].revisionId, category.revision_id, ...ids(aUpdates), bUpdates[1].revisionId];
    expect(await availability.filterAvailable(ctx, narrow, asked)).to.deep.equal([category.revision_id, ...ids(aUpdates)]);
    expect(await isAvailable(narrow, bUpdates[0].revisionId)).to.equal(false);
    expect(await madeAvailable({ channel })).to.deep.equal([]);

    const result = await availability.setRule(
      ctx,
      { kind: 'channel', channel },
      { products: [a.productId, b.productId], classifications: 'all' },
    );
    expect(result.madeAvailable).to.equal(2);
    expect(await madeAvailable({ channel }))
      .to.have.members(keys(bUpdates))
      .and.have.length(2);
    const wide = await availability.effectiveRule(ctx, { serverId: s.serverId, channel });
    expect(await availability.filterAvailable(ctx, wide, asked)).to.deep.equal(asked);

    // Setting the same rule again changes nothing and records nothing.
    expect(
      (await availability.setRule(ctx, { kind: 'channel', channel }, { products: [b.productId, a.productId], classifications: 'all' }))
        .madeAvailable,
    ).to.equal(0);
  });

  it('writes a row for the latest revision of each update only', async () => {
    const { a, b } = await twoProducts();
    const channel = unique('g');
    const first = await insertUpdate(ds, { productId: b.productId, classificationId: CLASSIFICATION.updates });
    const second = await insertUpdate(ds, {
      updateId: first.updateId,
      revisionNumber: 2,
      productId: b.productId,
      classificationId: CLASSIFICATION.updates,
    });
    await availability.setRule(ctx, { kind: 'channel', channel }, { products: [a.productId], classifications: 'all' });
    await availability.setRule(ctx, { kind: 'channel', channel }, { products: 'all', classifications: 'all' });
    const rows = await madeAvailable({ channel });
    expect(rows).to.include(`${second.updateId}:2`);
    expect(rows).to.not.include(`${first.updateId}:1`);
  });

  it('restricts by classification and records what widening the classifications adds', async () => {
    const { a, aUpdates } = await twoProducts();
    const channel = unique('g');
    await availability.setRule(ctx, { kind: 'channel', channel }, { products: [a.productId], classifications: [CLASSIFICATION.security] });
    const rule = await availability.effectiveRule(ctx, { serverId: '00000000-0000-4000-8000-000000000000', channel });
    expect(await availability.filterAvailable(ctx, rule, ids(aUpdates))).to.deep.equal([aUpdates[0].revisionId]);
    const { madeAvailable: count } = await availability.setRule(
      ctx,
      { kind: 'channel', channel },
      { products: [a.productId], classifications: [CLASSIFICATION.security, CLASSIFICATION.critical] },
    );
    expect(count).to.equal(1);
    expect(await madeAvailable({ channel })).to.deep.equal(keys([aUpdates[1]]));
  });

  it('counts products created later under a selected product family or company', async () => {
    const tree = await insertProductTree(ds, unique('Fam'));
    const channel = unique('g');
    const s = await servers.add(ctx, unique('child'), channel);
    await availability.setRule(ctx, { kind: 'channel', channel }, { products: [tree.familyId], classifications: 'all' });
    const later = await insertProduct(ds, { title: unique('Later Product'), parentId: tree.familyId });
    const update = await insertUpdate(ds, { productId: later, classificationId: CLASSIFICATION.security });
    const rule = await availability.effectiveRule(ctx, { serverId: s.serverId, channel });
    expect(await isAvailable(rule, update.revisionId)).to.equal(true);

    await availability.setRule(ctx, { kind: 'channel', channel }, { products: [tree.companyId], classifications: 'all' });
    const laterStill = await insertProduct(ds, { title: unique('Later Still'), parentId: tree.familyId });
    const update2 = await insertUpdate(ds, { productId: laterStill, classificationId: CLASSIFICATION.critical });
    expect(await isAvailable(await availability.effectiveRule(ctx, { serverId: s.serverId, channel }), update2.revisionId)).to.equal(true);
    const catalog = new Catalog(await inTransaction(ds, (tx) => new UpdateStoreRepository(new ChangeLogRepository()).listCategories(tx)));
    const offered = catalog.visibleCategoryIds(await availability.effectiveRule(ctx, { serverId: s.serverId, channel }));
    for (const id of [tree.companyId, tree.familyId, tree.productId, later, laterStill, CLASSIFICATION.security])
      expect(offered.has(id)).to.equal(true);
  });

  it("lets a server's rule override its channel's, and records its changes against the server", async () => {
    const { a, b, aUpdates, bUpdates } = await twoProducts();
    const channel = unique('g');
    const own = await servers.add(ctx, unique('own'), channel);
    const follower = await servers.add(ctx, unique('follower'), channel);
    await availability.setRule(ctx, { kind: 'channel', channel }, { products: [a.productId], classifications: 'all' });

    const result = await availability.setRule(
      ctx,
      { kind: 'server', serverId: own.serverId },
      { products: [b.productId], classifications: 'all' },
    );
    expect(result.madeAvailable).to.equal(2);
    expect(await madeAvailable({ serverId: own.serverId })).to.have.members(keys(bUpdates));
    const ownRule = await availability.effectiveRule(ctx, { serverId: own.serverId, channel });
    const followerRule = await availability.effectiveRule(ctx, { serverId: follower.serverId, channel });
    const all = ids([...aUpdates, ...bUpdates]);
    expect(await availability.filterAvailable(ctx, ownRule, all)).to.deep.equal(ids(bUpdates));
    expect(await availability.filterAvailable(ctx, followerRule, all)).to.deep.equal(ids(aUpdates));
    expect(await madeAvailable({ serverId: follower.serverId })).to.deep.equal([]);

    // Removing the server's rule returns it to its channel's rule: A's updates become available to it.
    expect((await availability.removeRule(ctx, { kind: 'server', serverId: own.serverId })).madeAvailable).to.equal(2);
    expect(await madeAvailable({ serverId: own.serverId })).to.have.members(keys([...bUpdates, ...aUpdates]));
    expect(
      await availability.filterAvailable(ctx, await availability.effectiveRule(ctx, { serverId: own.serverId, channel }), all),
    ).to.deep.equal(ids(aUpdates));
  });

  it('records what moving a server to a channel with a wider rule makes available to it', async () => {
    const { a, b, bUpdates } = await twoProducts();
    const narrow = unique('g');
    const wide = unique('g');
    await availability.setRule(ctx, { kind: 'channel', channel: narrow }, { products: [a.productId], classifications: 'all' });
    await availability.setRule(ctx, { kind: 'channel', channel: wide }, { products: [a.productId, b.productId], classifications: 'all' });
    const s = await servers.add(ctx, unique('mover'), narrow);
    await servers.setChannel(ctx, s.serverId, wide);
    expect(await madeAvailable({ serverId: s.serverId }))
      .to.have.members(keys(bUpdates))
      .and.have.length(2);
    const current = await availability.effectiveRuleOf(ctx, s.serverId);
    expect(await availability.filterAvailable(ctx, current, ids(bUpdates))).to.deep.equal(ids(bUpdates));
  });

  it('refuses unknown or wrong-kind categories and leaves the rule and change log untouched', async () => {
    const { a } = await twoProducts();
    const channel = unique('g');
    await availability.setRule(ctx, { kind: 'channel', channel }, { products: [a.productId], classifications: 'all' });
    const [{ max: before }] = await ds.query('SELECT max(seq) FROM change_log');
    const attempts = [
      { products: ['6a4e3a12-1111-4111-8111-111111111111'], classifications: 'all' as const },
      { products: [CLASSIFICATION.security], classifications: 'all' as const },
      { products: 'all' as const, classifications: [a.productId] },
      { products: ['not-a-guid'], classifications: 'all' as const },
    ];
    for (const attempt of attempts) {
      let err: unknown;
      await availability.setRule(ctx, { kind: 'channel', channel }, attempt).catch((e) => {
        err = e;
      });
      expect(err).to.be.instanceOf(DomainError);
      expect((err as DomainError).code).to.equal('InvalidParameters');
    }
    const [{ max: after }] = await ds.query('SELECT max(seq) FROM change_log');
    expect(after).to.equal(before);
    const rule = (await availability.listRules(ctx)).find((r) => r.target.kind === 'channel' && r.target.channel === channel);
    expect(rule?.products).to.deep.equal([a.productId]);
  });

  it('resolves products and classifications from GUIDs or exact titles', async () => {
    const name = unique('Res');
    const tree = await insertProductTree(ds, name);
    expect(await availability.resolveCategories(ctx, [`${name} Product`, tree.familyId.toUpperCase()], 'products')).to.deep.equal([
      tree.productId,
      tree.familyId,
    ]);
    expect(await availability.resolveCategories(ctx, ['Security Updates,Critical Updates'], 'classifications')).to.deep.equal([
      CLASSIFICATION.security,
      CLASSIFICATION.critical,
    ]);
    const fail = async (terms: string[], dim: 'products' | 'classifications') => {
      const e = await availability.resolveCategories(ctx, terms, dim).then(
        () => undefined,
        (x: DomainError) => x,
      );
      expect(e?.code).to.equal('InvalidParameters');
      return e!.message;
    };
    expect(await fail(['No Such Product'], 'products')).to.match(/unknown product "No Such Product"/);
    expect(await fail(['Security Updates'], 'products')).to.match(/UpdateClassification, not a product/);
    await insertProduct(ds, { title: `${name} Product` });
    expect(await fail([`${name} Product`], 'products')).to.match(/several products/);
  });

  it('refuses a rule for a server that does not exist', async () => {
    const e = await availability
      .setRule(ctx, { kind: 'server', serverId: '5b1b6a6e-2222-4222-8222-222222222222' }, { products: 'all', classifications: 'all' })
      .then(
        () => undefined,
        (x: DomainError) => x,
      );
    expect(e?.code).to.equal('NotFound');
  });
});
