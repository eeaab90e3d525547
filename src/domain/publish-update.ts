import { findXmlForbiddenChar } from '../lib/xml-writer';
import { invalidParameters } from './errors';
import { isGuid } from './update-document';

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
  /**
   * Payloads already uploaded, by SHA-1 (hex), with the file name this update gives each. They replace the
   * files of the previous revision; an empty list removes them; absent, a new revision keeps them.
   */
  files?: Array<{ sha1: string; fileName: string }>;
}

const SEVERITIES = ['Critical', 'Important', 'Moderate', 'Low', 'Unspecified'];

/** The titles of the WSUS update classifications (every node holds these categories from its first migration). */
export const UPDATE_CLASSIFICATIONS = [
  'Applications',
  'Connectors',
  'Critical Updates',
  'Definition Updates',
  'Developer Kits',
  'Drivers',
  'Driver Sets',
  'Feature Packs',
  'Guidance',
  'Security Updates',
  'Service Packs',
  'Tools',
  'Update Rollups',
  'Updates',
  'Upgrades',
  'WSUS Infrastructure Updates',
];

/**
 * validatePublishUpdate checks and normalises a PublishUpdateInput; the first problem is an InvalidParameters error.
 * The node runs it on every PublishUpdate, and `cascade publish` before it uploads a byte.
 */
export function validatePublishUpdate(input: PublishUpdateInput): PublishUpdateInput {
  const text = (v: unknown, name: string, max: number, required: boolean): string | undefined => {
    if (v === undefined || v === null || v === '') {
      if (required) throw invalidParameters(`${name} is required`);
      return undefined;
    }
    if (typeof v !== 'string') throw invalidParameters(`${name} must be text`);
    const bad = findXmlForbiddenChar(v);
    if (bad !== -1)
      throw invalidParameters(
        `${name} holds U+${v.charCodeAt(bad).toString(16).toUpperCase().padStart(4, '0')}, a character XML cannot carry`,
      );
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
  if (input.updateId !== undefined && input.updateId !== null && !isGuid(input.updateId))
    throw invalidParameters(`UpdateID "${input.updateId}" is not a GUID`);
  const kb = text(input.kbArticleId, 'KBArticleID', 32, false)?.replace(/^KB/i, '');
  if (kb !== undefined && !/^\d{1,12}$/.test(kb)) throw invalidParameters(`KBArticleID "${input.kbArticleId}" is not a KB number`);
  const severity = text(input.msrcSeverity, 'MsrcSeverity', 16, false);
  if (severity !== undefined && !SEVERITIES.includes(severity))
    throw invalidParameters(`MsrcSeverity must be one of ${SEVERITIES.join(', ')}`);
  const files = input.files?.map((f) => {
    const sha1 = String(f?.sha1 ?? '')
      .trim()
      .toLowerCase();
    if (!/^[0-9a-f]{40}$/.test(sha1)) throw invalidParameters(`file digest "${f?.sha1}" is not a SHA-1 in hex`);
    const fileName = text(f.fileName, 'FileName', 260, true)!;
    if (/[\\/\x00-\x1f]/.test(fileName)) throw invalidParameters(`FileName "${fileName}" must be a plain file name`);
    return { sha1, fileName };
  });
  if (files && new Set(files.map((f) => f.sha1)).size !== files.length) throw invalidParameters('the same file is named twice');
  const classification = text(input.classification, 'Classification', 256, true)!;
  const knownTitle = UPDATE_CLASSIFICATIONS.some((c) => c.toLowerCase() === classification.toLowerCase());
  if (!knownTitle && !isGuid(classification)) {
    throw invalidParameters(`unknown classification "${classification}"; known: ${UPDATE_CLASSIFICATIONS.join(', ')}`);
  }
  return {
    updateId: input.updateId?.toLowerCase(),
    title: text(input.title, 'Title', 1024, true)!,
    description: text(input.description, 'Description', 8000, false),
    kbArticleId: kb,
    msrcSeverity: severity,
    company: text(input.company, 'Company', 256, false),
    productFamily: text(input.productFamily, 'ProductFamily', 256, false),
    product: text(input.product, 'Product', 256, true)!,
    classification,
    prerequisites: guids(input.prerequisites, 'Prerequisites'),
    supersededUpdates: guids(input.supersededUpdates, 'SupersededUpdates'),
    bundledUpdates: guids(input.bundledUpdates, 'BundledUpdates'),
    files,
  };
}
