import type { CategoryType, PublicationState, UpdateType } from './update-kinds';

/** UpdateIdentity names one revision: an UpdateID and its RevisionNumber (MS-WSUSSS 2.2.4). */
export interface UpdateIdentity {
  updateId: string;
  revisionNumber: number;
}

/** UpdateFileRef is one File element of an update document. */
export interface UpdateFileRef {
  /** SHA-1, lower-case hex (the XML carries it in base64 as File/@Digest). */
  sha1: string;
  /** SHA-256, lower-case hex (AdditionalDigest Algorithm="SHA256"); absent when the document names none. */
  sha256?: string;
  size: number;
  fileName: string;
  modified: string;
}

/**
 * UpdateDocument is what Cascade reads from and writes into a WSUS update document
 * (namespace http://schemas.microsoft.com/msus/2002/12/Update). The XML stays the source of truth;
 * these are the facts the store indexes.
 */
export interface UpdateDocument {
  identity: UpdateIdentity;
  updateType: UpdateType;
  publicationState: PublicationState;
  /** ISO 8601 UTC. */
  creationDate: string;
  title: string;
  description: string;
  kbArticleId?: string;
  msrcSeverity?: string;
  /** Categories the update belongs to (IsCategory prerequisites): products and classification; for a category, its parent. */
  categoryIds: string[];
  /** Non-category prerequisites, by UpdateID. */
  prerequisites: string[];
  supersededUpdates: string[];
  bundledUpdates: string[];
  files: UpdateFileRef[];
  /** For UpdateType=Category: its CategoryInformation/@CategoryType. */
  categoryType?: CategoryType;
}

/** The WSUS update document namespace. */
export const UPDATE_NS = 'http://schemas.microsoft.com/msus/2002/12/Update';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** isGuid tells whether s is a GUID in its 8-4-4-4-12 form. */
export function isGuid(s: unknown): s is string {
  return typeof s === 'string' && GUID.test(s);
}

/** hexToBase64 and base64ToHex convert digests between the store's hex and the XML's base64. */
export const hexToBase64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');
export const base64ToHex = (b64: string) => Buffer.from(b64, 'base64').toString('hex');
