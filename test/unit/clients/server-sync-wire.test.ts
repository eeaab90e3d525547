import { expect } from 'chai';
import { SoapCallError } from '../../../src/clients/soap-client';
import {
  envelope,
  getRevisionIdListRequest,
  getUpdateDataRequest,
  readGetRevisionIdListResponse,
  readGetUpdateDataResponse,
} from '../../../src/clients/server-sync-wire';
import { getUpdateDataResponseXml } from '../../../src/soap/update-data-xml';

const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
const WSUS = 'http://www.microsoft.com/SoftwareDistribution';
const ID = 'd2a0b7e1-0000-4000-8000-000000000001';
const body = (inner: string, p = 'soap') =>
  `<?xml version="1.0"?><${p}:Envelope xmlns:${p}="${SOAP}"><${p}:Body>${inner}</${p}:Body></${p}:Envelope>`;
const updateData = (updates: string) =>
  body(
    `<GetUpdateDataResponse xmlns="${WSUS}"><GetUpdateDataResult><updates>${updates}</updates>` +
      '<fileUrls/></GetUpdateDataResult></GetUpdateDataResponse>',
  );
const update = (blob: string, id = ID) =>
  `<ServerSyncUpdateData><Id><UpdateID>${id}</UpdateID><RevisionNumber>2</RevisionNumber></Id>${blob}</ServerSyncUpdateData>`;
const fault = (inner: string) =>
  body(`<soap:Fault><faultcode>soap:Client</faultcode><faultstring>bad cookie</faultstring>${inner}</soap:Fault>`);

function refusal(f: () => unknown): SoapCallError {
  try {
    f();
  } catch (err) {
    expect(err).to.be.instanceOf(SoapCallError);
    return err as SoapCallError;
  }
  throw new Error('expected a SoapCallError');
}

describe('ServerSync wire codec', () => {
  describe('readGetUpdateDataResponse', () => {
    it('reads what the parent writes, the stored documents verbatim', () => {
      const docs = ['<upd:Update xmlns:upd="u">a &amp; "b" <![CDATA[]]></upd:Update>', '<Update>\u00e9\u{1F600}</Update>'];
      const xml = body(
        getUpdateDataResponseXml(
          docs.map((d, i) => ({ id: { updateId: ID, revisionNumber: i }, xml: d, fileSha1s: [] })),
          [],
        ),
      );
      expect(readGetUpdateDataResponse(xml)).to.deep.equal(docs.map((d, i) => ({ id: { updateId: ID, revisionNumber: i }, xml: d })));
    });

    it('reads CDATA and entities, and takes commented-out elements for comments', () => {
      const xml = updateData(
        `<!-- ${update('<XmlUpdateBlob>old</XmlUpdateBlob>')} -->${update('<XmlUpdateBlob><![CDATA[<a/>]]>&lt;b/&gt;</XmlUpdateBlob>')}`,
      );
      expect(readGetUpdateDataResponse(xml)).to.deep.equal([{ id: { updateId: ID, revisionNumber: 2 }, xml: '<a/><b/>' }]);
    });

    it('does not take a Fault inside CDATA or in another namespace for a fault', () => {
      const xml = updateData(
        update(
          '<XmlUpdateBlob><![CDATA[<soap:Fault><ErrorCode>InvalidCookie</ErrorCode></soap:Fault>]]></XmlUpdateBlob><x:Fault xmlns:x="urn:x"/>',
        ),
      );
      expect(readGetUpdateDataResponse(xml)[0].xml).to.contain('<soap:Fault>');
    });

    it('resolves namespace prefixes other than the usual ones', () => {
      const xml = body(
        `<w:GetUpdateDataResponse xmlns:w="${WSUS}"><w:GetUpdateDataResult><w:updates>` +
          `<w:ServerSyncUpdateData><w:Id><w:UpdateID>${ID.toUpperCase()}</w:UpdateID><w:RevisionNumber>5</w:RevisionNumber></w:Id>` +
          '<w:XmlUpdateBlob>x</w:XmlUpdateBlob></w:ServerSyncUpdateData></w:updates></w:GetUpdateDataResult></w:GetUpdateDataResponse>',
        'env',
      );
      expect(readGetUpdateDataResponse(xml)).to.deep.equal([{ id: { updateId: ID, revisionNumber: 5 }, xml: 'x' }]);
    });

    it('reads what its scanner leaves to the strict parser the XML way: line ends as LF, prefixed attributes, a PI', () => {
      const blob = '<XmlUpdateBlob>&lt;a&gt;\r\n&amp;\r&lt;/a&gt;</XmlUpdateBlob>';
      const xsi = `<FileDigestList xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:nil="true"/>`;
      const expected = [{ id: { updateId: ID, revisionNumber: 2 }, xml: '<a>\n&\n</a>' }];
      expect(readGetUpdateDataResponse(updateData(update(blob)))).to.deep.equal(expected);
      const lf = blob.replace(/\r\n?/g, '\n');
      expect(readGetUpdateDataResponse(updateData(update(`${lf}${xsi}<?pi x?>`)))).to.deep.equal(expected);
    });

    it('turns a fault into a SoapCallError with its WSUS ErrorCode and Message', () => {
      const err = refusal(() =>
        readGetUpdateDataResponse(fault('<detail><ErrorCode>InvalidCookie</ErrorCode><Message>expired &lt;1&gt;</Message></detail>')),
      );
      expect(err.errorCode).to.equal('InvalidCookie');
      expect(err.message).to.contain('expired <1>');
    });

    for (const [name, xml] of [
      ['malformed XML', updateData(update('<XmlUpdateBlob>x</XmlUpdateBlb>'))],
      ['an undefined entity', updateData(update('<XmlUpdateBlob>&nbsp;</XmlUpdateBlob>'))],
      [
        'a DOCTYPE',
        `<!DOCTYPE e [<!ENTITY a "x">]>${updateData(update('<XmlUpdateBlob>&a;</XmlUpdateBlob>')).replace('<?xml version="1.0"?>', '')}`,
      ],
      ['a truncated response', updateData(update('<XmlUpdateBlob>x</XmlUpdateBlob>')).slice(0, -20)],
      ['an unbound prefix', updateData(update('<q:XmlUpdateBlob>x</q:XmlUpdateBlob>'))],
      ['a SOAP 1.2 envelope', updateData('').replace(SOAP, 'http://www.w3.org/2003/05/soap-envelope')],
      ['another response', body(`<GetCookieResponse xmlns="${WSUS}"/>`)],
      ['an update without XmlUpdateBlob', updateData(update('<XmlUpdateBlobCompressed>x</XmlUpdateBlobCompressed>'))],
      ['no GetUpdateDataResult', body(`<GetUpdateDataResponse xmlns="${WSUS}"/>`)],
      ['a forbidden character', updateData(update('<XmlUpdateBlob>&#0;</XmlUpdateBlob>'))],
      ['a forbidden raw character', updateData(update('<XmlUpdateBlob>\u0001</XmlUpdateBlob>'))],
      ['"]]>" in text', updateData(update('<XmlUpdateBlob>a]]>b</XmlUpdateBlob>'))],
      ['a malformed declaration', updateData(update('<XmlUpdateBlob>x</XmlUpdateBlob>')).replace('<?xml version="1.0"?>', '<?xml ?>')],
      ['text after the envelope', `${updateData(update('<XmlUpdateBlob>x</XmlUpdateBlob>'))}\u00a0`],
    ]) {
      it(`refuses ${name}`, () => {
        expect(refusal(() => readGetUpdateDataResponse(xml)).errorCode).to.equal(undefined);
      });
    }
  });

  describe('readGetRevisionIdListResponse', () => {
    const list = (inner: string) =>
      body(
        `<GetRevisionIdListResponse xmlns="${WSUS}"><GetRevisionIdListResult>${inner}</GetRevisionIdListResult></GetRevisionIdListResponse>`,
      );
    const identity = (n: number) => `<UpdateIdentity><UpdateID>${ID}</UpdateID><RevisionNumber>${n}</RevisionNumber></UpdateIdentity>`;

    it('reads the anchor and the identities, not commented-out ones', () => {
      const xml = list(`<Anchor>a&amp;b</Anchor><NewRevisions>${identity(1)}<!-- ${identity(9)} -->\n${identity(2)}</NewRevisions>`);
      expect(readGetRevisionIdListResponse(xml)).to.deep.equal({
        anchor: 'a&b',
        revisions: [
          { updateId: ID, revisionNumber: 1 },
          { updateId: ID, revisionNumber: 2 },
        ],
      });
    });

    it('refuses a response without an anchor, and one whose only anchor is commented out', () => {
      refusal(() => readGetRevisionIdListResponse(list('<NewRevisions/>')));
      refusal(() => readGetRevisionIdListResponse(list('<!-- <Anchor>x</Anchor> --><NewRevisions/>')));
    });
  });

  describe('request writers', () => {
    const cookie = { Expiration: '2026-12-01T00:00:00Z', EncryptedData: 'a+b/c==' };

    it('writes GetRevisionIdList with the anchor escaped and the category filters', () => {
      const x = envelope(
        getRevisionIdListRequest(cookie, {
          anchor: '<a&b>',
          getConfig: false,
          categories: [{ id: ID, delta: true }],
          classifications: [{ id: ID, delta: false }],
        }),
      );
      expect(x).to.equal(
        `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="${SOAP}"><soap:Body><GetRevisionIdList xmlns="${WSUS}">` +
          `<cookie><Expiration>${cookie.Expiration}</Expiration><EncryptedData>a+b/c==</EncryptedData></cookie><filter><Anchor>&lt;a&amp;b&gt;</Anchor>` +
          `<GetConfig>false</GetConfig><Categories><IdAndDelta><Id>${ID}</Id><Delta>true</Delta></IdAndDelta></Categories>` +
          `<Classifications><IdAndDelta><Id>${ID}</Id><Delta>false</Delta></IdAndDelta></Classifications></filter></GetRevisionIdList></soap:Body></soap:Envelope>`,
      );
    });

    it('writes GetUpdateData with each identity', () => {
      expect(getUpdateDataRequest(cookie, [{ updateId: ID, revisionNumber: 3 }]).toString()).to.contain(
        `<updateIds><UpdateIdentity><UpdateID>${ID}</UpdateID><RevisionNumber>3</RevisionNumber></UpdateIdentity></updateIds>`,
      );
    });

    it('refuses an anchor holding a character XML forbids', () => {
      expect(() => getRevisionIdListRequest(cookie, { anchor: 'a\u0000', getConfig: true, categories: [], classifications: [] })).to.throw(
        /U\+0000/,
      );
    });
  });
});
