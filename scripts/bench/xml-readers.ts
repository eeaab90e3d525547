// Reads one realistic GetUpdateData response (100 update documents of ~2 KB each as XmlUpdateBlob text)
// with each candidate XML reader, in one run, and prints MB/s and whether the reader is correct enough
// for a parent's responses: refuses malformed XML, keeps CDATA as text, ignores comments, decodes
// entities, resolves namespace prefixes other than the usual ones.
// Run: npm run build && node dist/scripts/bench/xml-readers.js [seconds per reader]
import { performance } from 'node:perf_hooks';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import sax from 'sax';
import { SaxesParser } from 'saxes';
import { buildUpdateXml } from '../../src/domain/update-xml';
import { getUpdateDataResponseXml } from '../../src/soap/update-data-xml';
import { readGetUpdateDataResponse } from '../../src/clients/server-sync-wire';

const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
const WSUS = 'http://www.microsoft.com/SoftwareDistribution';

/** A reader returns the XmlUpdateBlob texts of a response, or throws on a fault or malformed XML. */
type Reader = (xml: string) => string[];

/** eventReader collects XmlUpdateBlob texts from namespace-resolved element events, whoever parses. */
function eventReader() {
  let text = '';
  let fault = false;
  const blobs: string[] = [];
  return {
    blobs,
    open(uri: string, local: string) {
      text = '';
      if (uri === SOAP && local === 'Fault') fault = true;
    },
    text(t: string) {
      text += t;
    },
    close(uri: string, local: string) {
      if (uri === WSUS && local === 'XmlUpdateBlob') blobs.push(text);
      text = '';
    },
    done() {
      if (fault) throw new Error('fault');
      return blobs;
    },
  };
}

const readers: Record<string, Reader> = {
  'sax 1.6.1 (strict, xmlns)': (xml) => {
    const r = eventReader();
    const p = sax.parser(true, { xmlns: true, position: false });
    p.onopentag = (t) => r.open((t as sax.QualifiedTag).uri, (t as sax.QualifiedTag).local);
    p.ontext = p.oncdata = (t) => r.text(t);
    p.onclosetag = () => {
      const t = (p as unknown as { tag: sax.QualifiedTag }).tag;
      r.close(t.uri, t.local);
    };
    p.onerror = (e) => {
      throw e;
    };
    p.write(xml).close();
    return r.done();
  },
  'saxes 6.0.0 (xmlns)': (xml) => {
    const r = eventReader();
    const p = new SaxesParser({ xmlns: true, position: false });
    p.on('opentag', (t) => r.open(t.uri, t.local));
    p.on('text', (t) => r.text(t));
    p.on('cdata', (t) => r.text(t));
    p.on('closetag', (t) => r.close(t.uri, t.local));
    p.write(xml).close();
    return r.done();
  },
  'fast-xml-parser 5.12.1 (validate + parse, prefixes stripped)': (xml) => {
    const valid = XMLValidator.validate(xml);
    if (valid !== true) throw new Error(valid.err.msg);
    const doc = new XMLParser({
      removeNSPrefix: true,
      parseTagValue: false,
      ignoreDeclaration: true,
      isArray: (n) => n === 'ServerSyncUpdateData',
    }).parse(xml);
    const body = doc.Envelope.Body;
    if (body.Fault) throw new Error('fault');
    return (body.GetUpdateDataResponse.GetUpdateDataResult.updates.ServerSyncUpdateData as Array<{ XmlUpdateBlob: string }>).map(
      (u) => u.XmlUpdateBlob,
    );
  },
  'Cascade reader (scanner, saxes for the rest; readGetUpdateDataResponse)': (xml) => readGetUpdateDataResponse(xml).map((u) => u.xml),
};

/** response writes a GetUpdateData response as a parent does, with `n` update documents of about 2 KB. */
function response(n: number): string {
  const updates = Array.from({ length: n }, (_, i) => {
    const guid = (k: number) => `${(0x10000000 + i * 7 + k).toString(16)}-aaaa-4bbb-8ccc-${(0x100000000000 + k).toString(16)}`;
    const xml = buildUpdateXml({
      identity: { updateId: guid(0), revisionNumber: 1 + (i % 5) },
      updateType: 'Software',
      publicationState: 'Published',
      creationDate: '2026-11-25T10:00:00.000Z',
      title: `Security update for Product ${i} (KB${5030000 + i}) & "friends" <x64>`,
      description: 'Install this update to resolve issues in Windows. '.repeat(5),
      kbArticleId: String(5030000 + i),
      msrcSeverity: 'Important',
      categoryIds: [guid(1), guid(2)],
      prerequisites: [guid(3)],
      supersededUpdates: [guid(4), guid(5)],
      bundledUpdates: [],
      files: [1, 2].map((k) => ({
        sha1: (i * 10 + k).toString(16).padStart(40, 'a'),
        sha256: (i * 10 + k).toString(16).padStart(64, 'b'),
        size: 1000 * k,
        fileName: `windows10.0-kb${5030000 + i}-x64-${k}.msu`,
        modified: '2026-11-25T10:00:00.000Z',
      })),
    });
    return { id: { updateId: guid(0), revisionNumber: 1 }, xml, fileSha1s: [(i * 10 + 1).toString(16).padStart(40, 'a')] };
  });
  return (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' +
    getUpdateDataResponseXml(updates, []) +
    '</soap:Body></soap:Envelope>'
  );
}

/** Cases a correct reader must get right: [name, document, expected blobs or 'refuse']. */
const BLOB = (body: string, env = 'soap') =>
  `<${env}:Envelope xmlns:${env}="${SOAP}"><${env}:Body><GetUpdateDataResponse xmlns="${WSUS}"><GetUpdateDataResult><updates>` +
  `<ServerSyncUpdateData><Id><UpdateID>d2a0b7e1-0000-4000-8000-000000000001</UpdateID><RevisionNumber>1</RevisionNumber></Id>${body}</ServerSyncUpdateData>` +
  `</updates></GetUpdateDataResult></GetUpdateDataResponse></${env}:Body></${env}:Envelope>`;
const CASES: Array<[string, string, string[] | 'refuse']> = [
  ['entities', BLOB('<XmlUpdateBlob>&lt;a b=&quot;1&quot;/&gt; &#x263A;&amp;</XmlUpdateBlob>'), ['<a b="1"/> \u263a&']],
  ['CDATA', BLOB('<XmlUpdateBlob><![CDATA[<a/>]]></XmlUpdateBlob>'), ['<a/>']],
  ['a commented-out element', BLOB('<!-- <XmlUpdateBlob>old</XmlUpdateBlob> --><XmlUpdateBlob>x</XmlUpdateBlob>'), ['x']],
  ['a Fault inside CDATA', BLOB('<XmlUpdateBlob><![CDATA[<soap:Fault/>]]></XmlUpdateBlob>'), ['<soap:Fault/>']],
  ['another envelope prefix', BLOB('<XmlUpdateBlob>x</XmlUpdateBlob>', 'e'), ['x']],
  ['a prefixed WSUS element', BLOB('<w:XmlUpdateBlob xmlns:w="http://www.microsoft.com/SoftwareDistribution">x</w:XmlUpdateBlob>'), ['x']],
  ['a Fault in a foreign namespace', BLOB('<XmlUpdateBlob>x</XmlUpdateBlob><f:Fault xmlns:f="urn:other"/>'), ['x']],
  ['mismatched tags', BLOB('<XmlUpdateBlob>x</XmlUpdateBlb>'), 'refuse'],
  ['an undefined entity', BLOB('<XmlUpdateBlob>&nbsp;</XmlUpdateBlob>'), 'refuse'],
  ['a truncated response', BLOB('<XmlUpdateBlob>x</XmlUpdateBlob>').slice(0, -30), 'refuse'],
  ['an unbound prefix', BLOB('<q:XmlUpdateBlob>x</q:XmlUpdateBlob>'), 'refuse'],
];

function correctness(read: Reader): string[] {
  const wrong: string[] = [];
  for (const [name, xml, expected] of CASES) {
    let got: string[] | 'refuse';
    try {
      got = read(xml);
    } catch {
      got = 'refuse';
    }
    if (JSON.stringify(got) !== JSON.stringify(expected)) wrong.push(name);
  }
  return wrong;
}

function main() {
  const seconds = Number(process.argv[2] ?? 2);
  const xml = response(100);
  const mb = Buffer.byteLength(xml) / 1e6;
  console.log(`GetUpdateData response: 100 documents, ${(mb * 1000).toFixed(0)} KB`);
  for (const [name, read] of Object.entries(readers)) {
    if (read(xml).length !== 100) throw new Error(`${name} did not read 100 documents`);
    for (let i = 0; i < 20; i++) read(xml);
    let runs = 0;
    const start = performance.now();
    while (performance.now() - start < seconds * 1000) {
      read(xml);
      runs++;
    }
    const rate = (runs * mb) / ((performance.now() - start) / 1000);
    const wrong = correctness(read);
    console.log(`${name.padEnd(62)} ${rate.toFixed(1).padStart(7)} MB/s  ${wrong.length ? `INCORRECT: ${wrong.join(', ')}` : 'correct'}`);
  }
}

main();
