import type { RequestContext, TxContext, UnitOfWork } from '../db/unit-of-work';
import { formatAnchor, parseAnchor } from '../domain/anchor';
import { EVERYTHING, type EffectiveRule } from '../domain/availability';
import { Catalog, type CatalogNode } from '../domain/catalog';
import { DomainError, invalidParameters } from '../domain/errors';
import { hexToBase64, isGuid, type UpdateIdentity } from '../domain/update-document';
import type { ChangeLogRepository, RevisionFilter } from '../repositories/change-log.repository';
import type { UpdateStoreRepository } from '../repositories/update-store.repository';
import type { AvailabilityService } from './availability.service';
import { contentUrlPath } from '../domain/content-path';

/** The downstream server a request comes from, as its cookie and this node's rules say. */
export interface Downstream {
  serverId: string;
  channel: string;
  /** The downstream's distribution rule as of this request. */
  rule: EffectiveRule;
}

/** DownstreamContext is the context of a request from a downstream server whose Cookie has been opened. */
export interface DownstreamContext extends RequestContext {
  readonly downstream: Downstream;
}

/** One IdAndDelta entry of a ServerSyncFilter. */
export interface IdAndDelta {
  id: string;
  delta: boolean;
}

/** The parts of ServerSyncFilter Cascade acts on. */
export interface RevisionListFilter {
  anchor?: string;
  getConfig: boolean;
  categories: IdAndDelta[];
  classifications: IdAndDelta[];
}

/** ServerSyncConfig holds the limits this node announces in GetConfigData. */
export const SERVER_SYNC_LIMITS = {
  maxNumberOfUpdatesPerRequest: 100,
  maxDownloadFilesDigests: 100,
  protocolVersion: '1.20',
} as const;

/** An update's data as GetUpdateData returns it. */
export interface UpdateData {
  id: UpdateIdentity;
  xml: string;
  fileSha1s: string[];
}

/** A payload's location on this node. */
export interface FileLocation {
  sha1: string;
  url: string;
}

/** PayloadWarmer lets DownloadFiles ask for payloads ahead of need (a root holds them all already). */
export interface PayloadWarmer {
  warm(ctx: RequestContext, sha1s: string[]): Promise<void>;
}

/**
 * ServerSyncService is the parent side of MS-WSUSSS: what a downstream server may see (catalog),
 * what changed since its anchor (revision list), and the metadata of those revisions.
 */
export class ServerSyncService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly store: UpdateStoreRepository,
    private readonly changeLog: ChangeLogRepository,
    private readonly availability: Pick<AvailabilityService, 'filterAvailable' | 'availableFiles'>,
    private readonly publicUrl: string,
    private readonly warmer: PayloadWarmer,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** getCatalog returns the products (as a tree) and classifications this downstream may receive. */
  async getCatalog(ctx: DownstreamContext): Promise<{ products: CatalogNode[]; classifications: CatalogNode[] }> {
    const { rule } = ctx.downstream;
    const catalog = await this.uow.run(ctx, (tx) => this.catalog(tx));
    const visible = catalog.visibleCategoryIds(rule);
    const classifications = [...catalog.visibleClassifications(rule)]
      .map((id) => catalog.get(id)!)
      .sort((a, b) => a.title.localeCompare(b.title))
      .map((c) => ({ id: c.categoryId, categoryType: c.categoryType, title: c.title, children: [] }));
    return { products: catalog.productTree(visible), classifications };
  }

  /**
   * getRevisionIdList answers GetRevisionIdList: the latest revision of each update that changed
   * since the anchor (or of every update in a Delta=false category), available to this downstream and
   * matching its filter, with the new anchor.
   */
  async getRevisionIdList(ctx: DownstreamContext, filter: RevisionListFilter): Promise<{ anchor: string; revisions: UpdateIdentity[] }> {
    const anchor = parseAnchor(filter.anchor);
    for (const e of [...filter.categories, ...filter.classifications]) {
      if (!isGuid(e.id)) throw invalidParameters(`filter: "${e.id}" is not a GUID`);
    }
    if (!filter.getConfig && (filter.categories.length === 0) !== (filter.classifications.length === 0)) {
      throw invalidParameters('filter: Categories and Classifications must both be given or both be empty');
    }
    const { rule } = ctx.downstream;
    return this.uow.run(
      ctx,
      async (m) => {
        const catalog = await this.catalog(m);
        const high = await this.changeLog.highWaterMark(m);
        const from = anchor?.seq ?? 0n;
        if (from > high)
          throw new DomainError('ServerChanged', "the anchor is newer than this server's change log; reset your anchors and resync");
        const target = { serverId: ctx.downstream.serverId, channel: ctx.downstream.channel };
        let revisions: UpdateIdentity[];
        if (filter.getConfig) {
          const categoryIds = rule.all ? undefined : [...catalog.visibleCategoryIds(rule)];
          revisions = await this.changeLog.changedSince(m, from, high, target, {
            categories: true,
            rule,
            selection: EVERYTHING,
            categoryIds,
          });
        } else {
          // Delta=true without an anchor means the same as Delta=false: everything (MS-WSUSSS 3.1.4.5).
          const full = (l: IdAndDelta[]) => l.filter((e) => !e.delta || anchor === undefined).map((e) => e.id.toLowerCase());
          const ids = (l: IdAndDelta[]) => l.map((e) => e.id.toLowerCase());
          const selection: EffectiveRule =
            filter.categories.length === 0
              ? EVERYTHING
              : {
                  all: false,
                  productIds: catalog.productsUnder(ids(filter.categories)),
                  classificationIds: catalog.classificationsAmong(ids(filter.classifications)),
                };
          const f: RevisionFilter = { categories: false, rule, selection };
          revisions = await this.changeLog.changedSince(m, from, high, target, f);
          const fullIds = [
            ...catalog.productsUnder(full(filter.categories)),
            ...catalog.classificationsAmong(full(filter.classifications)),
          ];
          revisions.push(...(await this.changeLog.inCategories(m, fullIds, f)));
        }
        return { anchor: formatAnchor(high, this.clock()), revisions: uniqueIdentities(revisions) };
      },
      'REPEATABLE READ',
    );
  }

  /** getUpdateData returns the documents of 1..100 revisions this downstream may receive, and a URL per payload. */
  async getUpdateData(ctx: DownstreamContext, ids: UpdateIdentity[]): Promise<{ updates: UpdateData[]; files: FileLocation[] }> {
    const max = SERVER_SYNC_LIMITS.maxNumberOfUpdatesPerRequest;
    if (ids.length < 1 || ids.length > max)
      throw invalidParameters(`updateIds: between 1 and ${max} identities are allowed, got ${ids.length}`);
    for (const id of ids) {
      if (!isGuid(id.updateId) || !Number.isInteger(id.revisionNumber))
        throw invalidParameters('updateIds: each needs a GUID UpdateID and an int RevisionNumber');
    }
    const wanted = ids.map((i) => ({ updateId: i.updateId.toLowerCase(), revisionNumber: i.revisionNumber }));
    return this.uow.run(
      ctx,
      async (m) => {
        const found = await this.store.findRevisions(m, wanted);
        const allowed = new Set(
          await this.availability.filterAvailable(
            m,
            ctx.downstream.rule,
            found.map((r) => r.revisionId),
          ),
        );
        const byKey = new Map(found.filter((r) => allowed.has(r.revisionId)).map((r) => [`${r.updateId}/${r.revisionNumber}`, r]));
        const missing = wanted.filter((w) => !byKey.has(`${w.updateId}/${w.revisionNumber}`));
        if (missing.length) {
          throw invalidParameters(
            `updateIds: no such revision available here: ${missing.map((w) => `${w.updateId} rev ${w.revisionNumber}`).join(', ')}`,
          );
        }
        const files = await this.store.filesOfRevisions(
          m,
          found.map((r) => r.revisionId),
        );
        const updates = wanted.map((w) => {
          const r = byKey.get(`${w.updateId}/${w.revisionNumber}`)!;
          return { id: w, xml: r.xml, fileSha1s: files.filter((f) => f.revisionId === r.revisionId).map((f) => f.sha1) };
        });
        const locations = new Map(files.map((f) => [f.sha1, `${this.publicUrl}${contentUrlPath(f.sha1, f.extension)}`]));
        return { updates, files: [...locations].map(([sha1, url]) => ({ sha1, url })) };
      },
      'REPEATABLE READ',
    );
  }

  /**
   * downloadFiles asks this node to hold 1..100 payloads soon (DownloadFiles). A digest that is unknown, or names
   * no file of an update this downstream may receive, is a FileDigestsMissing fault alike, so it learns nothing.
   */
  async downloadFiles(ctx: DownstreamContext, sha1s: string[]): Promise<void> {
    const max = SERVER_SYNC_LIMITS.maxDownloadFilesDigests;
    if (sha1s.length < 1 || sha1s.length > max)
      throw invalidParameters(`fileDigestList: between 1 and ${max} digests are allowed, got ${sha1s.length}`);
    const rule = ctx.downstream.rule;
    const known = await this.uow.run(ctx, async (m) =>
      rule.all ? new Set((await this.store.fileFacts(m, sha1s)).keys()) : this.availability.availableFiles(m, rule, sha1s),
    );
    const unknown = sha1s.filter((s) => !known.has(s));
    if (unknown.length) throw new DomainError('FileDigestsMissing', unknown.map(hexToBase64).join('|'));
    await this.warmer.warm(ctx, sha1s);
  }

  /** configAnchor is the anchor of the settings GetConfigData reports (they change only with a new Cascade version). */
  configAnchor(_ctx: RequestContext): string {
    return formatAnchor(1n, new Date(Date.UTC(2026, 10, 25)));
  }

  private async catalog(tx: TxContext): Promise<Catalog> {
    return new Catalog(await this.store.listCategories(tx));
  }
}

function uniqueIdentities(ids: UpdateIdentity[]): UpdateIdentity[] {
  const seen = new Map<string, UpdateIdentity>();
  for (const id of ids) seen.set(id.updateId, id);
  return [...seen.values()];
}
