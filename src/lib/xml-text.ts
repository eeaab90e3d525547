const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** isXmlChar tells whether XML 1.0 allows a code point (its production Char). */
const isXmlChar = (c: number) =>
  c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);

/** An ampersand that does not start a predefined entity. */
const ODD_AMPERSAND = /&(?!(?:lt|gt|amp|quot|apos);)/;

/**
 * decodeXmlText turns XML character data (predefined entities, character references, CDATA sections)
 * back into its string; undefined when it holds an entity XML does not predefine, a bare '&', or a reference to a
 * character XML 1.0 forbids.
 */
export function decodeXmlText(raw: string): string | undefined {
  if (!raw.includes('&') && !raw.includes('<![CDATA[')) return raw;
  // The common case, an escaped document: only predefined entities, each replaced by a native pass ('&amp;' last).
  if (!ODD_AMPERSAND.test(raw) && !raw.includes('<![CDATA['))
    return raw.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&apos;', "'").replaceAll('&amp;', '&');
  let bad = false;
  const out = raw.replace(
    /<!\[CDATA\[([\s\S]*?)\]\]>|&(#x[0-9a-fA-F]{1,6}|#\d{1,7}|[A-Za-z]+);|&/g,
    (whole, cdata: string | undefined, ref: string | undefined) => {
      if (cdata !== undefined) return cdata;
      if (ref === undefined) {
        bad = true;
        return whole;
      }
      if (ref.startsWith('#')) {
        const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
        if (!isXmlChar(code)) {
          bad = true;
          return whole;
        }
        return String.fromCodePoint(code);
      }
      const named = ENTITIES[ref];
      if (named === undefined) bad = true;
      return named ?? whole;
    },
  );
  return bad ? undefined : out;
}
