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
    const c = loadConfig({ CASCADE_UPSTREAM_URL: 'http://root:8530/', CASCADE_UPSTREAM_ID: 'AAAAAAAA-1111-4222-8333-944455556666',
      CASCADE_UPSTREAM_SECRET: 's3cret', CASCADE_SYNC_SCHEDULE: '0 */6 * * *', CASCADE_UPLOAD_MAX_BYTES: '2GiB' });
    expect(c.upstream).to.deep.equal({ url: 'http://root:8530', serverId: 'aaaaaaaa-1111-4222-8333-944455556666', secret: 's3cret' });
    expect(c.syncSchedule).to.equal('0 */6 * * *');
    expect(c.uploadMaxBytes).to.equal(2 * 1024 ** 3);
    expect(parseByteSize('512MB')).to.equal(512 * 1024 ** 2);
  });

  it('names every bad variable in one error, and never echoes a secret', () => {
    try {
      loadConfig({ CASCADE_PORT: '99999', DATABASE_URL: 'mysql://x', CASCADE_UPSTREAM_SECRET: 'hush', CASCADE_CONTENT_POLICY: 'sometimes' });
      expect.fail('no error');
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of ['CASCADE_PORT', 'DATABASE_URL', 'CASCADE_UPSTREAM_URL', 'CASCADE_UPSTREAM_ID', 'CASCADE_CONTENT_POLICY']) expect(problems).to.contain(name);
      expect(problems).to.not.contain('hush');
    }
  });
});
