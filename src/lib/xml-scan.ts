import { decodeXmlText } from './xml-text';

/** What a scanned document is told, in document order: tags (attribute values decoded) and text (decoded). */
export interface XmlEvents {
  open(name: string, attributes: Record<string, string>): void;
  text(text: string): void;
  close(): void;
}

const XML_DECLARATION =
  /^<\?xml\s+version\s*=\s*(["'])1\.\d+\1(?:\s+encoding\s*=\s*(["'])[A-Za-z][\w.-]*\2)?(?:\s+standalone\s*=\s*(["'])(?:yes|no)\3)?\s*\?>/;
/** A tag is read in three sticky steps from where the last ended: its name, each attribute, its end. */
const TAG_NAME = /<(\/?)([A-Za-z_][\w:.-]*)/y;
const ATTRIBUTE = /\s+([A-Za-z_][\w:.-]*)\s*=\s*(?:"([^"<]*)"|'([^'<]*)')/y;
const TAG_END = /\s*(\/?)>/y;

/**
 * scanXml feeds a reader from well-formed XML made of elements, attributes, text, comments and CDATA.
 * It returns false, having judged nothing, for anything else (a DOCTYPE, a processing instruction past
 * the declaration, mismatched tags, stray '<', "]]>" in text), so the caller can hand the text to a strict
 * parser; the events it gave until then are to be forgotten. It checks no characters (see findXmlForbiddenChar)
 * and leaves line ends as they are.
 */
export function scanXml(xml: string, reader: XmlEvents): boolean {
  const open: string[] = [];
  let i = 0;
  if (xml.startsWith('<?xml')) {
    const declaration = XML_DECLARATION.exec(xml);
    if (!declaration) return false;
    i = declaration[0].length;
  }
  let rootSeen = false;
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const end = lt === -1 ? xml.length : lt;
    if (end > i) {
      const text = xml.slice(i, end);
      if (!open.length) {
        if (/[^ \t\r\n]/.test(text)) return false;
      } else {
        if (text.includes(']]>')) return false;
        const decoded = decodeXmlText(text);
        if (decoded === undefined) return false;
        reader.text(decoded);
      }
    }
    if (lt === -1) break;
    if (xml.startsWith('<!--', lt)) {
      const close = xml.indexOf('-->', lt + 4);
      // XML forbids '--' inside a comment and a comment ending in '--->'.
      if (close === -1 || xml.slice(lt + 4, close).includes('--') || (close > lt + 4 && xml[close - 1] === '-')) return false;
      i = close + 3;
      continue;
    }
    if (xml.startsWith('<![CDATA[', lt)) {
      const close = xml.indexOf(']]>', lt + 9);
      if (close === -1 || !open.length) return false;
      reader.text(xml.slice(lt + 9, close));
      i = close + 3;
      continue;
    }
    TAG_NAME.lastIndex = lt;
    const tag = TAG_NAME.exec(xml);
    if (!tag) return false;
    const name = tag[2];
    let at = TAG_NAME.lastIndex;
    if (tag[1]) {
      TAG_END.lastIndex = at;
      const tagEnd = TAG_END.exec(xml);
      if (!tagEnd || tagEnd[1] || open.pop() !== name) return false;
      reader.close();
      i = TAG_END.lastIndex;
      continue;
    }
    if (rootSeen && !open.length) return false;
    rootSeen = true;
    const a: Record<string, string> = {};
    ATTRIBUTE.lastIndex = at;
    for (let m = ATTRIBUTE.exec(xml); m; m = ATTRIBUTE.exec(xml)) {
      const value = decodeXmlText(m[2] ?? m[3]);
      if (value === undefined || a[m[1]] !== undefined) return false;
      a[m[1]] = value;
      at = ATTRIBUTE.lastIndex;
    }
    TAG_END.lastIndex = at;
    const tagEnd = TAG_END.exec(xml);
    if (!tagEnd) return false;
    reader.open(name, a);
    if (tagEnd[1]) reader.close();
    else open.push(name);
    i = TAG_END.lastIndex;
  }
  return rootSeen && !open.length;
}
