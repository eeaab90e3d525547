import { expect } from 'chai';
import { DomainError } from '../../../src/domain/errors';
import { xmlCharacterData } from '../../../src/lib/xml-writer';
import { readGetRevisionIdList, readGetUpdateData } from '../../../src/soap/server-sync-requests';
import { readSoapRequest, type SoapElement } from '../../../src/soap/soap-request-reader';

const NS = 'http://www.microsoft.com/SoftwareDistribution';
const ID = '5e1b0001-0000-4000-8000-000000000001';
const COOKIE = '<cookie><Expiration>2026-12-01T00:00:00Z</Expiration><EncryptedData>AAEC</EncryptedData></cookie>';
const OPS = new Set(['GetUpdateData', 'GetRevisionIdList']);

const envelope = (body: string, prolog = '') =>
  `<?xml version="1.0" encoding="utf-8"?>${prolog}<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ` +
  `xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap:Header/><soap:Body>${body}</soap:Body></soap:Envelope>`;
const updateData = (ids: string, extra = '') =>
  envelope(`<GetUpdateData xmlns="${NS}">${COOKIE}<updateIds>${ids}</updateIds>${extra}</GetUpdateData>`);
const identity = (u: string, n: string) =>
  `<UpdateIdentity><UpdateID>${u}</UpdateID><RevisionNumber>${n}</RevisionNumber></UpdateIdentity>`;

function element(xml: string): SoapElement {
  const r = readSoapRequest(xml, OPS);
  if (!r.operation) throw new Error('not read');
  return r.element;
}

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(DomainError);
    expect((err as DomainError).code).to.equal('InvalidParameters');
    return (err as DomainError).message;
  }
  throw new Error('not refused');
}

describe('SOAP request reader (GetUpdateData, GetRevisionIdList)', () => {
  it('reads GetUpdateData identities, whatever the prefixes, xsi attributes and CDATA', () => {
    const ids = `<w:UpdateIdentity xmlns:w="${NS}"><w:UpdateID xsi:type="s1:guid"><![CDATA[${ID}]]></w:UpdateID><w:RevisionNumber> 7 </w:RevisionNumber></w:UpdateIdentity>`;
    const read = readGetUpdateData(element(updateData(ids + identity(ID, '-3'))));
    expect(read.updateIds).to.deep.equal([
      { updateId: ID, revisionNumber: 7 },
      { updateId: ID, revisionNumber: -3 },
    ]);
    expect(read.cookie.encryptedData).to.deep.equal(Buffer.from([0, 1, 2]));
  });

  it('reads a GetRevisionIdList filter', () => {
    const filter =
      `<filter><Anchor>5,2026-11-30 00:00:00.000</Anchor><GetConfig>0</GetConfig><Get63LanguageOnly>false</Get63LanguageOnly>` +
      `<Categories><IdAndDelta><Id>${ID}</Id><Delta>true</Delta></IdAndDelta></Categories><Classifications/>` +
      `<Languages><LanguageAndDelta><Id>1033</Id><Delta>false</Delta></LanguageAndDelta></Languages></filter>`;
    const read = readGetRevisionIdList(element(envelope(`<GetRevisionIdList xmlns="${NS}">${COOKIE}${filter}</GetRevisionIdList>`)));
    expect(read.filter).to.deep.equal({
      anchor: '5,2026-11-30 00:00:00.000',
      getConfig: false,
      categories: [{ id: ID, delta: true }],
      classifications: [],
    });
  });

  it('leaves other operations and other envelopes to the generic path', () => {
    expect(readSoapRequest(envelope(`<GetCookie xmlns="${NS}"/>`), OPS).operation).to.equal(undefined);
    expect(readSoapRequest(envelope(`<GetUpdateData xmlns="urn:other"/>`), OPS).operation).to.equal(undefined);
    const soap12 = `<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><GetUpdateData xmlns="${NS}"/></e:Body></e:Envelope>`;
    expect(readSoapRequest(soap12, OPS).operation).to.equal(undefined);
  });

  it('refuses what node-soap let through or the schema forbids', () => {
    const cases: Array<[string, () => unknown, RegExp]> = [
      [
        'a DOCTYPE',
        () => element(updateData(identity(ID, '1'), '').replace('<soap:Envelope', '<!DOCTYPE x [<!ENTITY e "x">]><soap:Envelope')),
        /DOCTYPE/,
      ],
      ['an element of another namespace', () => element(updateData(`<UpdateIdentity xmlns="urn:x"/>`)), /is not an element of/],
      [
        'a second Body element',
        () => element(updateData(identity(ID, '1')).replace('</soap:Body>', `<GetUpdateData xmlns="${NS}"/></soap:Body>`)),
        /more than one/,
      ],
      ['text beside elements', () => element(updateData(`x${identity(ID, '1')}`)), /both elements and text/],
      ['a truncated document', () => element(updateData(identity(ID, '1')).slice(0, -20)), /ends inside an element/],
      ['a malformed GUID', () => readGetUpdateData(element(updateData(identity('not-a-guid', '1')))), /not a GUID/],
      ['an int out of range', () => readGetUpdateData(element(updateData(identity(ID, '2147483648')))), /not an int/],
      ['an int written as a float', () => readGetUpdateData(element(updateData(identity(ID, '1e3')))), /not an int/],
      ['an unknown element', () => readGetUpdateData(element(updateData(identity(ID, '1'), '<Extra/>'))), /unexpected element Extra/],
      [
        'a missing RevisionNumber',
        () => readGetUpdateData(element(updateData(`<UpdateIdentity><UpdateID>${ID}</UpdateID></UpdateIdentity>`))),
        /RevisionNumber is required/,
      ],
      [
        'a repeated UpdateID',
        () =>
          readGetUpdateData(
            element(
              updateData(
                `<UpdateIdentity><UpdateID>${ID}</UpdateID><UpdateID>${ID}</UpdateID><RevisionNumber>1</RevisionNumber></UpdateIdentity>`,
              ),
            ),
          ),
        /more than once/,
      ],
      [
        'a missing GetConfig',
        () => readGetRevisionIdList(element(envelope(`<GetRevisionIdList xmlns="${NS}">${COOKIE}<filter/></GetRevisionIdList>`))),
        /GetConfig is required/,
      ],
      [
        'a Delta that is no boolean',
        () =>
          readGetRevisionIdList(
            element(
              envelope(
                `<GetRevisionIdList xmlns="${NS}">${COOKIE}<filter><GetConfig>false</GetConfig><Categories><IdAndDelta><Id>${ID}</Id><Delta>yes</Delta></IdAndDelta></Categories></filter></GetRevisionIdList>`,
              ),
            ),
          ),
        /not a boolean/,
      ],
    ];
    for (const [what, fn, message] of cases) expect(refusal(fn), what).to.match(message);
  });
});

describe('xmlCharacterData', () => {
  it('carries a document as is in CDATA when it can stand there unchanged', () => {
    const doc = '<upd:Update a="1">&amp; “x” \t\n</upd:Update>';
    expect(xmlCharacterData(doc).toString()).to.equal(`<![CDATA[${doc}]]>`);
  });

  it('escapes a text holding "]]>" or CR, which CDATA would not carry unchanged, and refuses forbidden characters', () => {
    expect(xmlCharacterData('a]]>b<').toString()).to.equal('a]]&gt;b&lt;');
    expect(xmlCharacterData('a\r\nb').toString()).to.equal('a&#13;\nb');
    expect(() => xmlCharacterData('a\u0001b')).to.throw(/U\+0001/);
  });
});
