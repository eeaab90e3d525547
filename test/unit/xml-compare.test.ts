import { expect } from 'chai';
import { compareXml, parseXml, prettyXml, serializeXml, textMatches } from '../support/xml-compare';

// The golden-sample driver is only as strict as this comparison; these cases show it fails where it must.
describe('xml-compare (golden sample matching)', () => {
  const sample =
    '<s:Envelope xmlns:s="urn:env"><s:Body><R xmlns="urn:a"><Id>5e1b0001-0000-4000-8000-000000000001</Id><List/></R></s:Body></s:Envelope>';

  it('ignores prefixes, namespace declarations and indentation', () => {
    const other =
      '<e:Envelope xmlns:e="urn:env">\n  <e:Body>\n    <a:R xmlns:a="urn:a">\n      <a:Id>5e1b0001-0000-4000-8000-000000000001</a:Id>\n      <a:List></a:List>\n    </a:R>\n  </e:Body>\n</e:Envelope>';
    expect(compareXml(parseXml(sample), parseXml(other))).to.equal(undefined);
  });

  it('reports a different namespace, element order, missing or extra element, and text', () => {
    const diff = (actual: string) => compareXml(parseXml(sample), parseXml(actual));
    expect(diff(sample.replace('xmlns="urn:a"', 'xmlns="urn:b"'))).to.match(/expected element \{urn:a\}R, got \{urn:b\}R/);
    expect(
      diff(sample.replace('<Id>5e1b0001-0000-4000-8000-000000000001</Id><List/>', '<List/><Id>5e1b0001-0000-4000-8000-000000000001</Id>')),
    ).to.match(/\/R\[1\]\/Id: expected element/);
    expect(diff(sample.replace('<List/>', ''))).to.match(/missing child \{urn:a\}List/);
    expect(diff(sample.replace('<List/>', '<List><X/></List>'))).to.match(/unexpected child \{urn:a\}X/);
    expect(diff(sample.replace('0001</Id>', '0002</Id>'))).to.match(/Id: expected text/);
  });

  it('checks typed placeholders by pattern and leaves literal text exact', () => {
    expect(textMatches('{{GUID}}', '5e1b0001-0000-4000-8000-000000000001')).to.equal(true);
    expect(textMatches('{{GUID}}', 'not-a-guid')).to.equal(false);
    expect(textMatches('{{ANCHOR}}', '22,2026-11-25 04:16:28.111')).to.equal(true);
    expect(textMatches('{{ANCHOR}}', '22,2026-11-25T04:16:28Z')).to.equal(false);
    expect(textMatches('{{DATETIME}}', '2026-11-25T08:16:27.949Z')).to.equal(true);
    expect(textMatches('{{BASE64}}', 'j7/BIsHYeXLhIjUu6JI3LH8mYB0=')).to.equal(true);
    expect(textMatches('{{BASE64}}', 'abc')).to.equal(false);
    expect(textMatches('http://{{ANY}}/Content/1D.cab', 'http://127.0.0.1:4711/Content/1D.cab')).to.equal(true);
    expect(textMatches('a.b', 'axb')).to.equal(false);
    expect(() => textMatches('{{COOKIE}}', 'x')).to.throw(/unknown placeholder/);
  });

  it('serialises and pretty-prints without changing the canonical tree', () => {
    const tree = parseXml(
      '<r xmlns="urn:a" xmlns:x="urn:x" x:at="1 &amp; 2"><t>&lt;upd:Title&gt;A &amp;amp; B&lt;/upd:Title&gt;</t><e/></r>',
    );
    expect(compareXml(tree, parseXml(serializeXml(tree)))).to.equal(undefined);
    expect(compareXml(tree, parseXml(prettyXml(serializeXml(tree))))).to.equal(undefined);
  });
});
