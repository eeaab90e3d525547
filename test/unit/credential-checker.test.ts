import { expect } from 'chai';
import { randomBytes, scryptSync } from 'node:crypto';
import { hashSecret } from '../../src/crypto/secret-hash';
import { DomainError } from '../../src/domain/errors';
import { CredentialChecker, type CredentialSettings } from '../../src/services/credential-checker';

/** cheapHash is a valid stored hash with a tiny scrypt cost, so a test can verify many times quickly. */
function cheapHash(secret: string): string {
  const salt = randomBytes(16);
  return ['scrypt', 16, 1, 1, salt.toString('base64'), scryptSync(secret, salt, 32, { N: 16, r: 1, p: 1 }).toString('base64')].join('$');
}

const SETTINGS: CredentialSettings = {
  failuresPerSource: 3,
  failuresPerAccount: 5,
  failureWindowMs: 60_000,
  hashConcurrency: 2,
  cacheMs: 10_000,
};

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).to.be.instanceOf(DomainError);
  return err as DomainError;
}

describe('CredentialChecker', () => {
  let now = 0;
  const clock = () => now;
  const stored = cheapHash('right');
  beforeEach(() => {
    now = 5_000_000;
  });

  it('limits failures per source with TooManyRequests and a Retry-After, and lets the window clear it', async () => {
    const sut = new CredentialChecker(SETTINGS, clock);
    for (let i = 0; i < 3; i++) expect(await sut.verify({ account: 'p:a', source: 'x', secret: 'wrong', stored })).to.equal(false);
    const err = await refusal(sut.verify({ account: 'p:a', source: 'x', secret: 'right', stored }));
    expect(err.code).to.equal('TooManyRequests');
    expect(err.retryAfterSeconds).to.equal(60);
    expect(await sut.verify({ account: 'p:b', source: 'y', secret: 'right', stored }), 'another source and account').to.equal(true);
    now += 60_000;
    expect(await sut.verify({ account: 'p:a', source: 'x', secret: 'right', stored })).to.equal(true);
  });

  it('limits failures per account across sources, counting concurrent attempts before they are judged', async () => {
    const sut = new CredentialChecker(SETTINGS, clock);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        sut.verify({ account: 'p:a', source: `s${i}`, secret: 'wrong', stored }).catch((e: DomainError) => e.code),
      ),
    );
    expect(results.filter((r) => r === false)).to.have.length(5);
    expect(results.filter((r) => r === 'TooManyRequests')).to.have.length(7);
  });

  it('accepts a credential verified or used recently even while its account is limited, until it goes unused for cacheMs', async () => {
    const sut = new CredentialChecker(SETTINGS, clock);
    expect(await sut.verify({ account: 'p:a', source: 'good', secret: 'right', stored })).to.equal(true);
    for (let i = 0; i < 5; i++) await sut.verify({ account: 'p:a', source: `bad${i}`, secret: 'wrong', stored });
    expect(await sut.verify({ account: 'p:a', source: 'elsewhere', secret: 'right', stored })).to.equal(true);
    now += 9_000;
    expect(await sut.verify({ account: 'p:a', source: 'elsewhere', secret: 'right', stored }), 'each use extends it').to.equal(true);
    now += 9_000;
    expect(await sut.verify({ account: 'p:a', source: 'elsewhere', secret: 'right', stored })).to.equal(true);
    now += 10_001;
    expect((await refusal(sut.verify({ account: 'p:a', source: 'elsewhere', secret: 'right', stored }))).code).to.equal('TooManyRequests');
  });

  it('never accepts an old secret from the cache once the stored hash changed (a new secret)', async () => {
    const sut = new CredentialChecker(SETTINGS, clock);
    expect(await sut.verify({ account: 'p:a', secret: 'right', stored })).to.equal(true);
    const reset = cheapHash('new');
    expect(await sut.verify({ account: 'p:a', secret: 'right', stored: reset })).to.equal(false);
    expect(await sut.verify({ account: 'p:a', secret: 'new', stored: reset })).to.equal(true);
    expect(await sut.verify({ account: 'p:b', secret: 'right', stored }), 'the cache is per account').to.equal(true);
  });

  it('answers ServerBusy when more sign-ins wait for hashing than the queue holds, without counting them as failures', async () => {
    const sut = new CredentialChecker({ ...SETTINGS, failuresPerAccount: 1000, failuresPerSource: 1000, hashConcurrency: 1 }, clock);
    const costly = await hashSecret('right');
    const results = await Promise.all(
      Array.from({ length: 70 }, (_, i) =>
        sut.verify({ account: `p:${i}`, source: 'x', secret: 'wrong', stored: costly }).catch((e: DomainError) => e.code),
      ),
    );
    expect(results.filter((r) => r === 'ServerBusy').length).to.be.at.least(5);
    expect(results.filter((r) => r === false).length).to.be.at.least(1);
  });
});
