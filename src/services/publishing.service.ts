import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { invalidParameters } from '../domain/errors';
import { isGuid, type UpdateDocument, type UpdateIdentity } from '../domain/update-document';
import { buildUpdateXml, parseUpdateXml } from '../domain/update-xml';
import type { CategoryType } from '../entities/category.entity';
import { findXmlForbiddenChar } from '../lib/xml-writer';
import type { UpdateStoreRepository } from '../repositories/update-store.repository';

/** PublishUpdateInput is what a software provider states about an update it publishes. */
export interface PublishUpdateInput {
  updateId?: string;
  title: string;
  description?: string;
  kbArticleId?: string;
  msrcSeverity?: string;
  company?: string;
  productFamily?: string;
  product: string;
  /** Classification title ("Security Updates") or GUID. */
  classification: string;
  prerequisites?: string[];
  supersededUpdates?: string[];
  bundledUpdates?: string[];
  /** Payloads already uploaded, by SHA-1 (hex), with the file name this update gives each. */
  files?: Array<{ sha1: string; fileName: string }>;
}

/** The provider on whose behalf a publish runs; its name is the default Company. */
export interface PublishContext {
  providerName: string;
}

const SEVERITIES = ['Critical', 'Important', 'Moderate', 'Low', 'Unspecified'];
/** Serialises creation of category updates (companies, families, products) across processes. */
const CATEGORY_LOCK = 0x43617465;

/**
 * PublishingService turns a provider's PublishUpdate/ExpireUpdate into new revisions of the update
 * store: it writes the WSUS update document, creates missing product categories, and logs the
 * change, all in one transaction, so a failure stores nothing.
 */
export class PublishingService {
  constructor(private readonly ds: DataSource, private readonly store: UpdateStoreRepository, private readonly clock: () => Date = () => new Date()) {}

  /** publishUpdate stores revision 1 of a new update, or revision N+1 when the UpdateID exists. */
  async publishUpdate(ctx: PublishContext, input: PublishUpdateInput): Promise<UpdateIdentity> {
    const v = validate(input);
    return this.ds.transaction(async (m) => {
      const classificationId = await this.resolveClassification(m, v.classification);
      const productId = await this.resolveProduct(m, v.company ?? ctx.providerName, v.productFamily, v.product);
      const files = await this.resolveFiles(m, v.files ?? []);
      const updateId = v.updateId ?? randomUUID();
      const previous = await this.store.lockLatestRevision(m, updateId);
      if (previous && previous.updateType !== 'Software') throw invalidParameters(`update ${updateId} is a ${previous.updateType}, not a software update`);
      const now = this.clock().toISOString();
      const doc: UpdateDocument = {
        identity: { updateId, revisionNumber: (previous?.revisionNumber ?? 0) + 1 },
        updateType: 'Software', publicationState: 'Published', creationDate: now,
        title: v.title, description: v.description ?? '', kbArticleId: v.kbArticleId, msrcSeverity: v.msrcSeverity,
        categoryIds: [productId, classificationId],
        prerequisites: v.prerequisites ?? [], supersededUpdates: v.supersededUpdates ?? [], bundledUpdates: v.bundledUpdates ?? [],
        files: files.map((f) => ({ ...f, modified: now })),
      };
      await this.store.insertRevisions(m, [{ doc, xml: buildUpdateXml(doc) }]);
      return doc.identity;
    });
  }

  /** expireUpdate stores the next revision of an update with PublicationState Expired; expiring twice is a no-op. */
  async expireUpdate(_ctx: PublishContext, updateId: string): Promise<UpdateIdentity> {
    if (!isGuid(updateId)) throw invalidParameters(`updateId "${updateId}" is not a GUID`);
    const id = updateId.toLowerCase();
    return this.ds.transaction(async (m) => {
      const latest = await this.store.lockLatestRevision(m, id);
      if (!latest || latest.updateType !== 'Software') throw invalidParameters(`no software update ${id} is published here`);
      if (latest.publicationState === 'Expired') return { updateId: id, revisionNumber: latest.revisionNumber };
      const doc: UpdateDocument = {
        ...parseUpdateXml(latest.xml),
        identity: { updateId: id, revisionNumber: latest.revisionNumber + 1 },
        publicationState: 'Expired',
        creationDate: this.clock().toISOString(),
      };
      await this.store.insertRevisions(m, [{ doc, xml: buildUpdateXml(doc) }]);
      return doc.identity;
    });
  }

  private async resolveClassification(m: EntityManager, nameOrId: string) {
    const found = isGuid(nameOrId)
      ? await this.store.findCategory(m, nameOrId.toLowerCase())
      : await this.store.findCategoryByTitle(m, 'UpdateClassification', nameOrId);
    if (!found || found.categoryType !== 'UpdateClassification') {
      const known = (await this.store.listCategories(m)).filter((c) => c.categoryType === 'UpdateClassification').map((c) => c.title);
      throw invalidParameters(`unknown classification "${nameOrId}"; known: ${known.join(', ')}`);
    }
    return found.categoryId;
  }

  /** resolveProduct finds Company › [ProductFamily ›] Product by titles, creating what is missing as category updates. */
  private async resolveProduct(m: EntityManager, company: string, family: string | undefined, product: string): Promise<string> {
    await m.query('SELECT pg_advisory_xact_lock($1)', [CATEGORY_LOCK]);
    let parent = await this.ensureCategory(m, 'Company', company, null);
    if (family) parent = await this.ensureCategory(m, 'ProductFamily', family, parent);
    return this.ensureCategory(m, 'Product', product, parent);
  }

  private async ensureCategory(m: EntityManager, type: CategoryType, title: string, parentId: string | null): Promise<string> {
    const existing = await this.store.findCategoryByTitle(m, type, title, parentId);
    if (existing) return existing.categoryId;
    const doc: UpdateDocument = {
      identity: { updateId: randomUUID(), revisionNumber: 1 }, updateType: 'Category', categoryType: type,
      publicationState: 'Published', creationDate: this.clock().toISOString(), title, description: '',
      categoryIds: parentId ? [parentId] : [], prerequisites: [], supersededUpdates: [], bundledUpdates: [], files: [],
    };
    await this.store.insertRevisions(m, [{ doc, xml: buildUpdateXml(doc) }]);
    return doc.identity.updateId;
  }

  private async resolveFiles(m: EntityManager, files: Array<{ sha1: string; fileName: string }>) {
    const sha1s = files.map((f) => f.sha1);
    const stored = await this.store.storedFiles(m, sha1s);
    const missing = sha1s.filter((s) => !stored.has(s));
    if (missing.length) throw invalidParameters(`unknown file digest(s) ${missing.join(', ')}: upload each payload with PUT /Upload first`);
    const facts = await this.store.fileFacts(m, sha1s);
    return files.map((f) => ({ sha1: f.sha1, fileName: f.fileName, sha256: facts.get(f.sha1)!.sha256, size: facts.get(f.sha1)!.size }));
  }
}

/** validate checks and normalises a PublishUpdateInput; the first problem is an InvalidParameters error. */
function validate(input: PublishUpdateInput): PublishUpdateInput {
  const text = (v: unknown, name: string, max: number, required: boolean): string | undefined => {
    if (v === undefined || v === null || v === '') {
      if (required) throw invalidParameters(`${name} is required`);
      return undefined;
    }
    if (typeof v !== 'string') throw invalidParameters(`${name} must be text`);
    const bad = findXmlForbiddenChar(v);
    if (bad !== -1) throw invalidParameters(`${name} holds U+${v.charCodeAt(bad).toString(16).toUpperCase().padStart(4, '0')}, a character XML cannot carry`);
    const t = v.trim();
    if (required && !t) throw invalidParameters(`${name} is required`);
    if (t.length > max) throw invalidParameters(`${name} is longer than ${max} characters`);
    return t || undefined;
  };
  const guids = (v: unknown, name: string): string[] => {
    const list = v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
    for (const g of list) if (!isGuid(g)) throw invalidParameters(`${name} holds "${String(g)}", which is not a GUID`);
    return [...new Set(list.map((g: string) => g.toLowerCase()))];
  };
  if (input.updateId !== undefined && input.updateId !== null && !isGuid(input.updateId)) throw invalidParameters(`UpdateID "${input.updateId}" is not a GUID`);
  const kb = text(input.kbArticleId, 'KBArticleID', 32, false)?.replace(/^KB/i, '');
  if (kb !== undefined && !/^\d{1,12}$/.test(kb)) throw invalidParameters(`KBArticleID "${input.kbArticleId}" is not a KB number`);
  const severity = text(input.msrcSeverity, 'MsrcSeverity', 16, false);
  if (severity !== undefined && !SEVERITIES.includes(severity)) throw invalidParameters(`MsrcSeverity must be one of ${SEVERITIES.join(', ')}`);
  const files = (input.files ?? []).map((f) => {
    const sha1 = String(f?.sha1 ?? '').trim().toLowerCase();
    if (!/^[0-9a-f]{40}$/.test(sha1)) throw invalidParameters(`file digest "${f?.sha1}" is not a SHA-1 in hex`);
    const fileName = text(f.fileName, 'FileName', 260, true)!;
    if (/[\\/\x00-\x1f]/.test(fileName)) throw invalidParameters(`FileName "${fileName}" must be a plain file name`);
    return { sha1, fileName };
  });
  if (new Set(files.map((f) => f.sha1)).size !== files.length) throw invalidParameters('the same file is named twice');
  return {
    updateId: input.updateId?.toLowerCase(),
    title: text(input.title, 'Title', 1024, true)!,
    description: text(input.description, 'Description', 8000, false),
    kbArticleId: kb,
    msrcSeverity: severity,
    company: text(input.company, 'Company', 256, false),
    productFamily: text(input.productFamily, 'ProductFamily', 256, false),
    product: text(input.product, 'Product', 256, true)!,
    classification: text(input.classification, 'Classification', 256, true)!,
    prerequisites: guids(input.prerequisites, 'Prerequisites'),
    supersededUpdates: guids(input.supersededUpdates, 'SupersededUpdates'),
    bundledUpdates: guids(input.bundledUpdates, 'BundledUpdates'),
    files,
  };
}
