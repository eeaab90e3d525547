import { expect } from 'chai';
import type { UpdateDocument } from '../../../src/domain/update-document';
import { buildUpdateXml, parseUpdateXml, parseUpdateXmlStrictly } from '../../../src/domain/update-xml';

const SHA1 = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
const SHA256 = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

const doc = (sha256?: string): UpdateDocument => ({
  identity: { updateId: '5e1b0001-0000-4000-8000-000000000001', revisionNumber: 1 },
  updateType: 'Software',
  publicationState: 'Published',
  creationDate: '2026-11-30T00:00:00.000Z',
  title: 'Tool',
  description: '',
  categoryIds: [],
  prerequisites: [],
  supersededUpdates: [],
  bundledUpdates: [],
  files: [{ sha1: SHA1, ...(sha256 ? { sha256 } : {}), size: 4, fileName: 'tool.msu', modified: '2026-11-30T00:00:00.000Z' }],
});

describe('update document file digests', () => {
  it('reads and writes a File named by SHA-1 alone (no AdditionalDigest) without inventing a SHA-256', () => {
    const xml = buildUpdateXml(doc());
    expect(xml).to.not.contain('AdditionalDigest');
    for (const parse of [parseUpdateXml, parseUpdateXmlStrictly]) {
      const [file] = parse(xml).files;
      expect(file).to.deep.equal(doc().files[0]);
      expect('sha256' in file).to.equal(false);
    }
  });

  it('keeps a SHA-256 the document names', () => {
    expect(parseUpdateXml(buildUpdateXml(doc(SHA256))).files[0].sha256).to.equal(SHA256);
  });

  it('rejects an AdditionalDigest that is not a SHA-256 with InvalidParameters', () => {
    const xml = buildUpdateXml(doc(SHA256)).replace(/(<upd:AdditionalDigest[^>]*>)[^<]*/, '$1AAAA');
    expect(() => parseUpdateXml(xml))
      .to.throw(/AdditionalDigest is not a SHA-256/)
      .with.property('code', 'InvalidParameters');
  });
});
