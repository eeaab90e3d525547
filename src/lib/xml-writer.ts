/**
 * Cascade's one XML writer. Markup comes only from the static parts of `xml` templates in the source;
 * every interpolated value is escaped for where it stands (element text or a double-quoted attribute)
 * and refused when it holds a character XML 1.0 forbids. Only the writer makes an XmlMarkup, so raw
 * text cannot be concatenated into a document by accident.
 */

const TOKEN = Symbol('XmlMarkup');

/** XmlMarkup indicates well-formed markup made by the writer; it is inserted into other templates as is. */
export class XmlMarkup {
  constructor(
    token: typeof TOKEN,
    private readonly markup: string,
  ) {
    if (token !== TOKEN) throw new TypeError('XmlMarkup is made only by the xml writer');
  }

  toString(): string {
    return this.markup;
  }
}

/** XmlCharacterError indicates a value holding a character XML 1.0 cannot carry (NUL, a C0 control, a lone surrogate, U+FFFE/U+FFFF). */
export class XmlCharacterError extends Error {
  constructor(
    readonly codePoint: number,
    readonly index: number,
  ) {
    super(`the character U+${codePoint.toString(16).toUpperCase().padStart(4, '0')} at position ${index} is not allowed in XML`);
    this.name = 'XmlCharacterError';
  }
}

/** A value a template can interpolate: escaped text, or markup from the writer. */
export type XmlValue = string | number | boolean | XmlMarkup | readonly XmlMarkup[];

const enum Hole {
  Text,
  Attribute,
  Tag,
}
const holesOf = new WeakMap<TemplateStringsArray, Hole[]>();

/**
 * xml is the writer: a tagged template whose holes are escaped text (strings, numbers, booleans) or
 * XmlMarkup (alone or in arrays). Inside a tag, between attributes, a hole takes only markup (an optional
 * attribute written by the writer); a hole in a single-quoted attribute is refused when the template first runs.
 */
export function xml(strings: TemplateStringsArray, ...values: XmlValue[]): XmlMarkup {
  const holes = holesOf.get(strings) ?? checkTemplate(strings);
  let out = strings[0];
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'object' && holes[i] === Hole.Tag) throw new TypeError('text cannot stand inside a tag');
    if (typeof v === 'string') out += escape(v, holes[i] === Hole.Attribute);
    else if (typeof v === 'number' || typeof v === 'boolean') out += escape(String(v), false);
    else {
      if (holes[i] === Hole.Attribute) throw new TypeError('markup cannot stand in an attribute value');
      if (v instanceof XmlMarkup) out += v.toString();
      else for (const m of v) out += (m as XmlMarkup).toString();
    }
    out += strings[i + 1];
  }
  return new XmlMarkup(TOKEN, out);
}

/** xmlFragments joins markup, e.g. built in a loop, into one piece. */
export function xmlFragments(parts: readonly XmlMarkup[]): XmlMarkup {
  return new XmlMarkup(TOKEN, parts.join(''));
}

// What keeps a text out of a CDATA section: "]]>" (it would end the section), a character XML 1.0 forbids, CR (a
// parser reads it as LF there, where escaped text keeps it as &#13;), and surrogates (checked pair by pair by escape).
const CDATA_UNSAFE = /[\0-\x08\x0b-\x1f\ud800-\udfff\ufffe\uffff]|\]\]>/;

/**
 * xmlCharacterData writes text as element content, for long texts full of markup characters (stored update documents
 * served to children): one CDATA section copying the text as is when it can stand there unchanged, escaped text
 * otherwise. Either way a parser reads back exactly the text.
 */
export function xmlCharacterData(s: string): XmlMarkup {
  return new XmlMarkup(TOKEN, CDATA_UNSAFE.test(s) ? escape(s, false) : `<![CDATA[${s}]]>`);
}

/** findXmlForbiddenChar returns the index of the first character XML 1.0 forbids in s, or -1. */
export function findXmlForbiddenChar(s: string): number {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20) {
      if (c !== 0x09 && c !== 0x0a && c !== 0x0d) return i;
    } else if (c >= 0xd800) {
      if (c <= 0xdbff) {
        const next = s.charCodeAt(i + 1);
        if (!(next >= 0xdc00 && next <= 0xdfff)) return i;
        i++;
      } else if (c <= 0xdfff || c >= 0xfffe) return i;
    }
  }
  return -1;
}

/** xmlPrintable replaces each character XML 1.0 forbids with U+FFFD, for diagnostics that echo input (fault messages). */
export function xmlPrintable(s: string): string {
  let out = s;
  for (let i = findXmlForbiddenChar(out); i !== -1; i = findXmlForbiddenChar(out)) out = out.slice(0, i) + '\ufffd' + out.slice(i + 1);
  return out;
}

/** checkTemplate finds, once per template, whether each hole stands in element content or in a double-quoted attribute value. */
function checkTemplate(strings: TemplateStringsArray): Hole[] {
  const holes: Hole[] = [];
  let state: 'text' | 'tag' | 'dq' | 'sq' = 'text';
  for (let i = 0; i < strings.length; i++) {
    for (const c of strings[i]) {
      if (state === 'text') state = c === '<' ? 'tag' : 'text';
      else if (state === 'tag') state = c === '>' ? 'text' : c === '"' ? 'dq' : c === "'" ? 'sq' : 'tag';
      else if (state === 'dq') state = c === '"' ? 'tag' : 'dq';
      else state = c === "'" ? 'tag' : 'sq';
    }
    if (i === strings.length - 1) break;
    if (state === 'sq' || (state === 'tag' && !/[\s"']$/.test(strings[i]))) {
      throw new TypeError(`xml template: a value cannot stand here: ${strings[i].slice(-40)}\${…}`);
    }
    holes.push(state === 'dq' ? Hole.Attribute : state === 'tag' ? Hole.Tag : Hole.Text);
  }
  holesOf.set(strings, holes);
  return holes;
}

// Replacement for each character below '?': undefined keeps it, '' refuses it. Attributes also keep
// tab, LF and CR as references, which attribute-value normalisation would otherwise turn into spaces.
const TEXT_ESCAPES: Array<string | undefined> = [];
const ATTRIBUTE_ESCAPES: Array<string | undefined> = [];
for (let c = 0; c < 0x3f; c++) {
  const refused = c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d ? '' : undefined;
  const common = ({ 0x26: '&amp;', 0x3c: '&lt;', 0x3e: '&gt;', 0x22: '&quot;', 0x0d: '&#13;' } as Record<number, string>)[c];
  TEXT_ESCAPES[c] = refused ?? common;
  ATTRIBUTE_ESCAPES[c] = refused ?? common ?? ({ 0x09: '&#9;', 0x0a: '&#10;' } as Record<number, string>)[c];
}

/**
 * escape writes s as character data. It is on the path of every stored update document a parent
 * serves (thousands per GetUpdateData response), hence a plain loop copying unchanged runs in slices.
 */
function escape(s: string, attribute: boolean): string {
  const table = attribute ? ATTRIBUTE_ESCAPES : TEXT_ESCAPES;
  let out = '';
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x3f) {
      const r = table[c];
      if (r === undefined) continue;
      if (r === '') throw new XmlCharacterError(c, i);
      out += s.slice(from, i) + r;
      from = i + 1;
    } else if (c >= 0xd800) {
      if (c <= 0xdbff) {
        const next = s.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          i++;
          continue;
        }
        throw new XmlCharacterError(c, i);
      }
      if (c <= 0xdfff || c >= 0xfffe) throw new XmlCharacterError(c, i);
    }
  }
  return from === 0 ? s : out + s.slice(from);
}
