import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { requestContext, SecondConnectionError, UnitOfWork } from '../../src/db/unit-of-work';
import { DomainError } from '../../src/domain/errors';
import { createMigratedDatabase, type TestDatabase } from '../support/test-database';

describe(UnitOfWork.name, () => {
  let db: TestDatabase;
  let ds: DataSource;
  let sut: UnitOfWork;
  const ctx = requestContext({ kind: 'admin' });

  before(async () => {
    ({ db, ds } = await createMigratedDatabase());
    sut = new UnitOfWork(ds);
  });
  after(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('refuses at once a query on another connection while the call chain holds a transaction', async () => {
    const err = await sut
      .run(ctx, async (tx) => {
        await tx.tx.query('SELECT 1');
        return ds.query('SELECT 1');
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).to.be.instanceOf(SecondConnectionError);
    // A second unit of work opened from inside, instead of joining, is refused the same way.
    const nested = await sut
      .run(ctx, () => sut.run(requestContext({ kind: 'node' }), async () => 1))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(nested).to.be.instanceOf(SecondConnectionError);
  });

  it("joins the caller's transaction, rolls it back whole on failure, and lets queries run once it has ended", async () => {
    const key = `uow-${Date.now()}`;
    const failed = await sut
      .run(ctx, async (tx) => {
        await tx.tx.query(`INSERT INTO node_setting (key, value) VALUES ($1, 'a')`, [key]);
        await sut.run(tx, (joined) => joined.tx.query(`INSERT INTO node_setting (key, value) VALUES ($1, 'b')`, [`${key}-2`]));
        throw new Error('use case failed');
      })
      .then(
        () => undefined,
        (e: Error) => e.message,
      );
    expect(failed).to.equal('use case failed');
    expect(await ds.query(`SELECT key FROM node_setting WHERE key LIKE $1`, [`${key}%`])).to.deep.equal([]);
    let later: Promise<unknown> | undefined;
    await sut.run(ctx, async () => {
      // Work started inside but running after the commit (a background fetch) is not refused.
      later = new Promise((resolve) => setTimeout(resolve, 50)).then(() => ds.query('SELECT 1 AS one'));
    });
    expect(await later).to.deep.equal([{ one: 1 }]);
  });

  it('answers ServerBusy when the pool has no connection free within its wait, instead of waiting on', async () => {
    const small = await createDataSource({ url: db.url }, 1, 300).initialize();
    try {
      const uow = new UnitOfWork(small);
      let release!: () => void;
      const holding = uow.run(ctx, () => new Promise<void>((resolve) => (release = resolve)));
      const started = Date.now();
      const err = await uow.run(requestContext({ kind: 'node' }), async () => 1).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(DomainError);
      expect((err as DomainError).code).to.equal('ServerBusy');
      expect((err as Error).message).to.match(/retry after \d+ seconds/);
      expect(Date.now() - started).to.be.below(5000);
      release();
      await holding;
      expect(await uow.run(ctx, async () => 2)).to.equal(2);
    } finally {
      await small.destroy();
    }
  });
});
