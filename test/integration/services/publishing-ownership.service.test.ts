import { expect } from 'chai';
import type { DataSource } from 'typeorm';
import { DomainError } from '../../../src/domain/errors';
import { parseUpdateXml } from '../../../src/domain/update-xml';
import { ChangeLogRepository } from '../../../src/repositories/change-log.repository';
import { UpdateStoreRepository } from '../../../src/repositories/update-store.repository';
import { PublisherRepository } from '../../../src/repositories/publisher.repository';
import { PublishingService } from '../../../src/services/publishing.service';
import { UnitOfWork } from '../../../src/db/unit-of-work';
import { providerContext } from '../../support/services';
import { createMigratedDatabase, type TestDatabase } from '../../support/test-database';

const FILES = [
  { sha1: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3', sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' },
  { sha1: '62cdb7020ff920e5aa642c3d4066950dd1f01f4d', sha256: 'fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9' },
];

describe(`${PublishingService.name}: files across revisions, and updates owned upstream`, () => {
  let db: TestDatabase;
  let ds: DataSource;
  const ctx = providerContext('contoso');
  const base = { title: 'Tool', product: 'Contoso Tool', classification: 'Updates' };
  const upstream = { current: async () => ({ url: 'http://root.example:8530' }) };
  let sut: PublishingService;
  const filesOf = async (updateId: string, revisionNumber: number) => {
    const [r] = await ds.query(`SELECT xml FROM update_revision WHERE update_id = $1 AND revision_number = $2`, [updateId, revisionNumber]);
    return parseUpdateXml(r.xml).files.map((f) => [f.sha1, f.fileName]);
  };
  const refusal = async (work: Promise<unknown>) => {
    const err = await work.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).to.be.instanceOf(DomainError);
    return err as DomainError;
  };

  before(async () => {
    ({ db, ds } = await createMigratedDatabase());
    for (const f of FILES)
      await ds.query(`INSERT INTO update_file (sha1, sha256, size, extension, stored_at) VALUES ($1, $2, 4, '.msu', now())`, [
        f.sha1,
        f.sha256,
      ]);
    sut = new PublishingService(
      new UnitOfWork(ds),
      new UpdateStoreRepository(new ChangeLogRepository()),
      new PublisherRepository(),
      undefined,
      upstream,
    );
  });
  after(async () => {
    await ds.destroy();
    await db.drop();
  });

  it('keeps the files when a new revision names none, replaces them when it names others, removes them on an empty list', async () => {
    const { updateId } = await sut.publishUpdate(ctx, { ...base, files: [{ sha1: FILES[0].sha1, fileName: 'tool-1.msu' }] });
    await sut.publishUpdate(ctx, { ...base, updateId, title: 'Tool (re-release)' });
    expect(await filesOf(updateId, 2)).to.deep.equal([[FILES[0].sha1, 'tool-1.msu']]);
    await sut.publishUpdate(ctx, { ...base, updateId, files: [{ sha1: FILES[1].sha1, fileName: 'tool-2.msu' }] });
    expect(await filesOf(updateId, 3)).to.deep.equal([[FILES[1].sha1, 'tool-2.msu']]);
    await sut.publishUpdate(ctx, { ...base, updateId, files: [] });
    expect(await filesOf(updateId, 4)).to.deep.equal([]);
    const expired = await sut.expireUpdate(ctx, updateId);
    expect(await filesOf(updateId, expired.revisionNumber)).to.deep.equal([]);
  });

  it('refuses to publish or expire an update owned upstream, naming the owner, and stores nothing', async () => {
    const { updateId } = await sut.publishUpdate(ctx, { ...base, files: [{ sha1: FILES[0].sha1, fileName: 'tool-1.msu' }] });
    await ds.query(`UPDATE "update" SET origin = 'upstream' WHERE update_id = $1`, [updateId]);
    const count = async () =>
      (await ds.query(`SELECT (SELECT count(*) FROM update_revision)::int AS r, (SELECT count(*) FROM change_log)::int AS c`))[0];
    const before = await count();
    const published = await refusal(sut.publishUpdate(ctx, { ...base, updateId }));
    expect(published.code).to.equal('InvalidParameters');
    expect(published.message).to.equal(
      `update ${updateId} is owned by the upstream server http://root.example:8530: it arrived by sync, ` +
        'so only that server may publish its revisions; publish it there',
    );
    const expired = await refusal(sut.expireUpdate(ctx, updateId));
    expect(expired.code).to.equal('InvalidParameters');
    expect(expired.message).to.contain('only that server may expire its revisions');
    expect(await count()).to.deep.equal(before);
  });
});
