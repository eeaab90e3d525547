import { expect } from 'chai';
import { findXmlForbiddenChar, xml, XmlCharacterError, xmlFragments, XmlMarkup, xmlPrintable } from '../../../src/lib/xml-writer';

describe('xml writer', () => {
  it('escapes text and attribute values by default', () => {
    const v = `a<b>&"c"'d`;
    expect(xml`<e a="${v}">${v}</e>`.toString()).to.equal(`<e a="a&lt;b&gt;&amp;&quot;c&quot;'d">a&lt;b&gt;&amp;&quot;c&quot;'d</e>`);
  });

  it('keeps tab, LF and CR of an attribute value as references, and CR of text', () => {
    expect(xml`<e a="${'1\t2\n3\r4'}">${'1\t2\n3\r4'}</e>`.toString()).to.equal('<e a="1&#9;2&#10;3&#13;4">1\t2\n3&#13;4</e>');
  });

  it('cannot inject an attribute through a value', () => {
    const modified = '2026-01-01" Injected="1';
    expect(xml`<f Modified="${modified}"/>`.toString()).to.equal('<f Modified="2026-01-01&quot; Injected=&quot;1"/>');
  });

  it('inserts markup made by the writer as is, alone, in arrays and between attributes', () => {
    const items = ['1', '2'].map((i) => xml`<i>${i}</i>`);
    const optional = xml` b="${'x'}"`;
    expect(xml`<l a="1"${optional}>${items}${xmlFragments(items)}</l>`.toString()).to.equal(
      '<l a="1" b="x"><i>1</i><i>2</i><i>1</i><i>2</i></l>',
    );
  });

  it('writes numbers and booleans', () => {
    expect(xml`<n>${42}</n><b>${false}</b>`.toString()).to.equal('<n>42</n><b>false</b>');
  });

  it('refuses text at a tag name, in a single-quoted attribute, or inside a tag', () => {
    expect(() => xml`<${'e'}/>`).to.throw(TypeError);
    expect(() => xml`<e a='${'v'}'/>`).to.throw(TypeError);
    expect(() => xml`<e ${'a="1"'}/>`).to.throw(TypeError);
    expect(() => xml`<e a="${xml`<x/>`}"/>`).to.throw(TypeError);
  });

  it('cannot be forged: only the writer makes XmlMarkup', () => {
    expect(() => new XmlMarkup(Symbol('XmlMarkup') as never, '<x/>')).to.throw(TypeError);
  });

  for (const [name, s, at] of [
    ['NUL', 'a\u0000b', 1],
    ['BEL', 'ti\u0007tle', 2],
    ['a vertical tab', '\u000b', 0],
    ['U+FFFE', 'x\ufffe', 1],
    ['U+FFFF', '\uffff', 0],
    ['a lone high surrogate', 'a\ud800b', 1],
    ['a lone low surrogate', 'ab\udc00', 2],
    ['a high surrogate at the end', 'a\ud83d', 1],
  ] as Array<[string, string, number]>) {
    it(`refuses ${name} in text and attributes`, () => {
      expect(() => xml`<e>${s}</e>`)
        .to.throw(XmlCharacterError)
        .with.property('index', at);
      expect(() => xml`<e a="${s}"/>`).to.throw(XmlCharacterError);
      expect(findXmlForbiddenChar(s)).to.equal(at);
    });
  }

  it('keeps tab, LF, surrogate pairs and the rest of Unicode', () => {
    const s = 'a\tb\nc \u{1F600} \ud7ff \ue000 \ufffd é';
    expect(xml`<e>${s}</e>`.toString()).to.equal(`<e>${s}</e>`);
    expect(findXmlForbiddenChar(s)).to.equal(-1);
  });

  it('xmlPrintable replaces forbidden characters for diagnostics', () => {
    expect(xmlPrintable('a\u0000b\u0007c\ud800')).to.equal('a\ufffdb\ufffdc\ufffd');
  });
});
