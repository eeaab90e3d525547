import type { ContentPolicy } from '../config/config';
import type { RequestContext, TxContext, UnitOfWork } from '../db/unit-of-work';
import { StatisticsRefresh } from '../domain/statistics-refresh';
import type { SyncCounts } from '../domain/sync-counts';
import type { UpdateIdentity } from '../domain/update-document';
import { parseUpdateXml } from '../domain/update-xml';
import type { Logger } from '../lib/logger';
import { orderedPipeline } from '../lib/ordered-pipeline';
import type { NodeSettingRepository } from '../repositories/node-setting.repository';
import type { RevisionToStore, UpdateStoreRepository } from '../repositories/update-store.repository';
import type { UpstreamSubscriptionRepository } from '../repositories/upstream-subscription.repository';
import type { UpstreamCategory, UpstreamClient, UpstreamFilter } from '../clients/upstream-client';

/** Keys of the sync state kept in node_setting. */
export const SYNC_KEYS = {
  configAnchor: 'sync.config-anchor',
  categoryAnchor: 'sync.category-anchor',
  updateAnchor: 'sync.update-anchor',
  catalog: 'sync.upstream-catalog',
} as const;

/** Where a run is, for a progress bar. */
export type SyncProgress = (step: string, done: number, total: number) => void;

/** PayloadPrefetcher fetches payloads ahead of need (the `immediate` content policy). */
export interface PayloadPrefetcher {
  prefetch(ctx: RequestContext, sha1s: string[], opts: { concurrency: number }): Promise<{ fetched: number; failed: number }>;
}

/** What a SyncRun needs. */
export interface SyncRunDeps {
  uow: UnitOfWork;
  client: UpstreamClient;
  store: UpdateStoreRepository;
  settings: NodeSettingRepository;
  subscriptions: UpstreamSubscriptionRepository;
  contentPolicy: ContentPolicy;
  prefetcher?: PayloadPrefetcher;
  log: Logger;
  onProgress?: SyncProgress;
}

/** Revisions written per transaction; while one is stored, the next chunk's GetUpdateData batches and FETCH_CONCURRENCY more are fetched. */
const IMPORT_CHUNK = 1000;
/** Identities checked against the store per query (a long list as one array parameter costs memory). */
const LOOKUP_CHUNK = 5000;
/** GetUpdateData calls kept in flight at once. */
const FETCH_CONCURRENCY = 4;

/**
 * SyncRun is one sync of this node from its parent, as the named steps of MS-WSUSSS 3.2.4 in order:
 * authorize → config → catalog → categories → updates → content. Revisions are written idempotently
 * in chunks; each anchor is written in the transaction of the last chunk it covers, so a crash at any
 * point leaves the node where the next run resumes, with nothing lost or stored twice.
 */
export class SyncRun {
  readonly counts: SyncCounts = { revisionsListed: 0, revisionsTransferred: 0, revisionsImported: 0, filesPrefetched: 0 };
  private maxPerRequest = 100;
  private catalogTree?: { products: UpstreamCategory[]; classifications: UpstreamCategory[] };
  /** Revisions stored by this run, kept only when the content step will prefetch their payloads. */
  private readonly imported: UpdateIdentity[] = [];
  private readonly statistics = new StatisticsRefresh();

  constructor(
    private readonly ctx: RequestContext,
    private readonly d: SyncRunDeps,
  ) {}

  async run(): Promise<SyncCounts> {
    await this.authorize();
    await this.config();
    await this.catalog();
    await this.categories();
    await this.updates();
    await this.content();
    return this.counts;
  }

  private async authorize(): Promise<void> {
    this.progress('authorize', 0, 1);
    await this.d.client.authorize();
  }

  /** tx runs one step's reads or writes in a unit of work of their own (never across a call to the parent). */
  private tx<T>(fn: (tx: TxContext) => Promise<T>): Promise<T> {
    return this.d.uow.run(this.ctx, fn);
  }

  private async config(): Promise<void> {
    const anchor = await this.tx((tx) => this.d.settings.get(tx, SYNC_KEYS.configAnchor));
    const config = await this.d.client.getConfigData(anchor);
    this.maxPerRequest = Math.max(1, Math.min(config.maxUpdatesPerRequest, 100));
    await this.tx((tx) => this.d.settings.set(tx, SYNC_KEYS.configAnchor, config.configAnchor));
  }

  private async catalog(): Promise<void> {
    this.catalogTree = await this.d.client.getCatalog();
    await this.tx((tx) => this.d.settings.set(tx, SYNC_KEYS.catalog, JSON.stringify(this.catalogTree)));
  }

  private async categories(): Promise<void> {
    const anchor = await this.tx((tx) => this.d.settings.get(tx, SYNC_KEYS.categoryAnchor));
    const list = await this.d.client.getRevisionIdList({ anchor, getConfig: true, categories: [], classifications: [] });
    await this.importRevisions('categories', list.revisions, async (m) => this.d.settings.set(m, SYNC_KEYS.categoryAnchor, list.anchor));
  }

  private async updates(): Promise<void> {
    const { subscribed, anchor } = await this.tx(async (tx) => ({
      subscribed: await this.d.subscriptions.list(tx),
      anchor: await this.d.settings.get(tx, SYNC_KEYS.updateAnchor),
    }));
    const filter = updateFilter(anchor, subscribed, this.catalogTree!);
    const list = await this.d.client.getRevisionIdList(filter);
    await this.importRevisions('updates', list.revisions, async (m) => {
      await this.d.settings.set(m, SYNC_KEYS.updateAnchor, list.anchor);
      await this.d.subscriptions.markFullSyncDone(
        m,
        subscribed.map((s) => s.categoryId),
      );
    });
  }

  private async content(): Promise<void> {
    if (this.d.contentPolicy !== 'immediate' || !this.d.prefetcher || !this.imported.length) return;
    const sha1s = await this.tx((m) => this.d.store.unstoredFilesOf(m, this.imported));
    this.progress('content', 0, sha1s.length);
    const r = await this.d.prefetcher.prefetch(this.ctx, sha1s, { concurrency: 4 });
    this.counts.filesPrefetched = r.fetched;
    this.progress('content', sha1s.length, sha1s.length);
    if (r.failed) this.d.log.warn({ failed: r.failed }, 'some payloads could not be prefetched; they will be fetched on demand');
  }

  /**
   * importRevisions fetches the listed revisions this node lacks with GetUpdateData and stores them in chunks,
   * running `finish` (the anchor) in the transaction of the last chunk. Fetching and parsing run ahead of
   * storing, within bounds; chunks are stored one transaction at a time, in order.
   */
  private async importRevisions(step: string, listed: UpdateIdentity[], finish: (m: TxContext) => Promise<void>): Promise<void> {
    this.counts.revisionsListed += listed.length;
    const missing: UpdateIdentity[] = [];
    for (let i = 0; i < listed.length; i += LOOKUP_CHUNK) {
      missing.push(...(await this.tx((m) => this.d.store.missingIdentities(m, listed.slice(i, i + LOOKUP_CHUNK)))));
    }
    this.progress(step, 0, missing.length);
    if (!missing.length) return this.tx(finish);
    const batches: UpdateIdentity[][] = [];
    for (let i = 0; i < missing.length; i += this.maxPerRequest) batches.push(missing.slice(i, i + this.maxPerRequest));
    let pending: RevisionToStore[] = [];
    let done = 0;
    const bounds = { inFlight: FETCH_CONCURRENCY, ahead: Math.ceil(IMPORT_CHUNK / this.maxPerRequest) + FETCH_CONCURRENCY };
    await orderedPipeline(
      batches.length,
      bounds,
      (i) => this.fetchBatch(batches[i]),
      async (batch, i) => {
        pending.push(...batch);
        done += batch.length;
        const last = i === batches.length - 1;
        if (pending.length >= IMPORT_CHUNK || last) {
          const chunk = pending;
          pending = [];
          await this.tx(async (m) => {
            await this.store(m, chunk);
            if (last) await finish(m);
          });
        }
        this.progress(step, done, missing.length);
      },
    );
  }

  private async fetchBatch(ids: UpdateIdentity[]): Promise<RevisionToStore[]> {
    const data = await this.d.client.getUpdateData(ids);
    this.counts.revisionsTransferred += data.length;
    return data.map((u) => {
      const doc = parseUpdateXml(u.xml);
      if (doc.identity.updateId !== u.id.updateId || doc.identity.revisionNumber !== u.id.revisionNumber) {
        throw new Error(
          `the parent sent the document of ${doc.identity.updateId}/${doc.identity.revisionNumber} as ${u.id.updateId}/${u.id.revisionNumber}`,
        );
      }
      return { doc, xml: u.xml };
    });
  }

  /** store writes a chunk of the parent's revisions; the parent owns their updates, so a local revision in the way yields. */
  private async store(m: TxContext, chunk: RevisionToStore[]): Promise<void> {
    const { replaced } = await this.d.store.yieldToUpstream(m, chunk);
    if (replaced.length) {
      this.d.log.warn(
        { replaced: replaced.map((r) => `${r.updateId}/${r.revisionNumber}`) },
        "local revisions collided with the parent's revisions of updates it owns: replaced by the parent's; those updates are now upstream-owned",
      );
    }
    const inserted = await this.d.store.insertRevisions(m, chunk, 'upstream');
    if (this.statistics.due(inserted.length)) await this.d.store.analyze(m);
    this.counts.revisionsImported += inserted.length;
    if (this.d.contentPolicy === 'immediate') this.imported.push(...inserted);
  }

  private progress(step: string, done: number, total: number): void {
    this.d.onProgress?.(step, done, total);
  }
}

/**
 * updateFilter builds the GetRevisionIdList filter for software updates from the subscriptions: chosen
 * products (or every company the parent offers) × chosen classifications (or every one offered); a
 * category whose whole history has not arrived yet is asked for with Delta=false. No subscription asks
 * for everything the parent offers.
 */
export function updateFilter(
  anchor: string | undefined,
  subscribed: Array<{ categoryId: string; categoryType: string; fullSyncDone: boolean }>,
  catalog: { products: UpstreamCategory[]; classifications: UpstreamCategory[] },
): UpstreamFilter {
  if (!subscribed.length) return { anchor, getConfig: false, categories: [], classifications: [] };
  const pick = (isClassification: boolean, offered: UpstreamCategory[]) => {
    const chosen = subscribed.filter((s) => (s.categoryType === 'UpdateClassification') === isClassification);
    return chosen.length
      ? chosen.map((s) => ({ id: s.categoryId, delta: s.fullSyncDone }))
      : offered.map((c) => ({ id: c.id, delta: true }));
  };
  return { anchor, getConfig: false, categories: pick(false, catalog.products), classifications: pick(true, catalog.classifications) };
}
