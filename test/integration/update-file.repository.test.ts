import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { migrateUp } from '../../src/db/migrator';
import { inTransaction } from '../support/services';
import { UpdateFileRepository } from '../../src/repositories/update-file.repository';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';

describe(UpdateFileRepository.name, () => {
  let db: TestDatabase;
  let ds: DataSource;
  let sut: UpdateFileRepository;
  before(async () => {
    db = await createTestDatabase();
    ds = await createDataSource({ url: db.url }, 2).initialize();
    await migrateUp(ds);
    sut = new UpdateFileRepository();
  });
  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('records a stored payload, updates it on a second store, and finds it', async () => {
    const file = { sha1: 'a'.repeat(40), sha256: 'b'.repeat(64), size: 5_000_000_000, extension: '.exe' };
    await inTransaction(ds, (tx) => sut.recordStored(tx, file));
    const first = await inTransaction(ds, (tx) => sut.findBySha1(tx, file.sha1));
    expect(first).to.include({ sha256: file.sha256, size: '5000000000', extension: '.exe' });
    expect(first?.storedAt).to.be.instanceOf(Date);
    // stored_at has millisecond precision here: store again once the (shared) clock has moved past it.
    await waitFor('the clock to pass the first stored_at', () => Date.now() > first!.storedAt!.getTime(), { intervalMs: 1 });
    await inTransaction(ds, (tx) => sut.recordStored(tx, { ...file, extension: '.msi' }));
    const second = await inTransaction(ds, (tx) => sut.findBySha1(tx, file.sha1));
    expect(second?.extension).to.equal('.msi');
    expect(second!.storedAt!.getTime()).to.be.greaterThan(first!.storedAt!.getTime());
    expect(second!.createdAt.getTime()).to.equal(first!.createdAt.getTime());
  });

  it('finds many by SHA-1, skipping unknown ones', async () => {
    await inTransaction(ds, (tx) => sut.recordStored(tx, { sha1: 'c'.repeat(40), sha256: 'd'.repeat(64), size: 1, extension: '' }));
    const rows = await inTransaction(ds, (tx) => sut.findMany(tx, ['a'.repeat(40), 'c'.repeat(40), 'e'.repeat(40)]));
    expect(rows.map((r) => r.sha1).sort()).to.deep.equal(['a'.repeat(40), 'c'.repeat(40)]);
    expect(await inTransaction(ds, (tx) => sut.findMany(tx, []))).to.deep.equal([]);
    expect(await inTransaction(ds, (tx) => sut.findBySha1(tx, 'f'.repeat(40)))).to.equal(undefined);
  });
});
