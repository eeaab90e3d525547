import { expect } from 'chai';
import { buildUpdateXml, parseUpdateXml, parseUpdateXmlStrictly } from '../../../src/domain/update-xml';
import type { UpdateDocument } from '../../../src/domain/update-document';

const doc: UpdateDocument = {
  identity: { updateId: '6a1e8f4b-2c3d-4e5f-8a9b-0c1d2e3f4a5b', revisionNumber: 3 },
  updateType: 'Software',
  publicationState: 'Published',
  creationDate: '2026-11-25T10:00:00.000Z',
  title: 'Fix <critical> & "quoted"',
  description: 'A description',
  kbArticleId: '5031234',
  msrcSeverity: 'Critical',
  categoryIds: ['0fa1201d-4330-4fa8-8ae9-b877473b6441', 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'],
  prerequisites: ['11111111-2222-3333-4444-555555555555'],
  supersededUpdates: ['22222222-3333-4444-5555-666666666666'],
  bundledUpdates: ['33333333-4444-5555-6666-777777777777'],
  files: [
    {
      sha1: 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3',
      sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
      size: 4,
      fileName: 'fix.msu',
      modified: '2026-11-25T10:00:00.000Z',
    },
  ],
};

describe('update document XML', () => {
  it('round-trips every fact Cascade indexes', () => {
    expect(parseUpdateXml(buildUpdateXml(doc))).to.deep.equal(doc);
  });

  it('writes WSUS shapes: base64 SHA-1 Digest, SHA256 AdditionalDigest, IsCategory prerequisites', () => {
    const xml = buildUpdateXml(doc);
    expect(xml).to.contain('xmlns:upd="http://schemas.microsoft.com/msus/2002/12/Update"');
    expect(xml).to.contain('Digest="qUqP5cyxm6YcTAhz05Hph5gvu9M="');
    expect(xml).to.contain('<upd:AdditionalDigest Algorithm="SHA256">n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg=</upd:AdditionalDigest>');
    expect(xml).to.contain(
      '<upd:AtLeastOne IsCategory="true"><upd:UpdateIdentity UpdateID="0fa1201d-4330-4fa8-8ae9-b877473b6441"/></upd:AtLeastOne>',
    );
    expect(xml).to.contain('&lt;critical&gt; &amp; &quot;quoted&quot;');
  });

  it('reads a WSUS-style document with a default namespace and several languages, preferring English', () => {
    const xml = `<Update xmlns="http://schemas.microsoft.com/msus/2002/12/Update">
      <UpdateIdentity UpdateID="D2A0B7E1-0000-4000-8000-000000000001" RevisionNumber="201"/>
      <Properties UpdateType="Software" CreationDate="2024-01-09T18:00:00Z" PublicationState="Expired"/>
      <LocalizedPropertiesCollection>
        <LocalizedProperties><Language>de</Language><Title>Deutsch</Title></LocalizedProperties>
        <LocalizedProperties><Language>en</Language><Title>English title</Title><Description>d</Description></LocalizedProperties>
      </LocalizedPropertiesCollection>
      <Unknown><Anything/></Unknown>
    </Update>`;
    const d = parseUpdateXml(xml);
    expect(d.identity).to.deep.equal({ updateId: 'd2a0b7e1-0000-4000-8000-000000000001', revisionNumber: 201 });
    expect(d.title).to.equal('English title');
    expect(d.publicationState).to.equal('Expired');
    expect(d.creationDate).to.equal('2024-01-09T18:00:00.000Z');
  });

  it("gives CreationDate in Date's ISO form, a date already in it as is, and the epoch for no date", () => {
    const dates = [
      '2026-11-25T10:00:00.000Z',
      '2024-02-29T23:59:59.999Z',
      '2026-02-29T00:00:00.000Z',
      '2026-02-30T00:00:00.000Z',
      '2100-02-29T00:00:00.000Z',
      '2000-02-29T00:00:00.000Z',
      '2026-04-31T00:00:00.000Z',
      '2026-12-31T24:00:00.000Z',
      '2026-13-01T00:00:00.000Z',
      '0000-01-01T00:00:00.000Z',
      '2024-01-09T18:00:00Z',
      '2024-01-09T18:00:00.000+02:00',
      'yesterday',
    ];
    for (const date of dates) {
      const xml = buildUpdateXml({ ...doc, creationDate: date });
      const ms = Date.parse(date);
      expect(parseUpdateXml(xml).creationDate, date).to.equal(Number.isNaN(ms) ? new Date(0).toISOString() : new Date(ms).toISOString());
      expect(parseUpdateXmlStrictly(xml).creationDate, date).to.equal(parseUpdateXml(xml).creationDate);
    }
  });

  it('reads category documents with their type and parent', () => {
    const cat = parseUpdateXml(
      buildUpdateXml({
        ...doc,
        updateType: 'Category',
        categoryType: 'Product',
        categoryIds: ['aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee'],
        files: [],
        prerequisites: [],
        supersededUpdates: [],
        bundledUpdates: [],
        kbArticleId: undefined,
        msrcSeverity: undefined,
      }),
    );
    expect(cat.categoryType).to.equal('Product');
    expect(cat.categoryIds).to.deep.equal(['aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee']);
  });

  for (const [name, xml] of [
    ['not XML', 'hello'],
    ['another root', '<Other/>'],
    ['no identity', '<Update><Properties UpdateType="Software"/></Update>'],
    [
      'bad type',
      '<Update><UpdateIdentity UpdateID="d2a0b7e1-0000-4000-8000-000000000001" RevisionNumber="1"/><Properties UpdateType="Virus"/></Update>',
    ],
    ['an entity bomb', '<!DOCTYPE x [<!ENTITY a "aaaa">]><Update>&a;</Update>'],
  ]) {
    it(`rejects ${name} with InvalidParameters`, () => {
      expect(() => parseUpdateXml(xml))
        .to.throw()
        .with.property('code', 'InvalidParameters');
    });
  }
});

describe('update document scanner and strict parser', () => {
  const docs = [
    buildUpdateXml(doc),
    `<?xml version="1.0" encoding="utf-8"?>\n<!-- exported -->\n${buildUpdateXml(doc)}\n`,
    buildUpdateXml({ ...doc, title: 'Ünïcödé & <tags> "quotes" \'apos\'', description: 'x\ny' }),
    `<Update xmlns="${'http://schemas.microsoft.com/msus/2002/12/Update'}"><UpdateIdentity UpdateID='d2a0b7e1-0000-4000-8000-000000000001' RevisionNumber='7' />` +
      `<Properties UpdateType="Software" PublicationState="Published" CreationDate="2024-01-09T18:00:00Z" Note="a > b"/>` +
      `<LocalizedPropertiesCollection><LocalizedProperties><Language>en</Language><Title><![CDATA[Cdata <title>]]> &#x263A;&#65;</Title>` +
      `</LocalizedProperties></LocalizedPropertiesCollection></Update>`,
  ];
  docs.forEach((xml, i) => {
    it(`reads document ${i + 1} the same way as the strict parser`, () => {
      expect(parseUpdateXml(xml)).to.deep.equal(parseUpdateXmlStrictly(xml));
    });
  });

  it('reads CDATA and character references in text', () => {
    expect(parseUpdateXml(docs[3]).title).to.equal('Cdata <title> \u263AA');
  });

  for (const [name, xml] of [
    ['a truncated document', buildUpdateXml(doc).slice(0, -20)],
    ['mismatched tags', buildUpdateXml(doc).replace('</upd:Properties>', '</upd:Propertiez>')],
    ['an undefined entity', buildUpdateXml(doc).replace('A description', 'A &bogus; description')],
    ['two roots', `${buildUpdateXml(doc)}<Update/>`],
  ]) {
    it(`rejects ${name} with InvalidParameters`, () => {
      expect(() => parseUpdateXml(xml))
        .to.throw()
        .with.property('code', 'InvalidParameters');
    });
  }
});
