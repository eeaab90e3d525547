import sax from 'sax';
import { scanXml, type XmlEvents } from '../lib/xml-scan';
import { findXmlForbiddenChar, xml, XmlCharacterError, xmlFragments, type XmlMarkup } from '../lib/xml-writer';
import { invalidParameters } from './errors';
import { base64ToHex, hexToBase64, isGuid, UPDATE_NS, type UpdateDocument, type UpdateFileRef } from './update-document';
import type { CategoryType } from './update-kinds';

const CATEGORY_NS = 'http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/Category';

/**
 * buildUpdateXml writes the WSUS update document for a revision Cascade publishes. Text the document
 * cannot carry (a character XML 1.0 forbids) is InvalidParameters.
 */
export function buildUpdateXml(d: UpdateDocument): string {
  try {
    return updateXml(d).toString();
  } catch (err) {
    if (err instanceof XmlCharacterError) throw invalidParameters(`update ${d.identity.updateId}: ${err.message}`);
    throw err;
  }
}

function updateXml(d: UpdateDocument): XmlMarkup {
  const x: XmlMarkup[] = [];
  const category = d.updateType === 'Category';
  x.push(category ? xml`<upd:Update xmlns:upd="${UPDATE_NS}" xmlns:cat="${CATEGORY_NS}">` : xml`<upd:Update xmlns:upd="${UPDATE_NS}">`);
  x.push(xml`<upd:UpdateIdentity UpdateID="${d.identity.updateId}" RevisionNumber="${d.identity.revisionNumber}"/>`);
  const severity = d.msrcSeverity ? xml` MsrcSeverity="${d.msrcSeverity}"` : NONE;
  x.push(
    xml`<upd:Properties UpdateType="${d.updateType}" PublicationState="${d.publicationState}" CreationDate="${d.creationDate}"${severity}>`,
  );
  if (d.kbArticleId) x.push(xml`<upd:KBArticleID>${d.kbArticleId}</upd:KBArticleID>`);
  x.push(xml`</upd:Properties>`);
  x.push(xml`<upd:LocalizedPropertiesCollection><upd:LocalizedProperties><upd:Language>en</upd:Language>`);
  x.push(xml`<upd:Title>${d.title}</upd:Title>`);
  if (d.description) x.push(xml`<upd:Description>${d.description}</upd:Description>`);
  x.push(xml`</upd:LocalizedProperties></upd:LocalizedPropertiesCollection>`);
  const ids = (l: string[]) => l.map((id) => xml`<upd:UpdateIdentity UpdateID="${id}"/>`);
  const hasRelationships = d.categoryIds.length || d.prerequisites.length || d.supersededUpdates.length || d.bundledUpdates.length;
  if (hasRelationships) {
    x.push(xml`<upd:Relationships>`);
    if (d.categoryIds.length || d.prerequisites.length) {
      const categories = d.categoryIds.map(
        (id) => xml`<upd:AtLeastOne IsCategory="true"><upd:UpdateIdentity UpdateID="${id}"/></upd:AtLeastOne>`,
      );
      x.push(xml`<upd:Prerequisites>${ids(d.prerequisites)}${categories}</upd:Prerequisites>`);
    }
    if (d.bundledUpdates.length) x.push(xml`<upd:BundledUpdates>${ids(d.bundledUpdates)}</upd:BundledUpdates>`);
    if (d.supersededUpdates.length) x.push(xml`<upd:SupersededUpdates>${ids(d.supersededUpdates)}</upd:SupersededUpdates>`);
    x.push(xml`</upd:Relationships>`);
  }
  if (d.files.length) {
    x.push(xml`<upd:Files>`);
    for (const f of d.files) {
      x.push(
        xml`<upd:File Digest="${hexToBase64(f.sha1)}" DigestAlgorithm="SHA1" FileName="${f.fileName}" Size="${f.size}" Modified="${f.modified}">`,
      );
      if (f.sha256) x.push(xml`<upd:AdditionalDigest Algorithm="SHA256">${hexToBase64(f.sha256)}</upd:AdditionalDigest>`);
      x.push(xml`</upd:File>`);
    }
    x.push(xml`</upd:Files>`);
  }
  if (category && d.categoryType) {
    x.push(
      xml`<upd:HandlerSpecificData type="cat:Category"><cat:CategoryInformation CategoryType="${d.categoryType}"/></upd:HandlerSpecificData>`,
    );
  }
  x.push(xml`</upd:Update>`);
  return xmlFragments(x);
}

const NONE = xml``;

const UPDATE_TYPES = new Set(['Software', 'Category', 'Detectoid', 'Driver']);
const CATEGORY_TYPES = new Set(['Company', 'ProductFamily', 'Product', 'UpdateClassification']);

/**
 * parseUpdateXml reads the facts Cascade indexes from an update document, by element local names so
 * both Cascade's documents and real WSUS ones import. A document that lacks what is required is
 * rejected with InvalidParameters; unknown elements are ignored and kept in the stored XML.
 * A sync reads 10^5 documents, so a plain scanner reads the common shapes; anything it does not
 * handle (DOCTYPE, odd markup, malformed input) goes to the strict sax parser, which also reports errors.
 */
export function parseUpdateXml(xml: string): UpdateDocument {
  refuseForbiddenChars(xml);
  const fast = new UpdateDocumentReader();
  return scanXml(xml, fast) ? checkDocument(fast.doc) : parseUpdateXmlStrictly(xml);
}

/** parseUpdateXmlStrictly reads an update document with the strict sax parser (and its error messages). */
export function parseUpdateXmlStrictly(xml: string): UpdateDocument {
  refuseForbiddenChars(xml);
  const reader = new UpdateDocumentReader();
  const parser = sax.parser(true, { xmlns: false, position: false });
  let depth = 0;
  let rootClosed = false;
  parser.onopentag = (tag) => {
    if (rootClosed) throw new Error('a second root element');
    depth++;
    const attributes = tag.attributes as Record<string, string>;
    for (const v of Object.values(attributes)) refuseForbiddenChars(v);
    reader.open(tag.name, attributes);
  };
  parser.ontext = (t) => reader.text(refuseForbiddenChars(t));
  parser.oncdata = (t) => reader.text(t);
  parser.onclosetag = () => {
    reader.close();
    rootClosed ||= --depth === 0;
  };
  try {
    parser.write(xml).close();
    if (!rootClosed) throw new Error('the document ends inside an element');
  } catch (err) {
    if (err instanceof Error && err.name === 'DomainError') throw err;
    throw invalidParameters(`update document is not well-formed XML: ${(err as Error).message.split('\n')[0]}`);
  }
  return checkDocument(reader.doc);
}

type PartialDocument = Partial<UpdateDocument> &
  Pick<UpdateDocument, 'categoryIds' | 'prerequisites' | 'supersededUpdates' | 'bundledUpdates' | 'files'>;

/** UpdateDocumentReader collects an update document's facts from open/text/close events, whoever parses. */
class UpdateDocumentReader implements XmlEvents {
  readonly doc: PartialDocument = {
    categoryIds: [],
    prerequisites: [],
    supersededUpdates: [],
    bundledUpdates: [],
    files: [],
    description: '',
  };
  private readonly stack: string[] = [];
  private buffer = '';
  private file: Partial<UpdateFileRef> | undefined;
  private additionalAlgorithm = '';
  private readonly loc = { language: '', title: '', description: '', chosen: '' };

  private parent(n: number): string | undefined {
    return this.stack[this.stack.length - 1 - n];
  }

  open(tagName: string, a: Record<string, string>): void {
    const name = tagName.slice(tagName.indexOf(':') + 1);
    const doc = this.doc;
    this.buffer = '';
    if (this.stack.length === 0 && name !== 'Update') throw invalidParameters(`update document root is ${tagName}, not Update`);
    if (name === 'UpdateIdentity') {
      const id = a.UpdateID;
      if (this.stack.length === 1) {
        doc.identity = { updateId: (id ?? '').toLowerCase(), revisionNumber: Number(a.RevisionNumber) };
      } else if (isGuid(id)) {
        const isCategory = this.parent(0) === 'AtLeastOne' && this.parent(1) === 'Prerequisites';
        const where = this.parent(0);
        if (isCategory) doc.categoryIds.push(id.toLowerCase());
        else if (where === 'Prerequisites') doc.prerequisites.push(id.toLowerCase());
        else if (where === 'SupersededUpdates') doc.supersededUpdates.push(id.toLowerCase());
        else if (where === 'BundledUpdates') doc.bundledUpdates.push(id.toLowerCase());
      }
    } else if (name === 'Properties' && this.stack.length === 1) {
      doc.updateType = a.UpdateType as UpdateDocument['updateType'];
      doc.publicationState = (a.PublicationState ?? 'Published') as UpdateDocument['publicationState'];
      doc.creationDate = a.CreationDate;
      if (a.MsrcSeverity) doc.msrcSeverity = a.MsrcSeverity;
    } else if (name === 'File' && this.parent(0) === 'Files') {
      this.file = { sha1: base64ToHex(a.Digest ?? ''), fileName: a.FileName ?? '', size: Number(a.Size ?? 0), modified: a.Modified ?? '' };
    } else if (name === 'AdditionalDigest') {
      this.additionalAlgorithm = a.Algorithm ?? '';
    } else if (name === 'CategoryInformation') {
      doc.categoryType = a.CategoryType as CategoryType;
    }
    this.stack.push(name);
  }

  text(t: string): void {
    this.buffer += t;
  }

  close(): void {
    const name = this.stack.pop()!;
    const text = this.buffer;
    const doc = this.doc;
    const loc = this.loc;
    const inLocalized = this.parent(0) === 'LocalizedProperties';
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
    } else if (name === 'KBArticleID' && this.parent(0) === 'Properties') doc.kbArticleId = text.trim();
    else if (name === 'AdditionalDigest' && this.file && this.additionalAlgorithm.toUpperCase() === 'SHA256')
      this.file.sha256 = base64ToHex(text.trim());
    else if (name === 'File' && this.file) {
      doc.files.push(this.file as UpdateFileRef);
      this.file = undefined;
    }
    this.buffer = '';
  }
}

/** refuseForbiddenChars throws InvalidParameters when s (a document, or text decoded from one) holds a character XML 1.0 forbids. */
function refuseForbiddenChars(s: string): string {
  const at = findXmlForbiddenChar(s);
  if (at !== -1)
    throw invalidParameters(
      `update document holds U+${s.charCodeAt(at).toString(16).toUpperCase().padStart(4, '0')}, a character XML forbids`,
    );
  return s;
}

function checkDocument(doc: Partial<UpdateDocument>): UpdateDocument {
  const id = doc.identity;
  if (!id || !isGuid(id.updateId) || !Number.isInteger(id.revisionNumber) || id.revisionNumber < 0) {
    throw invalidParameters('update document has no valid UpdateIdentity');
  }
  if (!doc.updateType || !UPDATE_TYPES.has(doc.updateType))
    throw invalidParameters(`update ${id.updateId}: unknown UpdateType ${doc.updateType}`);
  if (doc.publicationState !== 'Published' && doc.publicationState !== 'Expired') {
    throw invalidParameters(`update ${id.updateId}: unknown PublicationState ${doc.publicationState}`);
  }
  if (doc.updateType === 'Category' && (!doc.categoryType || !CATEGORY_TYPES.has(doc.categoryType))) {
    throw invalidParameters(`category ${id.updateId}: unknown CategoryType ${doc.categoryType}`);
  }
  for (const f of doc.files ?? []) {
    if (!/^[0-9a-f]{40}$/.test(f.sha1)) throw invalidParameters(`update ${id.updateId}: a File has no valid SHA-1 Digest`);
    if (f.sha256 !== undefined && !/^[0-9a-f]{64}$/.test(f.sha256))
      throw invalidParameters(`update ${id.updateId}: a File's SHA256 AdditionalDigest is not a SHA-256`);
  }
  return { ...(doc as UpdateDocument), title: doc.title ?? '', creationDate: isoDate(doc.creationDate) };
}

const ISO_UTC = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.\d{3}Z$/;
const EPOCH = new Date(0).toISOString();

/**
 * isoDate gives a CreationDate as Date's ISO form (the epoch when it is no date). Most documents already
 * carry it in that form, which is returned as is when it names a real moment (Date would move 02-30 to 03-02).
 */
function isoDate(text: string | undefined): string {
  const m = text === undefined ? null : ISO_UTC.exec(text);
  if (m) {
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
    const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
    const days = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
    if (month >= 1 && month <= 12 && day >= 1 && day <= days && hour < 24 && minute < 60 && second < 60) return text!;
  }
  const t = text ? Date.parse(text) : NaN;
  return Number.isNaN(t) ? EPOCH : new Date(t).toISOString();
}
