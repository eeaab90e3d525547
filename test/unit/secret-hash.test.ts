import { expect } from 'chai';
import { generateSecret, hashSecret, verifySecret } from '../../src/auth/secret-hash';

describe('secret-hash', () => {
  it('hashes in the scrypt$N$r$p$salt$hash form and verifies only the right secret', async () => {
    const stored = await hashSecret('correct horse');
    const parts = stored.split('$');
    expect(parts.slice(0, 4)).to.deep.equal(['scrypt', '16384', '8', '1']);
    expect(Buffer.from(parts[4], 'base64').length).to.equal(16);
    expect(Buffer.from(parts[5], 'base64').length).to.equal(32);
    expect(await verifySecret('correct horse', stored)).to.equal(true);
    expect(await verifySecret('correct horsE', stored)).to.equal(false);
  });

  it('salts every hash', async () => {
    expect(await hashSecret('same')).to.not.equal(await hashSecret('same'));
  });

  it('never matches a malformed or unreasonable stored hash', async () => {
    const stored = await hashSecret('s');
    const [, , r, p, salt, hash] = stored.split('$');
    for (const bad of ['', 'plain', `bcrypt$16384$${r}$${p}$${salt}$${hash}`, `scrypt$1000$${r}$${p}$${salt}$${hash}`,
      `scrypt$${1 << 24}$${r}$${p}$${salt}$${hash}`, `scrypt$16384$${r}$${p}$$${hash}`, `scrypt$16384$${r}$${p}$${salt}$AAAA`]) {
      expect(await verifySecret('s', bad), bad).to.equal(false);
    }
  });

  it('generates 24-byte base64url secrets', () => {
    const s = generateSecret();
    expect(s).to.match(/^[A-Za-z0-9_-]{32}$/);
    expect(generateSecret()).to.not.equal(s);
  });
});
