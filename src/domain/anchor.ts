import { invalidParameters } from './errors';

/**
 * An anchor marks how far a child has synced: the change-log sequence high-water mark, written in
 * WSUS's `n,yyyy-MM-dd HH:mm:ss.fff` form (MS-WSUSSS N31). Children treat it as opaque.
 */
export interface Anchor {
  seq: bigint;
  at: Date;
}

const ANCHOR = /^(\d{1,19}),(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})$/;

/** formatAnchor writes an anchor; the time is UTC. */
export function formatAnchor(seq: bigint, at: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${seq},${at.getUTCFullYear()}-${p(at.getUTCMonth() + 1)}-${p(at.getUTCDate())} ` +
    `${p(at.getUTCHours())}:${p(at.getUTCMinutes())}:${p(at.getUTCSeconds())}.${p(at.getUTCMilliseconds(), 3)}`
  );
}

/** parseAnchor reads an anchor; absent or empty means "from the beginning"; anything malformed is InvalidParameters. */
export function parseAnchor(text: string | undefined | null): Anchor | undefined {
  if (text === undefined || text === null || text.trim() === '') return undefined;
  const m = ANCHOR.exec(text.trim());
  const at = m ? new Date(Date.UTC(+m[2], +m[3] - 1, +m[4], +m[5], +m[6], +m[7], +m[8])) : undefined;
  if (!m || !at || Number.isNaN(at.getTime()) || formatAnchor(BigInt(m[1]), at) !== text.trim()) {
    throw invalidParameters(`filter: anchor "${text}" is not of the form n,yyyy-MM-dd HH:mm:ss.fff`);
  }
  return { seq: BigInt(m[1]), at };
}
