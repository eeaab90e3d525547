import { randomUUID } from 'node:crypto';
import type { RequestContext, TxContext, UnitOfWork } from '../db/unit-of-work';
import { invalidParameters, type DomainError } from '../domain/errors';
import { validatePublishUpdate, type PublishUpdateInput } from '../domain/publish-update';
import { isGuid, type UpdateDocument, type UpdateIdentity } from '../domain/update-document';
import { buildUpdateXml, parseUpdateXml } from '../domain/update-xml';
import type { CategoryType } from '../domain/update-kinds';
import type { CompanyOwner, PublisherRepository } from '../repositories/publisher.repository';
import type { UpdateStoreRepository } from '../repositories/update-store.repository';

/** The context of a publish: a software provider acts, and its name is the default Company. */
export interface PublishContext extends RequestContext {
  readonly actor: { kind: 'software-provider'; providerName: string };
}

/** UpstreamOwner names the parent that owns the updates this node synced, for the refusal message. */
export interface UpstreamOwner {
  current(ctx: RequestContext): Promise<{ url: string } | undefined>;
}

/**
 * PublishingService turns a provider's PublishUpdate/ExpireUpdate into new revisions of the update
 * store: it writes the WSUS update document, creates missing product categories, and logs the
 * change, all in one transaction, so a failure stores nothing. An update belongs to the provider that
 * first published it, a company (and its products) to the provider that created it, unless an
 * administrator grants the company to another provider; anything else is refused.
 */
export class PublishingService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly store: UpdateStoreRepository,
    private readonly publishers: PublisherRepository,
    private readonly clock: () => Date = () => new Date(),
    private readonly upstream?: UpstreamOwner,
  ) {}

  /** publishUpdate stores revision 1 of a new update, or revision N+1 when the UpdateID exists. */
  async publishUpdate(ctx: PublishContext, input: PublishUpdateInput): Promise<UpdateIdentity> {
    const v = validatePublishUpdate(input);
    const provider = ctx.actor.providerName;
    return this.uow.run(ctx, async (m) => {
      const classificationId = await this.resolveClassification(m, v.classification);
      const productId = await this.resolveProduct(m, provider, v.company ?? provider, v.productFamily, v.product);
      const updateId = v.updateId ?? randomUUID();
      const previous = await this.store.lockLatestRevision(m, updateId);
      if (previous && previous.updateType !== 'Software')
        throw invalidParameters(`update ${updateId} is a ${previous.updateType}, not a software update`);
      if (previous?.owner === 'upstream') throw await this.ownedUpstream(m, updateId, 'publish');
      if (previous) await this.checkMayChange(m, provider, updateId, parseUpdateXml(previous.xml).categoryIds, 'publish');
      const now = this.clock().toISOString();
      // A new revision keeps its update's files unless the provider names new ones or an empty list.
      const files =
        v.files === undefined && previous
          ? parseUpdateXml(previous.xml).files
          : (await this.resolveFiles(m, v.files ?? [])).map((f) => ({ ...f, modified: now }));
      const doc: UpdateDocument = {
        identity: { updateId, revisionNumber: (previous?.revisionNumber ?? 0) + 1 },
        updateType: 'Software',
        publicationState: 'Published',
        creationDate: now,
        title: v.title,
        description: v.description ?? '',
        kbArticleId: v.kbArticleId,
        msrcSeverity: v.msrcSeverity,
        categoryIds: [productId, classificationId],
        prerequisites: v.prerequisites ?? [],
        supersededUpdates: v.supersededUpdates ?? [],
        bundledUpdates: v.bundledUpdates ?? [],
        files,
      };
      await this.store.insertRevisions(m, [{ doc, xml: buildUpdateXml(doc) }]);
      await this.publishers.claim(m, [updateId], provider);
      return doc.identity;
    });
  }

  /** expireUpdate stores the next revision of an update with PublicationState Expired; expiring twice is a no-op. */
  async expireUpdate(ctx: PublishContext, updateId: string): Promise<UpdateIdentity> {
    if (!isGuid(updateId)) throw invalidParameters(`updateId "${updateId}" is not a GUID`);
    const id = updateId.toLowerCase();
    return this.uow.run(ctx, async (m) => {
      const latest = await this.store.lockLatestRevision(m, id);
      if (!latest || latest.updateType !== 'Software') throw invalidParameters(`no software update ${id} is published here`);
      if (latest.owner === 'upstream') throw await this.ownedUpstream(m, id, 'expire');
      const document = parseUpdateXml(latest.xml);
      await this.checkMayChange(m, ctx.actor.providerName, id, document.categoryIds, 'expire');
      if (latest.publicationState === 'Expired') return { updateId: id, revisionNumber: latest.revisionNumber };
      const doc: UpdateDocument = {
        ...document,
        identity: { updateId: id, revisionNumber: latest.revisionNumber + 1 },
        publicationState: 'Expired',
        creationDate: this.clock().toISOString(),
      };
      await this.store.insertRevisions(m, [{ doc, xml: buildUpdateXml(doc) }]);
      return doc.identity;
    });
  }

  /** ownedUpstream is the refusal of a change to an update this node synced from its parent. */
  private async ownedUpstream(m: TxContext, updateId: string, verb: 'publish' | 'expire'): Promise<DomainError> {
    const owner = await this.upstream?.current(m);
    const where = owner ? `the upstream server ${owner.url}` : 'the upstream server this node syncs from';
    return invalidParameters(
      `update ${updateId} is owned by ${where}: it arrived by sync, so only that server may ${verb} its revisions; ${verb} it there`,
    );
  }

  /**
   * checkMayChange refuses a provider a new revision of an update it did not first publish, unless an administrator
   * granted it every company of the update. An update with no recorded publisher goes with its companies.
   */
  private async checkMayChange(m: TxContext, provider: string, updateId: string, categoryIds: string[], verb: 'publish' | 'expire') {
    const publishedBy = await this.publishers.publishedBy(m, updateId);
    if (publishedBy === provider) return;
    const companies = await this.publishers.companies(m, categoryIds);
    for (const c of companies) {
      if (await this.publishers.isGranted(m, provider, c.companyId)) continue;
      if (publishedBy === null && ownsCompany(provider, c)) continue;
      throw refusal(`update ${updateId} belongs to another software provider, so ${provider} may not ${verb} it`, provider, c.title);
    }
    if (companies.length === 0 && publishedBy !== null) {
      throw invalidParameters(`update ${updateId} belongs to another software provider, so ${provider} may not ${verb} it`);
    }
  }

  /** checkMayPublishInto refuses a provider a product of a company another provider created, unless granted. */
  private async checkMayPublishInto(m: TxContext, provider: string, companyId: string): Promise<void> {
    const [company] = await this.publishers.companies(m, [companyId]);
    if (ownsCompany(provider, company) || (await this.publishers.isGranted(m, provider, companyId))) return;
    throw refusal(`company "${company.title}" and its products belong to another software provider`, provider, company.title);
  }

  private async resolveClassification(m: TxContext, nameOrId: string) {
    const found = isGuid(nameOrId)
      ? await this.store.findCategory(m, nameOrId.toLowerCase())
      : await this.store.findCategoryByTitle(m, 'UpdateClassification', nameOrId);
    if (!found || found.categoryType !== 'UpdateClassification') {
      const known = (await this.store.listCategories(m)).filter((c) => c.categoryType === 'UpdateClassification').map((c) => c.title);
      throw invalidParameters(`unknown classification "${nameOrId}"; known: ${known.join(', ')}`);
    }
    return found.categoryId;
  }

  /**
   * resolveProduct finds Company › [ProductFamily ›] Product by titles, creating what is missing as category updates
   * owned by the provider; a company another provider created is refused unless granted.
   */
  private async resolveProduct(m: TxContext, provider: string, company: string, family: string | undefined, product: string) {
    await this.store.lockCategoryCreation(m);
    let parent = await this.ensureCategory(m, provider, 'Company', company, null);
    await this.checkMayPublishInto(m, provider, parent);
    if (family) parent = await this.ensureCategory(m, provider, 'ProductFamily', family, parent);
    return this.ensureCategory(m, provider, 'Product', product, parent);
  }

  private async ensureCategory(m: TxContext, provider: string, type: CategoryType, title: string, parentId: string | null) {
    const existing = await this.store.findCategoryByTitle(m, type, title, parentId);
    if (existing) return existing.categoryId;
    const doc: UpdateDocument = {
      identity: { updateId: randomUUID(), revisionNumber: 1 },
      updateType: 'Category',
      categoryType: type,
      publicationState: 'Published',
      creationDate: this.clock().toISOString(),
      title,
      description: '',
      categoryIds: parentId ? [parentId] : [],
      prerequisites: [],
      supersededUpdates: [],
      bundledUpdates: [],
      files: [],
    };
    await this.store.insertRevisions(m, [{ doc, xml: buildUpdateXml(doc) }]);
    await this.publishers.claim(m, [doc.identity.updateId], provider);
    return doc.identity.updateId;
  }

  private async resolveFiles(m: TxContext, files: Array<{ sha1: string; fileName: string }>) {
    const sha1s = files.map((f) => f.sha1);
    const stored = await this.store.storedFiles(m, sha1s);
    const missing = sha1s.filter((s) => !stored.has(s));
    if (missing.length) throw invalidParameters(`unknown file digest(s) ${missing.join(', ')}: upload each payload with PUT /Upload first`);
    const facts = await this.store.fileFacts(m, sha1s);
    return files.map((f) => ({ sha1: f.sha1, fileName: f.fileName, sha256: facts.get(f.sha1)!.sha256, size: facts.get(f.sha1)!.size }));
  }
}

/**
 * ownsCompany: the provider created the company here, or nobody is recorded for it and it carries the provider's
 * name (the company every publish without --company goes to).
 */
function ownsCompany(provider: string, company: CompanyOwner): boolean {
  return company.publishedBy === provider || (company.publishedBy === null && company.title === provider);
}

function refusal(what: string, provider: string, company: string): DomainError {
  return invalidParameters(`${what}; an administrator may grant it: cascade providers grant ${provider} --company "${company}"`);
}
