import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const COST = { N: 16384, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
// Bounds for parameters read back from storage, so a tampered row cannot make one verify cost minutes.
const MAX_N = 1 << 20;
const MAX_R = 32;
const MAX_P = 16;

function derive(secret: string, salt: Buffer, keyBytes: number, cost: ScryptOptions): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; allow that plus headroom instead of Node's 32 MiB default.
  const maxmem = 256 * (cost.N ?? COST.N) * (cost.r ?? COST.r) + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(secret.normalize('NFC'), salt, keyBytes, { ...cost, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** hashSecret hashes a password with scrypt and a random salt, as "scrypt$N$r$p$<salt b64>$<hash b64>". */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(secret, salt, KEY_BYTES, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** verifySecret indicates whether secret matches a hashSecret result; a malformed stored value never matches. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map((s) => (/^\d{1,7}$/.test(s) ? Number(s) : NaN));
  const powerOfTwo = N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > MAX_N || !(r >= 1 && r <= MAX_R) || !(p >= 1 && p <= MAX_P)) return false;
  const salt = Buffer.from(parts[4], 'base64');
  const expected = Buffer.from(parts[5], 'base64');
  if (salt.length === 0 || expected.length < 16) return false;
  const actual = await derive(secret, salt, expected.length, { N, r, p });
  return timingSafeEqual(actual, expected);
}

/** generateSecret makes a new random password: 24 random bytes, base64url (32 characters, no ':'). */
export function generateSecret(): string {
  return randomBytes(24).toString('base64url');
}
