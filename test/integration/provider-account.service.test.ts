import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { migrateUp } from '../../src/db/migrator';
import { DomainError } from '../../src/domain/errors';
import { ProviderAccountService } from '../../src/services/provider-account.service';
import { adminContext, testServices } from '../support/services';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

async function failure(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('expected a DomainError');
}

const ctx = adminContext();

describe(ProviderAccountService.name, () => {
  let db: TestDatabase;
  let ds: DataSource;
  let sut: ProviderAccountService;
  before(async () => {
    db = await createTestDatabase();
    ds = await createDataSource({ url: db.url }, 2).initialize();
    await migrateUp(ds);
    sut = (await testServices(ds)).providerAccounts;
  });
  after(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('adds an account whose password authenticates and is stored only as a scrypt hash', async () => {
    const { account, password } = await sut.add(ctx, 'Contoso.Tools_1');
    expect(account).to.include({ name: 'Contoso.Tools_1', disabled: false });
    expect((await sut.authenticate(ctx, 'Contoso.Tools_1', password))?.providerId).to.equal(account.providerId);
    const [row] = await ds.query(`SELECT secret_hash FROM software_provider WHERE name = 'Contoso.Tools_1'`);
    expect(row.secret_hash).to.match(/^scrypt\$16384\$8\$1\$/);
    expect(row.secret_hash).to.not.include(password);
  });

  it('rejects a bad name (InvalidParameters) and a taken one (Conflict)', async () => {
    for (const name of ['', '-x', 'a b', 'a/b', 'x'.repeat(129), 'é']) {
      expect((await failure(sut.add(ctx, name))).code, name).to.equal('InvalidParameters');
    }
    await sut.add(ctx, 'taken');
    expect((await failure(sut.add(ctx, 'taken'))).code).to.equal('Conflict');
  });

  it('refuses a wrong password, an unknown name and a disabled account', async () => {
    const { password } = await sut.add(ctx, 'fabrikam');
    expect(await sut.authenticate(ctx, 'fabrikam', `${password}!`)).to.equal(undefined);
    expect(await sut.authenticate(ctx, 'nobody', password)).to.equal(undefined);
    expect(await sut.authenticate(ctx, '../fabrikam', password)).to.equal(undefined);
    await sut.disable(ctx, 'fabrikam');
    expect(await sut.authenticate(ctx, 'fabrikam', password)).to.equal(undefined);
    expect((await sut.list(ctx)).find((a) => a.name === 'fabrikam')?.disabled).to.equal(true);
    expect((await failure(sut.disable(ctx, 'nobody'))).code).to.equal('NotFound');
  });
});
