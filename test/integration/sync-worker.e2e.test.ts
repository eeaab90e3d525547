import { expect } from 'chai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { UpstreamClient } from '../../src/clients/upstream-client';
import { createLogger } from '../../src/lib/logger';
import { dropTier, query, startTier, type TierNode } from '../support/hierarchy';
import { REPO_ROOT, runCli } from '../support/node-process';
import { waitFor } from '../support/wait-for';

describe('the sync worker against a real parent', function () {
  this.timeout(180000);
  let root: TierNode;
  let child: TierNode;

  before(async () => {
    root = await startTier('root');
    expect((await runCli(['seed', '--revisions', '3000', '--products', '3'], root.env)).code).to.equal(0);
    child = await startTier('child', root);
  });
  after(async () => {
    await dropTier(child);
    await dropTier(root);
  });

  it('re-authorizes once when the parent says InvalidCookie, and goes on', async () => {
    const client = await UpstreamClient.connect(
      {
        url: root.url,
        serverId: child.env.CASCADE_UPSTREAM_ID,
        secret: child.env.CASCADE_UPSTREAM_SECRET,
      },
      { log: createLogger('silent') },
    );
    await client.authorize();
    // Spoil the cookie as an expired or foreign one would be: the parent answers InvalidCookie.
    (client as unknown as { cookie: { EncryptedData: string } }).cookie.EncryptedData = Buffer.alloc(64, 7).toString('base64');
    const list = await client.getRevisionIdList({ getConfig: true, categories: [], classifications: [] });
    expect(list.revisions.length).to.be.greaterThan(16);
    (client as unknown as { cookie: { EncryptedData: string } }).cookie.EncryptedData = Buffer.alloc(64, 9).toString('base64');
    expect((await client.getCatalog()).products.length).to.be.greaterThan(0);
    await client.close();
  });

  it('runs one sync at a time: a second `cascade sync` started meanwhile is refused, the first completes', async () => {
    const start = () =>
      new Promise<{ code: number; out: string }>((resolve) => {
        const p = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'cascade.js'), 'sync'], {
          env: { PATH: process.env.PATH ?? '', ...child.env, CASCADE_LOG_LEVEL: 'silent' },
        });
        let out = '';
        p.stdout.on('data', (d) => {
          out += d;
        });
        p.stderr.on('data', (d) => {
          out += d;
        });
        p.on('close', (code) => resolve({ code: code ?? -1, out }));
      });
    const first = start();
    // Start the second once the first holds the lock (its run is recorded as Running).
    await waitFor(
      'the first sync to be recorded as Running',
      async () => (await query(child, `SELECT 1 FROM sync_run WHERE result = 'Running'`)).length > 0,
      { timeoutMs: 20000, intervalMs: 20 },
    );
    // Freeze the parent so the first sync cannot finish before the second asks for the lock (a small catalog syncs
    // in well under the second process's start-up); the lock is refused before the parent is called.
    root.process!.child.kill('SIGSTOP');
    let second: { code: number; out: string };
    try {
      second = await start();
    } finally {
      root.process!.child.kill('SIGCONT');
    }
    expect(second.code).to.not.equal(0);
    expect(second.out).to.contain('a sync is already running');
    const done = await first;
    expect(done.code, done.out).to.equal(0);
    const runs = await query<{ result: string }>(child, `SELECT result FROM sync_run ORDER BY run_id`);
    expect(runs).to.deep.equal([{ result: 'Succeeded' }]);
  });
});
