import { expect } from 'chai';
import { ConfigError, loadConfig, parseByteSize } from '../../src/config/config';

describe('configuration', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c.port).to.equal(8530);
    expect(c.publicUrl).to.equal('http://localhost:8530');
    expect(c.contentDir).to.equal(`${c.dataDir}/content`);
    expect(c.databaseUrl).to.equal(undefined);
    expect(c.upstream).to.equal(undefined);
    expect(c.contentPolicy).to.equal('on-demand');
  });

  it('reads an upstream, a schedule and sizes', () => {
    const c = loadConfig({
      CASCADE_UPSTREAM_URL: 'http://root:8530/',
      CASCADE_UPSTREAM_ID: 'AAAAAAAA-1111-4222-8333-944455556666',
      CASCADE_UPSTREAM_SECRET: 's3cret',
      CASCADE_SYNC_SCHEDULE: '0 */6 * * *',
      CASCADE_UPLOAD_MAX_BYTES: '2GiB',
    });
    expect(c.upstream).to.deep.equal({ url: 'http://root:8530', serverId: 'aaaaaaaa-1111-4222-8333-944455556666', secret: 's3cret' });
    expect(c.syncSchedule).to.equal('0 */6 * * *');
    expect(c.uploadMaxBytes).to.equal(2 * 1024 ** 3);
    expect(parseByteSize('512MB')).to.equal(512 * 1024 ** 2);
  });

  it('names every bad variable in one error, and never echoes a secret', () => {
    try {
      loadConfig({
        CASCADE_PORT: '99999',
        DATABASE_URL: 'mysql://x',
        CASCADE_UPSTREAM_SECRET: 'hush',
        CASCADE_CONTENT_POLICY: 'sometimes',
      });
      expect.fail('no error');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of ['CASCADE_PORT', 'DATABASE_URL', 'CASCADE_UPSTREAM_URL', 'CASCADE_UPSTREAM_ID', 'CASCADE_CONTENT_POLICY'])
        expect(problems).to.contain(name);
      expect(problems).to.not.contain('hush');
    }
  });

  for (const [name, value] of [
    ['DATABASE_URL', 'not a url'],
    ['CASCADE_UPSTREAM_URL', 'localhost 8530'],
    ['CASCADE_PUBLIC_URL', 'http//x'],
  ]) {
    it(`names ${name} when it is not a URL`, () => {
      const env: Record<string, string> = { [name]: value };
      if (name === 'CASCADE_UPSTREAM_URL')
        Object.assign(env, { CASCADE_UPSTREAM_ID: 'aaaaaaaa-1111-4222-8333-944455556666', CASCADE_UPSTREAM_SECRET: 's' });
      expect(() => loadConfig(env)).to.throw(ConfigError, new RegExp(`${name}: must be a URL`));
    });
  }

  it('reads the sign-in limits, with defaults, and refuses a zero hashing concurrency', () => {
    expect(loadConfig({}).credentials).to.deep.equal({
      failuresPerSource: 10,
      failuresPerAccount: 30,
      failureWindowMs: 300_000,
      hashConcurrency: 2,
      cacheMs: 300_000,
    });
    const c = loadConfig({
      CASCADE_AUTH_FAILURES_PER_SOURCE: '3',
      CASCADE_AUTH_FAILURE_WINDOW_SECONDS: '60',
      CASCADE_AUTH_CACHE_SECONDS: '0',
    });
    expect(c.credentials).to.include({ failuresPerSource: 3, failureWindowMs: 60_000, cacheMs: 0 });
    expect(() => loadConfig({ CASCADE_AUTH_HASH_CONCURRENCY: '0' })).to.throw(
      ConfigError,
      /CASCADE_AUTH_HASH_CONCURRENCY: must be between 1 and 64/,
    );
  });

  it('refuses a cron expression croner cannot run, naming the variable', () => {
    for (const schedule of ['61 * * * *', '* * 32 * *', 'a b c d e']) {
      expect(() => loadConfig({ CASCADE_SYNC_SCHEDULE: schedule }), schedule).to.throw(ConfigError, /CASCADE_SYNC_SCHEDULE: must be/);
    }
    for (const schedule of ['0 */6 * * *', '30 2 * * 1-5', '0 0 3 * * *', '6h'])
      expect(loadConfig({ CASCADE_SYNC_SCHEDULE: schedule }).syncSchedule).to.equal(schedule);
  });
});
