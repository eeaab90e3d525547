import { createHash, randomUUID } from 'node:crypto';
import type { RequestContext, UnitOfWork } from '../db/unit-of-work';
import type { UpdateDocument } from '../domain/update-document';
import { StatisticsRefresh } from '../domain/statistics-refresh';
import { buildUpdateXml } from '../domain/update-xml';
import type { UpdateStoreRepository } from '../repositories/update-store.repository';

/** The classifications a synthetic catalog spreads its updates over. */
const SEED_CLASSIFICATIONS = [
  '0fa1201d-4330-4fa8-8ae9-b877473b6441',
  'e6cf1350-c01b-414d-a61f-263d14d133b4',
  'cd5ffd1e-e932-4e3a-bf74-18bf0b1bbd83',
  'e0789628-ce08-4437-be74-2495b842f43b',
];

/** SeedOptions sizes a synthetic catalog. */
export interface SeedOptions {
  revisions: number;
  products: number;
  batchSize?: number;
  onProgress?: (done: number) => void;
}

/**
 * SeedService fills the update store with a synthetic catalog (for benchmarks and demos): one company,
 * `products` products, and `revisions` software revisions spread over them, each naming one payload
 * that is not stored (children see it in metadata only).
 */
export class SeedService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly store: UpdateStoreRepository,
  ) {}

  async seed(ctx: RequestContext, opts: SeedOptions): Promise<{ revisions: number; products: string[] }> {
    const now = new Date().toISOString();
    const category = (title: string, type: 'Company' | 'Product', parent?: string): UpdateDocument => ({
      identity: { updateId: randomUUID(), revisionNumber: 1 },
      updateType: 'Category',
      categoryType: type,
      publicationState: 'Published',
      creationDate: now,
      title,
      description: '',
      categoryIds: parent ? [parent] : [],
      prerequisites: [],
      supersededUpdates: [],
      bundledUpdates: [],
      files: [],
    });
    const tag = randomUUID().slice(0, 8);
    const company = category(`Seed Corp ${tag}`, 'Company');
    const products = Array.from({ length: opts.products }, (_, i) =>
      category(`Seed Product ${tag}-${i + 1}`, 'Product', company.identity.updateId),
    );
    await this.uow.run(ctx, (m) =>
      this.store.insertRevisions(
        m,
        [company, ...products].map((doc) => ({ doc, xml: buildUpdateXml(doc) })),
      ),
    );
    const batch = opts.batchSize ?? 1000;
    const statistics = new StatisticsRefresh();
    for (let done = 0; done < opts.revisions; done += batch) {
      const docs = Array.from({ length: Math.min(batch, opts.revisions - done) }, (_, k) =>
        this.softwareUpdate(
          done + k,
          now,
          products[(done + k) % products.length].identity.updateId,
          SEED_CLASSIFICATIONS[(done + k) % SEED_CLASSIFICATIONS.length],
        ),
      );
      await this.uow.run(ctx, async (m) => {
        await this.store.insertRevisions(
          m,
          docs.map((doc) => ({ doc, xml: buildUpdateXml(doc) })),
        );
        if (statistics.due(docs.length)) await this.store.analyze(m);
      });
      opts.onProgress?.(done + docs.length);
    }
    await this.uow.run(ctx, (m) => this.store.analyze(m));
    return { revisions: opts.revisions, products: products.map((p) => p.identity.updateId) };
  }

  private softwareUpdate(i: number, now: string, productId: string, classificationId: string): UpdateDocument {
    const id = randomUUID();
    const sha1 = createHash('sha1').update(id).digest('hex');
    const sha256 = createHash('sha256').update(id).digest('hex');
    return {
      identity: { updateId: id, revisionNumber: 1 },
      updateType: 'Software',
      publicationState: 'Published',
      creationDate: now,
      title: `Synthetic update ${i + 1}`,
      description: `Seeded update number ${i + 1} for load tests.`,
      kbArticleId: String(5000000 + i),
      msrcSeverity: 'Important',
      categoryIds: [productId, classificationId],
      prerequisites: [],
      supersededUpdates: [],
      bundledUpdates: [],
      files: [{ sha1, sha256, size: 1024 + (i % 4096), fileName: `seed-${i + 1}.msu`, modified: now }],
    };
  }
}
