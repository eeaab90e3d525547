import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import type { UpdateDocument } from '../../../src/domain/update-document';
import { parseUpdateXml, parseUpdateXmlStrictly } from '../../../src/domain/update-xml';
import { ChangeLogRepository } from '../../../src/repositories/change-log.repository';
import { UpdateStoreRepository } from '../../../src/repositories/update-store.repository';
import { PublisherRepository } from '../../../src/repositories/publisher.repository';
import { PublishingService } from '../../../src/services/publishing.service';
import { UnitOfWork } from '../../../src/db/unit-of-work';
import { inTransaction, providerContext } from '../../support/services';
import { createMigratedDatabase, type TestDatabase } from '../../support/test-database';

// Issue 7 item 1: text XML cannot carry is refused with nothing stored, and no attribute is written unescaped.
describe(`${PublishingService.name}: text in update documents`, () => {
  let db: TestDatabase;
  let ds: DataSource;
  let store: UpdateStoreRepository;
  let sut: PublishingService;
  const ctx = providerContext('contoso');
  const count = async (table: string) => Number((await ds.query(`SELECT count(*) AS n FROM ${table}`))[0].n);

  before(async () => {
    ({ db, ds } = await createMigratedDatabase());
    store = new UpdateStoreRepository(new ChangeLogRepository());
    sut = new PublishingService(new UnitOfWork(ds), store, new PublisherRepository());
  });
  after(async () => {
    await ds.destroy();
    await db.drop();
  });

  for (const [name, input] of [
    ['a NUL in the title', { title: 'Tool\u0000 1.0', product: 'Contoso Tool' }],
    ['a U+0007 in the title', { title: 'Tool\u0007 1.0', product: 'Contoso Tool' }],
    ['a lone surrogate in the description', { title: 'Tool', description: 'broken \ud800 text', product: 'Contoso Tool' }],
    ['a U+FFFF in a new product', { title: 'Tool', product: 'Contoso \uffff' }],
  ] as const) {
    it(`refuses ${name} with InvalidParameters and stores nothing`, async () => {
      const before = { revisions: await count('update_revision'), log: await count('change_log'), categories: await count('category') };
      const err = await sut.publishUpdate(ctx, { ...input, classification: 'Updates' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).to.have.property('code', 'InvalidParameters');
      expect((err as Error).message).to.match(/U\+(0000|0007|D800|FFFF)/);
      expect({
        revisions: await count('update_revision'),
        log: await count('change_log'),
        categories: await count('category'),
      }).to.deep.equal(before);
    });
  }

  it('expiring writes a stored Modified attribute escaped: no attribute can be injected through it', async () => {
    const updateId = '7e1a0000-0000-4000-8000-00000000000a';
    const modified = '2026-01-01" Injected="1';
    const doc: UpdateDocument = {
      identity: { updateId, revisionNumber: 1 },
      updateType: 'Software',
      publicationState: 'Published',
      creationDate: '2026-01-01T00:00:00.000Z',
      title: 'Tool',
      description: '',
      categoryIds: [],
      prerequisites: [],
      supersededUpdates: [],
      bundledUpdates: [],
      files: [
        {
          sha1: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
          sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
          size: 4,
          fileName: 'tool.msu',
          modified,
        },
      ],
    };
    // A document as a parent may send it: the quote arrives as a reference inside the attribute.
    const xml =
      `<Update xmlns="http://schemas.microsoft.com/msus/2002/12/Update"><UpdateIdentity UpdateID="${updateId}" RevisionNumber="1"/>` +
      '<Properties UpdateType="Software" PublicationState="Published" CreationDate="2026-01-01T00:00:00.000Z"/>' +
      '<LocalizedPropertiesCollection><LocalizedProperties><Language>en</Language><Title>Tool</Title></LocalizedProperties></LocalizedPropertiesCollection>' +
      '<Files><File Digest="qUqP5cyxm6YcTAhz05Hph5gvu9M=" DigestAlgorithm="SHA1" FileName="tool.msu" Size="4" Modified="2026-01-01&quot; Injected=&quot;1">' +
      '<AdditionalDigest Algorithm="SHA256">n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=</AdditionalDigest></File></Files></Update>';
    expect(parseUpdateXml(xml).files[0].modified).to.equal(modified);
    await inTransaction(ds, (m) => store.insertRevisions(m, [{ doc, xml }]));

    const expired = await sut.expireUpdate(ctx, updateId);
    const [row] = await ds.query('SELECT xml FROM update_revision WHERE update_id = $1 AND revision_number = $2', [
      updateId,
      expired.revisionNumber,
    ]);
    expect(row.xml).not.to.contain(' Injected="1"');
    expect(parseUpdateXmlStrictly(row.xml).files[0].modified).to.equal(modified);
  });
});
