import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { open, seal, type AuthorizationCookiePayload, type CookiePayload } from '../../src/crypto/cookie-seal';
import { DomainError } from '../../src/domain/errors';

const key = randomBytes(32);
const nodeId = randomUUID();
const now = Date.UTC(2026, 10, 25, 12, 0, 0);

function authPayload(over: Partial<AuthorizationCookiePayload> = {}): AuthorizationCookiePayload {
  return { kind: 'auth', serverId: randomUUID(), channel: 'Branch Offices', issuerNodeId: nodeId, expiresAt: now + 60_000, ...over };
}

function cookiePayload(over: Partial<CookiePayload> = {}): CookiePayload {
  return {
    kind: 'cookie',
    serverId: randomUUID(),
    channel: 'Default',
    protocolVersion: '1.20',
    issuerNodeId: nodeId,
    expiresAt: now + 60_000,
    ...over,
  };
}

function failure(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(DomainError);
    return err as DomainError;
  }
  throw new Error('expected a DomainError');
}

describe('cookie-seal', () => {
  it('round-trips an AuthorizationCookie payload', () => {
    const p = authPayload({ channel: 'Zweigstellen – Süd' });
    expect(open(seal(p, key), 'auth', { key, nodeId, now })).to.deep.equal(p);
  });

  it('round-trips a Cookie payload', () => {
    const p = cookiePayload();
    expect(open(seal(p, key), 'cookie', { key, nodeId, now })).to.deep.equal(p);
  });

  it('uses a fresh IV, so sealing the same payload twice gives different bytes', () => {
    const p = cookiePayload();
    expect(seal(p, key).equals(seal(p, key))).to.equal(false);
  });

  it('does not contain the payload in clear text', () => {
    const sealed = seal(authPayload({ channel: 'VisibleChannelName' }), key);
    expect(sealed.includes(Buffer.from('VisibleChannelName'))).to.equal(false);
  });

  it('rejects a flipped bit anywhere in the sealed bytes', () => {
    const sealed = seal(cookiePayload(), key);
    for (let i = 0; i < sealed.length; i++) {
      const bad = Buffer.from(sealed);
      bad[i] ^= 0x01;
      expect(failure(() => open(bad, 'cookie', { key, nodeId, now })).code).to.equal('InvalidCookie');
    }
  });

  it('rejects truncated, empty, oversized and random bytes', () => {
    const sealed = seal(authPayload(), key);
    for (const bad of [
      sealed.subarray(0, sealed.length - 1),
      Buffer.alloc(0),
      Buffer.alloc(12),
      randomBytes(4096),
      randomBytes(sealed.length),
    ]) {
      expect(failure(() => open(bad, 'auth', { key, nodeId, now })).code).to.equal('InvalidAuthorizationCookie');
    }
  });

  it("rejects a cookie sealed with another node's key", () => {
    const sealed = seal(cookiePayload(), randomBytes(32));
    expect(failure(() => open(sealed, 'cookie', { key, nodeId, now })).code).to.equal('InvalidCookie');
  });

  it('rejects a cookie of the other kind, with the code of the expected kind', () => {
    const auth = seal(authPayload(), key);
    const cookie = seal(cookiePayload(), key);
    expect(failure(() => open(auth, 'cookie', { key, nodeId, now })).code).to.equal('InvalidCookie');
    expect(failure(() => open(cookie, 'auth', { key, nodeId, now })).code).to.equal('InvalidAuthorizationCookie');
  });

  it('rejects a cookie whose issuer is another node, even under the same key', () => {
    const sealed = seal(cookiePayload({ issuerNodeId: randomUUID() }), key);
    expect(failure(() => open(sealed, 'cookie', { key, nodeId, now })).code).to.equal('InvalidCookie');
  });

  it('rejects an expired cookie and accepts it until the last millisecond', () => {
    const sealed = seal(authPayload({ expiresAt: now }), key);
    expect(open(sealed, 'auth', { key, nodeId, now: now - 1 }).expiresAt).to.equal(now);
    const err = failure(() => open(sealed, 'auth', { key, nodeId, now }));
    expect(err.code).to.equal('InvalidAuthorizationCookie');
    expect(err.message).to.match(/expired/);
  });

  it('refuses to seal values outside the fixed schema', () => {
    expect(() => seal(authPayload({ serverId: 'not-a-uuid' }), key)).to.throw(/uuid/);
    expect(() => seal(cookiePayload({ protocolVersion: '1.20; drop' }), key)).to.throw(/protocol version/);
    expect(() => seal(authPayload({ channel: 'x'.repeat(513) }), key)).to.throw(/too long/);
    expect(() => seal(authPayload(), randomBytes(16))).to.throw(/32 bytes/);
  });
});
