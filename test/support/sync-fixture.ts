import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import type { UpdateDocument, UpdateIdentity } from '../../src/domain/update-document';
import { buildUpdateXml } from '../../src/domain/update-xml';
import { ChangeLogRepository } from '../../src/repositories/change-log.repository';
import { UpdateStoreRepository } from '../../src/repositories/update-store.repository';
import { addDownstream } from './downstream-client';
import { startNodeProcess, type NodeProcess } from './node-process';
import { inTransaction, providerContext, testServices } from './services';
import { createTestDatabase, type TestDatabase } from './test-database';

/** The payload the first fixture update names; its update_file row is written directly (uploads are not this branch's concern). */
export const FIXTURE_PAYLOAD = (() => {
  const bytes = Buffer.from('Cascade fixture payload\n');
  return {
    sha1: createHash('sha1').update(bytes).digest('hex'),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    size: bytes.length,
    extension: '.cab',
  };
})();

/**
 * FIXTURE_CATEGORIES are the company and products the fixture updates belong to. They are stored up front with
 * fixed ids, as PublishingService would create them, because revision lists are ordered by UpdateID.
 */
export const FIXTURE_CATEGORIES = {
  company: { id: '7c0a0000-0000-4000-8000-00000000c0de', title: 'Northwind' },
  editor: { id: '7c0a0001-0000-4000-8000-00000000c0de', title: 'Northwind Editor' },
  viewer: { id: '7c0a0002-0000-4000-8000-00000000c0de', title: 'Northwind Viewer' },
} as const;

/**
 * FIXTURE_UPDATES are the software updates every sync fixture publishes, with fixed UpdateIDs. The third
 * title carries markup characters and non-ASCII text, so clients must undo two levels of XML escaping
 * (the update document inside the SOAP text) and decode UTF-8.
 */
export const FIXTURE_UPDATES = [
  {
    updateId: '5e1b0001-0000-4000-8000-000000000001',
    title: 'Northwind Editor 4.2 Security Update',
    product: 'Northwind Editor',
    classification: 'Security Updates',
    kbArticleId: '5000001',
    msrcSeverity: 'Important',
    files: [{ sha1: FIXTURE_PAYLOAD.sha1, fileName: 'editor-4.2-kb5000001.cab' }],
  },
  {
    updateId: '5e1b0002-0000-4000-8000-000000000002',
    title: 'Northwind Editor 4.2 Update',
    product: 'Northwind Editor',
    classification: 'Updates',
  },
  {
    updateId: '5e1b0003-0000-4000-8000-000000000003',
    title: 'Northwind Viewer fix for <Ærø> & “quoted” paths',
    product: 'Northwind Viewer',
    classification: 'Critical Updates',
  },
] as const;

/** The fixed time the fixture's revisions are created at, so update documents are byte-for-byte stable. */
export const FIXTURE_TIME = new Date('2026-03-01T08:00:00.000Z');

/** A node process on a fresh database holding the fixture updates, and one registered downstream server. */
export interface SyncFixture {
  db: TestDatabase;
  node: NodeProcess;
  ds: DataSource;
  downstream: { id: string; secret: string };
  published: UpdateIdentity[];
  close(): Promise<void>;
}

/** startSyncFixture starts a node on a fresh database, publishes FIXTURE_UPDATES as provider "Northwind" and registers a downstream server. */
export async function startSyncFixture(): Promise<SyncFixture> {
  const db = await createTestDatabase();
  let node: NodeProcess | undefined;
  let ds: DataSource | undefined;
  try {
    node = await startNodeProcess({ DATABASE_URL: db.url });
    ds = await createDataSource({ url: db.url }).initialize();
    await ds.query(`INSERT INTO update_file (sha1, sha256, size, extension, stored_at) VALUES ($1, $2, $3, $4, now())`, [
      FIXTURE_PAYLOAD.sha1,
      FIXTURE_PAYLOAD.sha256,
      FIXTURE_PAYLOAD.size,
      FIXTURE_PAYLOAD.extension,
    ]);
    const store = new UpdateStoreRepository(new ChangeLogRepository());
    const { company, editor, viewer } = FIXTURE_CATEGORIES;
    await inTransaction(ds, (m) =>
      store.insertRevisions(m, [
        categoryRevision(company.id, 'Company', company.title, null),
        categoryRevision(editor.id, 'Product', editor.title, company.id),
        categoryRevision(viewer.id, 'Product', viewer.title, company.id),
      ]),
    );
    const { publishing } = await testServices(ds, { clock: () => FIXTURE_TIME });
    const published: UpdateIdentity[] = [];
    for (const u of FIXTURE_UPDATES) {
      published.push(await publishing.publishUpdate(providerContext('Northwind'), { ...u, files: 'files' in u ? [...u.files] : [] }));
    }
    const downstream = await addDownstream({ DATABASE_URL: db.url }, 'child.example');
    const [started, opened] = [node, ds];
    return {
      db,
      node,
      ds,
      downstream,
      published,
      close: async () => {
        await opened.destroy();
        await started.stop();
        await db.drop();
      },
    };
  } catch (err) {
    await ds?.destroy();
    await node?.stop();
    await db.drop();
    throw err;
  }
}

function categoryRevision(id: string, categoryType: 'Company' | 'Product', title: string, parentId: string | null) {
  const doc: UpdateDocument = {
    identity: { updateId: id, revisionNumber: 1 },
    updateType: 'Category',
    categoryType,
    publicationState: 'Published',
    creationDate: FIXTURE_TIME.toISOString(),
    title,
    description: '',
    categoryIds: parentId ? [parentId] : [],
    prerequisites: [],
    supersededUpdates: [],
    bundledUpdates: [],
    files: [],
  };
  return { doc, xml: buildUpdateXml(doc) };
}
