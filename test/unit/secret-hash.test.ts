import { expect } from 'chai';
import { generateSecret, hashSecret, verifySecret } from '../../src/crypto/secret-hash';

describe('secret-hash', () => {
  it('hashes as scrypt$16384$8$1$salt$hash and verifies only the same secret', async () => {
    const stored = await hashSecret('correct horse');
    const parts = stored.split('$');
    expect(parts.slice(0, 4)).to.deep.equal(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(parts[4], 'base64')).to.have.length(16);
    expect(Buffer.from(parts[5], 'base64')).to.have.length(32);
    expect(await verifySecret('correct horse', stored)).to.equal(true);
    expect(await verifySecret('correct horsf', stored)).to.equal(false);
    expect(await verifySecret('', stored)).to.equal(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashSecret('same'), hashSecret('same')]);
    expect(a).to.not.equal(b);
    expect(await verifySecret('same', a)).to.equal(true);
    expect(await verifySecret('same', b)).to.equal(true);
  });

  it('rejects malformed or out-of-bounds stored values without throwing', async () => {
    const good = (await hashSecret('x')).split('$');
    const variants = [
      '',
      'plain',
      good.join('$').replace(/^scrypt/, 'bcrypt'),
      good.slice(0, 5).join('$'),
      ['scrypt', '16385', ...good.slice(2)].join('$'), // N not a power of two
      ['scrypt', String(1 << 22), ...good.slice(2)].join('$'), // N too costly
      ['scrypt', '16384', '0', ...good.slice(3)].join('$'),
      [...good.slice(0, 5), 'AAAA'].join('$'), // hash too short
    ];
    for (const v of variants) expect(await verifySecret('x', v), v).to.equal(false);
  });

  it('generates 32-character base64url secrets with no ":"', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const s = generateSecret();
      expect(s).to.match(/^[A-Za-z0-9_-]{32}$/);
      seen.add(s);
    }
    expect(seen.size).to.equal(50);
  });
});
