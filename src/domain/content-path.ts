/**
 * contentUrlPath is where a payload lives on every node: /Content/<XX>/<SHA1HEX><ext>, XX being the
 * last byte of the SHA-1 in upper-case hex and SHA1HEX the whole digest in upper case (as WSUS serves it).
 */
export function contentUrlPath(sha1: string, extension: string): string {
  const hex = sha1.toUpperCase();
  return `/Content/${hex.slice(-2)}/${hex}${extension.toLowerCase()}`;
}
