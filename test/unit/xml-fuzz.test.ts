import { isDeepStrictEqual } from 'node:util';
import { expect } from 'chai';
import sax from 'sax';
import { SaxesParser } from 'saxes';
import type { UpdateDocument } from '../../src/domain/update-document';
import { buildUpdateXml, parseUpdateXml, parseUpdateXmlStrictly } from '../../src/domain/update-xml';
import { xml, XmlCharacterError } from '../../src/lib/xml-writer';
import { getUpdateDataResponseXml } from '../../src/soap/update-data-xml';
import { readGetUpdateDataResponse, type UpstreamUpdateData } from '../../src/clients/server-sync-wire';

// Differential fuzz tests of the hand-written XML codecs: seeded random documents, well-formed and
// malformed; each fast path must agree with a strict parser, or refuse the input.

/** mulberry32: a small seeded PRNG, so a failure reproduces from its case number. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(l: readonly T[]): T => l[int(l.length)];
  return { next, int, pick };
}
type Rng = ReturnType<typeof prng>;

// Text pieces chosen to hit escapes, markup look-alikes, non-BMP text and (rarely) forbidden characters.
const PIECES = [
  'a',
  'Z',
  ' ',
  '\t',
  '\n',
  '\r',
  '&',
  '<',
  '>',
  '"',
  "'",
  ']]>',
  '<!--',
  '-->',
  '<![CDATA[',
  '&amp;',
  '&#x41;',
  'é',
  '\u263a',
  '\u{1F600}',
  '\u00a0',
  '\ufffd',
  '<x/>',
  '</y>',
  '?>',
  'KB5031234',
  '2026-11-25T10:00:00.000Z',
];
const FORBIDDEN = ['\u0000', '\u0007', '\u001f', '\ufffe', '\uffff', '\ud800', '\udc00'];
const FORBIDDEN_RE =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function text(r: Rng, forbidden = 0): string {
  let s = '';
  for (let n = r.int(8); n > 0; n--) s += r.next() < forbidden ? r.pick(FORBIDDEN) : r.pick(PIECES);
  return s;
}

/** saxesRead reads the text of the first element and its `a` attribute with saxes, the reference strict parser. */
function saxesRead(doc: string): { text: string; a: string | undefined } {
  const p = new SaxesParser();
  let out = '';
  let a: string | undefined;
  let depth = 0;
  p.on('opentag', (t) => {
    if (depth++ === 0) a = t.attributes.a as string | undefined;
  });
  p.on('closetag', () => depth--);
  p.on('text', (t) => (out += depth === 1 ? t : ''));
  p.on('cdata', (t) => (out += depth === 1 ? t : ''));
  p.write(doc).close();
  return { text: out, a };
}

describe('XML codecs, differential fuzz', () => {
  it('the writer escapes any text for element content and attributes, or refuses it exactly when XML forbids a character (3000 cases)', () => {
    const r = prng(7);
    for (let i = 0; i < 3000; i++) {
      const t = text(r, 0.05);
      const a = text(r, 0.05);
      let written: string;
      try {
        written = xml`<e a="${a}">${t}</e>`.toString();
      } catch (err) {
        expect(err, `case ${i}`).to.be.instanceOf(XmlCharacterError);
        expect(FORBIDDEN_RE.test(t) || FORBIDDEN_RE.test(a), `case ${i}: refused ${JSON.stringify([t, a])}`).to.equal(true);
        continue;
      }
      expect(FORBIDDEN_RE.test(t) || FORBIDDEN_RE.test(a), `case ${i}: accepted ${JSON.stringify([t, a])}`).to.equal(false);
      expect(saxesRead(written), `case ${i}: ${JSON.stringify(written)}`).to.deep.equal({ text: t, a });
    }
  });

  describe('update documents', () => {
    const GUIDS = ['6a1e8f4b-2c3d-4e5f-8a9b-0c1d2e3f4a5b', '0fa1201d-4330-4fa8-8ae9-b877473b6441', '11111111-2222-3333-4444-555555555555'];
    const randomDoc = (r: Rng): UpdateDocument => ({
      identity: { updateId: r.pick(GUIDS), revisionNumber: r.int(300) },
      updateType: r.pick(['Software', 'Driver'] as const),
      publicationState: r.pick(['Published', 'Expired'] as const),
      creationDate: '2026-11-25T10:00:00.000Z',
      title: text(r).trim(),
      description: text(r).trim(),
      ...(r.next() < 0.5 ? { kbArticleId: String(r.int(1e7)) } : {}),
      ...(r.next() < 0.5 ? { msrcSeverity: r.pick(['Critical', 'Low']) } : {}),
      categoryIds: GUIDS.slice(r.int(3)),
      prerequisites: GUIDS.slice(r.int(3)),
      supersededUpdates: GUIDS.slice(r.int(3)),
      bundledUpdates: GUIDS.slice(r.int(3)),
      files: Array.from({ length: r.int(3) }, (_, k) => ({
        sha1: String(k).repeat(40),
        sha256: String(k).repeat(64),
        size: r.int(1e6),
        fileName: `f${k}${text(r).replace(/[\\/\u0000-\u001f]/g, '')}.msu`,
        modified: text(r),
      })),
    });
    // Markup inserted at a random place: comments, CDATA, PIs, DOCTYPE, stray characters, entities, broken tags.
    const MUTATIONS = [
      '<!-- <upd:Title>fake</upd:Title> -->',
      '<![CDATA[<upd:Title>fake</upd:Title>]]>',
      '<?pi data?>',
      '<!DOCTYPE x>',
      '<',
      '>',
      '&',
      '&lt;',
      '&#0;',
      '&#x7;',
      '&bogus;',
      ']]>',
      '"',
      "'",
      '</upd:Title>',
      '<upd:Title>',
      '<a b="1" b="2"/>',
      '<a b=1/>',
      '\u0007',
      '=',
      ' ',
      '--',
      '<!-- a -- b -->',
      '<!--->',
      '<![CDATA[x]]',
      '<upd:Update/>',
      '<?xml version="1.0"?>',
    ];

    /** outcome is the document read, or "refused" when the reader threw InvalidParameters. */
    const outcome = (read: (x: string) => UpdateDocument, doc: string) => {
      try {
        return read(doc);
      } catch (err) {
        expect(err).to.have.property('code', 'InvalidParameters');
        return 'refused';
      }
    };

    it('round-trip random documents through the writer and both readers (1000 cases)', () => {
      const r = prng(11);
      for (let i = 0; i < 1000; i++) {
        const d = randomDoc(r);
        const written = buildUpdateXml(d);
        expect(parseUpdateXml(written), `case ${i}`).to.deep.equal(d);
        expect(parseUpdateXmlStrictly(written), `case ${i}`).to.deep.equal(d);
      }
    });

    it('the scanner and the strict parser agree on mutated documents, or both refuse them (1500 cases)', () => {
      const r = prng(13);
      for (let i = 0; i < 1500; i++) {
        let doc = buildUpdateXml(randomDoc(r));
        for (let n = 1 + r.int(2); n > 0; n--) {
          const at = r.int(doc.length + 1);
          const kind = r.int(4);
          if (kind === 0) doc = doc.slice(0, at) + doc.slice(at + 1 + r.int(5));
          else doc = doc.slice(0, at) + r.pick(MUTATIONS) + doc.slice(at);
        }
        const fast = outcome(parseUpdateXml, doc);
        const strict = outcome(parseUpdateXmlStrictly, doc);
        if (!isDeepStrictEqual(fast, strict)) expect(fast, `case ${i}: ${doc}`).to.deep.equal(strict);
      }
    });
  });

  describe('GetUpdateData responses', () => {
    const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
    const ID = 'd2a0b7e1-0000-4000-8000-000000000001';

    /** reference reads the blobs with sax in strict namespace mode, independently of the reader under test. */
    function reference(envelope: string): UpstreamUpdateData[] {
      const p = sax.parser(true, { xmlns: true });
      const stack: sax.QualifiedTag[] = [];
      const out: UpstreamUpdateData[] = [];
      let t = '';
      let fault = false;
      let cur = { updateId: '', revisionNumber: NaN, xml: undefined as string | undefined };
      p.onerror = (e) => {
        throw e;
      };
      p.onopentag = (tag) => {
        stack.push(tag as sax.QualifiedTag);
        t = '';
        const q = tag as sax.QualifiedTag;
        if (stack.length === 3 && q.uri === SOAP && q.local === 'Fault') fault = true;
        if (q.local === 'ServerSyncUpdateData') cur = { updateId: '', revisionNumber: NaN, xml: undefined };
      };
      p.ontext = p.oncdata = (x) => (t += x);
      p.onclosetag = () => {
        const q = stack.pop()!;
        if (q.local === 'UpdateID') cur.updateId = t.trim().toLowerCase();
        else if (q.local === 'RevisionNumber') cur.revisionNumber = Number(t);
        else if (q.local === 'XmlUpdateBlob') cur.xml = t;
        else if (q.local === 'ServerSyncUpdateData')
          out.push({ id: { updateId: cur.updateId, revisionNumber: cur.revisionNumber }, xml: cur.xml! });
        t = '';
      };
      p.write(envelope).close();
      if (fault) throw new Error('fault');
      return out;
    }

    const MUTATIONS = [
      '<!-- <XmlUpdateBlob>old</XmlUpdateBlob> -->',
      '<![CDATA[<soap:Fault/>]]>',
      '<?pi x?>',
      '<',
      '&',
      '&amp;',
      '&#x41;',
      '&nbsp;',
      '<soap:Fault/>',
      '<x:Fault xmlns:x="urn:x"/>',
      '</XmlUpdateBlob>',
      '<XmlUpdateBlob>',
      '<q:a/>',
      '"',
      ']]>',
      '\u0007',
      '<!DOCTYPE x>',
      '<a xmlns="urn:other">',
    ];

    it('reads what the writer wrote, and on mutated responses agrees with sax or refuses (3000 cases)', () => {
      const r = prng(17);
      for (let i = 0; i < 3000; i++) {
        const updates = Array.from({ length: 1 + r.int(3) }, (_, k) => ({
          id: { updateId: ID, revisionNumber: k },
          xml: text(r),
          fileSha1s: [],
        }));
        let envelope = `<?xml version="1.0"?><soap:Envelope xmlns:soap="${SOAP}"><soap:Body>${getUpdateDataResponseXml(updates, [])}</soap:Body></soap:Envelope>`;
        expect(readGetUpdateDataResponse(envelope), `case ${i}`).to.deep.equal(updates.map((u) => ({ id: u.id, xml: u.xml })));
        for (let n = 1 + r.int(2); n > 0; n--) {
          const at = r.int(envelope.length + 1);
          envelope =
            r.int(4) === 0
              ? envelope.slice(0, at) + envelope.slice(at + 1 + r.int(5))
              : envelope.slice(0, at) + r.pick(MUTATIONS) + envelope.slice(at);
        }
        let read: UpstreamUpdateData[];
        try {
          read = readGetUpdateDataResponse(envelope);
        } catch {
          continue;
        }
        expect(read, `case ${i}: ${envelope}`).to.deep.equal(reference(envelope));
      }
    });
  });
});
