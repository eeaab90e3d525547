import sax from 'sax';
import { invalidParameters } from './errors';
import { base64ToHex, hexToBase64, isGuid, UPDATE_NS, type UpdateDocument, type UpdateFileRef } from './update-document';
import type { CategoryType } from '../entities/category.entity';

const CATEGORY_NS = 'http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/Category';

const esc = (s: string) => s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);

/** buildUpdateXml writes the WSUS update document for a revision Cascade publishes. */
export function buildUpdateXml(d: UpdateDocument): string {
  const x: string[] = [];
  x.push(`<upd:Update xmlns:upd="${UPDATE_NS}"${d.updateType === 'Category' ? ` xmlns:cat="${CATEGORY_NS}"` : ''}>`);
  x.push(`<upd:UpdateIdentity UpdateID="${d.identity.updateId}" RevisionNumber="${d.identity.revisionNumber}"/>`);
  const severity = d.msrcSeverity ? ` MsrcSeverity="${esc(d.msrcSeverity)}"` : '';
  x.push(`<upd:Properties UpdateType="${d.updateType}" PublicationState="${d.publicationState}" CreationDate="${d.creationDate}"${severity}>`);
  if (d.kbArticleId) x.push(`<upd:KBArticleID>${esc(d.kbArticleId)}</upd:KBArticleID>`);
  x.push('</upd:Properties>');
  x.push('<upd:LocalizedPropertiesCollection><upd:LocalizedProperties><upd:Language>en</upd:Language>');
  x.push(`<upd:Title>${esc(d.title)}</upd:Title>`);
  if (d.description) x.push(`<upd:Description>${esc(d.description)}</upd:Description>`);
  x.push('</upd:LocalizedProperties></upd:LocalizedPropertiesCollection>');
  const hasRelationships = d.categoryIds.length || d.prerequisites.length || d.supersededUpdates.length || d.bundledUpdates.length;
  if (hasRelationships) {
    x.push('<upd:Relationships>');
    if (d.categoryIds.length || d.prerequisites.length) {
      x.push('<upd:Prerequisites>');
      for (const id of d.prerequisites) x.push(`<upd:UpdateIdentity UpdateID="${id}"/>`);
      for (const id of d.categoryIds) x.push(`<upd:AtLeastOne IsCategory="true"><upd:UpdateIdentity UpdateID="${id}"/></upd:AtLeastOne>`);
      x.push('</upd:Prerequisites>');
    }
    if (d.bundledUpdates.length) {
      x.push('<upd:BundledUpdates>');
      for (const id of d.bundledUpdates) x.push(`<upd:UpdateIdentity UpdateID="${id}"/>`);
      x.push('</upd:BundledUpdates>');
    }
    if (d.supersededUpdates.length) {
      x.push('<upd:SupersededUpdates>');
      for (const id of d.supersededUpdates) x.push(`<upd:UpdateIdentity UpdateID="${id}"/>`);
      x.push('</upd:SupersededUpdates>');
    }
    x.push('</upd:Relationships>');
  }
  if (d.files.length) {
    x.push('<upd:Files>');
    for (const f of d.files) {
      x.push(`<upd:File Digest="${hexToBase64(f.sha1)}" DigestAlgorithm="SHA1" FileName="${esc(f.fileName)}" Size="${f.size}" Modified="${f.modified}">`);
      x.push(`<upd:AdditionalDigest Algorithm="SHA256">${hexToBase64(f.sha256)}</upd:AdditionalDigest></upd:File>`);
    }
    x.push('</upd:Files>');
  }
  if (d.updateType === 'Category' && d.categoryType) {
    x.push(`<upd:HandlerSpecificData type="cat:Category"><cat:CategoryInformation CategoryType="${d.categoryType}"/></upd:HandlerSpecificData>`);
  }
  x.push('</upd:Update>');
  return x.join('');
}

const UPDATE_TYPES = new Set(['Software', 'Category', 'Detectoid', 'Driver']);
const CATEGORY_TYPES = new Set(['Company', 'ProductFamily', 'Product', 'UpdateClassification']);

/**
 * parseUpdateXml reads the facts Cascade indexes from an update document, by element local names so
 * both Cascade's documents and real WSUS ones import. A document that lacks what is required is
 * rejected with InvalidParameters; unknown elements are ignored and kept in the stored XML.
 */
export function parseUpdateXml(xml: string): UpdateDocument {
  const doc: Partial<UpdateDocument> & { categoryIds: string[]; prerequisites: string[]; supersededUpdates: string[]; bundledUpdates: string[]; files: UpdateFileRef[] } =
    { categoryIds: [], prerequisites: [], supersededUpdates: [], bundledUpdates: [], files: [], description: '' };
  const stack: string[] = [];
  let text = '';
  let file: Partial<UpdateFileRef> | undefined;
  let additionalAlgorithm = '';
  const loc = { language: '', title: '', description: '', chosen: '' };
  const parser = sax.parser(true, { xmlns: false, position: false });
  const local = (name: string) => name.slice(name.indexOf(':') + 1);
  const parent = (n: number) => stack[stack.length - 1 - n];

  parser.onopentag = (tag) => {
    const name = local(tag.name);
    const a = tag.attributes as Record<string, string>;
    text = '';
    if (stack.length === 0 && name !== 'Update') throw invalidParameters(`update document root is ${tag.name}, not Update`);
    if (name === 'UpdateIdentity') {
      const id = a.UpdateID;
      if (stack.length === 1) {
        doc.identity = { updateId: (id ?? '').toLowerCase(), revisionNumber: Number(a.RevisionNumber) };
      } else if (isGuid(id)) {
        const where = parent(0) === 'AtLeastOne' ? 'category' : parent(0);
        const isCategory = parent(0) === 'AtLeastOne' && parent(1) === 'Prerequisites';
        if (isCategory) doc.categoryIds.push(id.toLowerCase());
        else if (where === 'Prerequisites') doc.prerequisites.push(id.toLowerCase());
        else if (where === 'SupersededUpdates') doc.supersededUpdates.push(id.toLowerCase());
        else if (where === 'BundledUpdates') doc.bundledUpdates.push(id.toLowerCase());
      }
    } else if (name === 'Properties' && stack.length === 1) {
      doc.updateType = a.UpdateType as UpdateDocument['updateType'];
      doc.publicationState = (a.PublicationState ?? 'Published') as UpdateDocument['publicationState'];
      doc.creationDate = a.CreationDate;
      if (a.MsrcSeverity) doc.msrcSeverity = a.MsrcSeverity;
    } else if (name === 'File' && parent(0) === 'Files') {
      file = { sha1: base64ToHex(a.Digest ?? ''), fileName: a.FileName ?? '', size: Number(a.Size ?? 0), modified: a.Modified ?? '' };
    } else if (name === 'AdditionalDigest') {
      additionalAlgorithm = a.Algorithm ?? '';
    } else if (name === 'CategoryInformation') {
      doc.categoryType = a.CategoryType as CategoryType;
    }
    stack.push(name);
  };
  parser.ontext = (t) => { text += t; };
  parser.oncdata = (t) => { text += t; };
  parser.onclosetag = () => {
    const name = stack.pop()!;
    const inLocalized = parent(0) === 'LocalizedProperties';
    if (inLocalized && name === 'Language') loc.language = text.trim().toLowerCase();
    else if (inLocalized && name === 'Title') loc.title = text.trim();
    else if (inLocalized && name === 'Description') loc.description = text.trim();
    else if (name === 'LocalizedProperties') {
      // English wins; otherwise the first language given.
      if (!loc.chosen || (!loc.chosen.startsWith('en') && loc.language.startsWith('en'))) {
        Object.assign(doc, { title: loc.title, description: loc.description });
        loc.chosen = loc.language || '?';
      }
      Object.assign(loc, { language: '', title: '', description: '' });
    } else if (name === 'KBArticleID' && parent(0) === 'Properties') doc.kbArticleId = text.trim();
    else if (name === 'AdditionalDigest' && file && additionalAlgorithm.toUpperCase() === 'SHA256') file.sha256 = base64ToHex(text.trim());
    else if (name === 'File' && file) {
      doc.files.push({ sha256: '', ...file } as UpdateFileRef);
      file = undefined;
    }
    text = '';
  };
  try {
    parser.write(xml).close();
  } catch (err) {
    if (err instanceof Error && err.name === 'DomainError') throw err;
    throw invalidParameters(`update document is not well-formed XML: ${(err as Error).message.split('\n')[0]}`);
  }
  return checkDocument(doc);
}

function checkDocument(doc: Partial<UpdateDocument>): UpdateDocument {
  const id = doc.identity;
  if (!id || !isGuid(id.updateId) || !Number.isInteger(id.revisionNumber) || id.revisionNumber < 0) {
    throw invalidParameters('update document has no valid UpdateIdentity');
  }
  if (!doc.updateType || !UPDATE_TYPES.has(doc.updateType)) throw invalidParameters(`update ${id.updateId}: unknown UpdateType ${doc.updateType}`);
  if (doc.publicationState !== 'Published' && doc.publicationState !== 'Expired') {
    throw invalidParameters(`update ${id.updateId}: unknown PublicationState ${doc.publicationState}`);
  }
  if (doc.updateType === 'Category' && (!doc.categoryType || !CATEGORY_TYPES.has(doc.categoryType))) {
    throw invalidParameters(`category ${id.updateId}: unknown CategoryType ${doc.categoryType}`);
  }
  for (const f of doc.files ?? []) {
    if (!/^[0-9a-f]{40}$/.test(f.sha1)) throw invalidParameters(`update ${id.updateId}: a File has no valid SHA-1 Digest`);
  }
  const created = doc.creationDate && !Number.isNaN(Date.parse(doc.creationDate)) ? new Date(doc.creationDate).toISOString() : new Date(0).toISOString();
  return { ...(doc as UpdateDocument), title: doc.title ?? '', creationDate: created };
}
