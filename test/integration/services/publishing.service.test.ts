import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { parseUpdateXml } from '../../../src/domain/update-xml';
import { PublishingService } from '../../../src/services/publishing.service';
import { providerContext, testServices } from '../../support/services';
import { createMigratedDatabase, type TestDatabase } from '../../support/test-database';

const SHA1 = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
const SHA256 = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

describe(PublishingService.name, () => {
  let db: TestDatabase;
  let ds: DataSource;
  let sut: PublishingService;
  const ctx = providerContext('contoso');
  const count = async (table: string) => Number((await ds.query(`SELECT count(*) AS n FROM ${table}`))[0].n);

  before(async () => {
    ({ db, ds } = await createMigratedDatabase());
    await ds.query(`INSERT INTO update_file (sha1, sha256, size, extension, stored_at) VALUES ($1, $2, 4, '.msu', now())`, [SHA1, SHA256]);
    sut = (await testServices(ds)).publishing;
  });
  after(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('publishes revision 1 with its product created under the company, and logs the change', async () => {
    const before = await count('change_log');
    const id = await sut.publishUpdate(ctx, {
      title: 'Tool 1.1',
      product: 'Contoso Tool',
      classification: 'Security Updates',
      kbArticleId: 'KB5000001',
      files: [{ sha1: SHA1, fileName: 'tool.msu' }],
    });
    expect(id.revisionNumber).to.equal(1);
    const [rev] = await ds.query(`SELECT * FROM update_revision WHERE update_id = $1`, [id.updateId]);
    const doc = parseUpdateXml(rev.xml);
    expect(doc.title).to.equal('Tool 1.1');
    expect(doc.kbArticleId).to.equal('5000001');
    expect(doc.files).to.deep.equal([{ sha1: SHA1, sha256: SHA256, size: 4, fileName: 'tool.msu', modified: doc.files[0].modified }]);
    const cats = await ds.query(
      `SELECT c.category_type, c.title FROM revision_category rc JOIN category c USING (category_id)
                                 WHERE rc.revision_id = $1 ORDER BY 1`,
      [rev.revision_id],
    );
    expect(cats).to.deep.equal([
      { category_type: 'Product', title: 'Contoso Tool' },
      { category_type: 'UpdateClassification', title: 'Security Updates' },
    ]);
    const [company] = await ds.query(
      `SELECT p.title FROM category c JOIN category p ON p.category_id = c.parent_category_id WHERE c.title = 'Contoso Tool'`,
    );
    expect(company.title).to.equal('contoso');
    // update + product + company category updates
    expect(await count('change_log')).to.equal(before + 3);
  });

  it('publishing the same UpdateID again makes revision 2, the only latest one', async () => {
    const first = await sut.publishUpdate(ctx, { title: 'Tool 2', product: 'Contoso Tool', classification: 'Updates' });
    const second = await sut.publishUpdate(ctx, {
      updateId: first.updateId,
      title: 'Tool 2 (fixed)',
      product: 'Contoso Tool',
      classification: 'Updates',
    });
    expect(second).to.deep.equal({ updateId: first.updateId, revisionNumber: 2 });
    const rows = await ds.query(`SELECT revision_number, is_latest FROM update_revision WHERE update_id = $1 ORDER BY 1`, [first.updateId]);
    expect(rows).to.deep.equal([
      { revision_number: 1, is_latest: false },
      { revision_number: 2, is_latest: true },
    ]);
    expect(await count(`category WHERE title = 'Contoso Tool'`)).to.equal(1);
  });

  it('expires an update as a new revision, and expiring twice changes nothing', async () => {
    const id = await sut.publishUpdate(ctx, { title: 'Old', product: 'Contoso Tool', classification: 'Updates' });
    const expired = await sut.expireUpdate(ctx, id.updateId);
    expect(expired.revisionNumber).to.equal(2);
    const [rev] = await ds.query(`SELECT publication_state, xml FROM update_revision WHERE update_id = $1 AND is_latest`, [id.updateId]);
    expect(rev.publication_state).to.equal('Expired');
    expect(parseUpdateXml(rev.xml).title).to.equal('Old');
    const log = await count('change_log');
    expect(await sut.expireUpdate(ctx, id.updateId)).to.deep.equal(expired);
    expect(await count('change_log')).to.equal(log);
  });

  const bad: Array<[string, Record<string, unknown>]> = [
    ['an unknown digest', { files: [{ sha1: 'b'.repeat(40), fileName: 'x.exe' }] }],
    ['a malformed digest', { files: [{ sha1: 'xyz', fileName: 'x.exe' }] }],
    ['an unknown classification', { classification: 'Viruses' }],
    ['no title', { title: '  ' }],
    ['a bad UpdateID', { updateId: 'not-a-guid' }],
    ['a bad supersedes', { supersededUpdates: ['nope'] }],
    ['a bad severity', { msrcSeverity: 'Apocalyptic' }],
    ['a path as file name', { files: [{ sha1: SHA1, fileName: '../x.exe' }] }],
  ];
  for (const [what, override] of bad) {
    it(`rejects ${what} with InvalidParameters and stores nothing`, async () => {
      const before = [await count('update_revision'), await count('category'), await count('change_log')];
      const input = { title: 'T', product: `Brand new ${what}`, classification: 'Updates', ...override };
      const err = await sut.publishUpdate(ctx, input as never).then(
        () => undefined,
        (e) => e,
      );
      expect(err).to.have.property('code', 'InvalidParameters');
      expect([await count('update_revision'), await count('category'), await count('change_log')]).to.deep.equal(before);
    });
  }

  it('rejects expiring an unknown update', async () => {
    const err = await sut.expireUpdate(ctx, '00000000-0000-4000-8000-000000000000').then(
      () => undefined,
      (e) => e,
    );
    expect(err).to.have.property('code', 'InvalidParameters');
  });
});
