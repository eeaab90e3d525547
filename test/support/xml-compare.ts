import sax from 'sax';

/** XmlElement is an element reduced to what a SOAP contract fixes: expanded name, attributes, children or text. */
export interface XmlElement {
  /** `{namespace}local`: prefixes are a serialiser's choice, namespaces are part of the contract. */
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/**
 * parseXml reads a document into XmlElements. Namespace declarations, comments and the XML declaration
 * are dropped; whitespace-only text between child elements is ignored, so a sample may be indented.
 */
export function parseXml(xml: string): XmlElement {
  const parser = sax.parser(true, { xmlns: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  parser.onopentag = (tag) => {
    const t = tag as sax.QualifiedTag;
    const attributes: Record<string, string> = {};
    for (const a of Object.values(t.attributes)) {
      if (a.prefix === 'xmlns' || a.name === 'xmlns') continue;
      attributes[`{${a.uri}}${a.local}`] = a.value;
    }
    const el: XmlElement = { name: `{${t.uri}}${t.local}`, attributes, children: [], text: '' };
    stack[stack.length - 1]?.children.push(el);
    root ??= el;
    stack.push(el);
  };
  parser.ontext = (text) => {
    if (stack.length) stack[stack.length - 1].text += text;
  };
  parser.oncdata = parser.ontext;
  parser.onclosetag = () => {
    const el = stack.pop()!;
    if (el.children.length && !el.text.trim()) el.text = '';
  };
  parser.write(xml).close();
  if (!root) throw new Error('no root element');
  return root;
}

/** TYPED_PLACEHOLDERS are the `{{NAME}}` tokens an expected text or attribute may hold, with what each accepts. */
export const TYPED_PLACEHOLDERS: Record<string, string> = {
  ANY: '[\\s\\S]*',
  GUID: '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}',
  ANCHOR: '\\d{1,19},\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3}',
  DATETIME: '\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,7})?(?:Z|[+-]\\d{2}:\\d{2})',
  BASE64: '(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{2}==)',
};

const PLACEHOLDER = /\{\{([A-Z0-9_]+)\}\}/g;

/** textMatches says whether actual text fits an expected text that may hold typed placeholders. */
export function textMatches(expected: string, actual: string): boolean {
  if (!expected.includes('{{')) return expected === actual;
  let pattern = '';
  let last = 0;
  for (const m of expected.matchAll(PLACEHOLDER)) {
    const type = TYPED_PLACEHOLDERS[m[1]];
    if (!type) throw new Error(`unknown placeholder ${m[0]} in expected text`);
    pattern += escapeRegExp(expected.slice(last, m.index)) + `(?:${type})`;
    last = m.index! + m[0].length;
  }
  pattern += escapeRegExp(expected.slice(last));
  return new RegExp(`^${pattern}$`).test(actual);
}

/** compareXml returns the first difference between an expected and an actual element tree, as a path and a reason, or undefined. */
export function compareXml(expected: XmlElement, actual: XmlElement, path = ''): string | undefined {
  const here = `${path}/${local(expected.name)}`;
  if (expected.name !== actual.name) return `${here}: expected element ${expected.name}, got ${actual.name}`;
  const names = new Set([...Object.keys(expected.attributes), ...Object.keys(actual.attributes)]);
  for (const n of [...names].sort()) {
    const [e, a] = [expected.attributes[n], actual.attributes[n]];
    if (e === undefined || a === undefined || !textMatches(e, a)) return `${here}/@${n}: expected ${show(e)}, got ${show(a)}`;
  }
  if (!textMatches(expected.text, actual.text)) return `${here}: expected text ${show(expected.text)}, got ${show(actual.text)}`;
  for (let i = 0; i < Math.max(expected.children.length, actual.children.length); i++) {
    const [e, a] = [expected.children[i], actual.children[i]];
    if (!e) return `${here}: unexpected child ${a.name} at position ${i + 1}`;
    if (!a) return `${here}: missing child ${e.name} at position ${i + 1}`;
    const diff = compareXml(e, a, `${here}[${i + 1}]`);
    if (diff) return diff;
  }
  return undefined;
}

/** serializeXml writes an element tree as a standalone document, declaring every namespace it uses on the root (for schema validation). */
export function serializeXml(root: XmlElement): string {
  const prefixes = new Map<string, string>();
  const qname = (expanded: string) => {
    const [uri, name] = [expanded.slice(1, expanded.indexOf('}')), local(expanded)];
    if (!uri) return name;
    if (!prefixes.has(uri)) prefixes.set(uri, `n${prefixes.size}`);
    return `${prefixes.get(uri)}:${name}`;
  };
  const write = (el: XmlElement): string => {
    const attrs = Object.entries(el.attributes)
      .map(([k, v]) => ` ${qname(k)}="${escapeXml(v, true)}"`)
      .join('');
    return `<${qname(el.name)}${attrs}>${escapeXml(el.text, false)}${el.children.map(write).join('')}</${qname(el.name)}>`;
  };
  const body = write(root);
  const decls = [...prefixes].map(([uri, p]) => ` xmlns:${p}="${escapeXml(uri, true)}"`).join('');
  return body.replace(/^<([^\s>]+)/, `<$1${decls}`);
}

/** prettyXml re-indents a document (two spaces, one element per line) keeping prefixes and namespace declarations, for capturing samples. */
export function prettyXml(xml: string): string {
  const parser = sax.parser(true, { xmlns: false });
  const out: string[] = [];
  const open: Array<{ tag: string; text: string; hasChildren: boolean; start: number }> = [];
  parser.onopentag = (tag) => {
    const parent = open[open.length - 1];
    if (parent) parent.hasChildren = true;
    const attrs = Object.entries(tag.attributes as Record<string, string>)
      .map(([k, v]) => ` ${k}="${escapeXml(v, true)}"`)
      .join('');
    out.push(`${'  '.repeat(open.length)}<${tag.name}${attrs}>`);
    open.push({ tag: tag.name, text: '', hasChildren: false, start: out.length - 1 });
  };
  parser.ontext = (t) => {
    if (open.length) open[open.length - 1].text += t;
  };
  parser.oncdata = parser.ontext;
  parser.onclosetag = () => {
    const el = open.pop()!;
    const indent = '  '.repeat(open.length);
    if (el.hasChildren) out.push(`${indent}</${el.tag}>`);
    else if (el.text) out[el.start] += `${escapeXml(el.text, false)}</${el.tag}>`;
    else out[el.start] = out[el.start].replace(/>$/, '/>');
  };
  parser.write(xml).close();
  return `${out.join('\n')}\n`;
}

const local = (name: string) => name.slice(name.indexOf('}') + 1);
const show = (s: string | undefined) => (s === undefined ? 'nothing' : JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s));
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const escapeXml = (s: string, attr: boolean) =>
  s.replace(attr ? /[<>&"]/g : /[<>&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
