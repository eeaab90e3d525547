import { expect } from 'chai';
import { addProvider, dropTier, query, startTier, type TierNode } from '../support/hierarchy';
import { freePort, runCli, startNodeProcess, tempDir } from '../support/node-process';
import { createTestDatabase } from '../support/test-database';

async function healthz(url: string, ms: number): Promise<number> {
  const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(ms) });
  return res.status;
}

describe('a root on the embedded database with a distribution rule', function () {
  this.timeout(180000);
  let root: TierNode;
  let child: TierNode;

  before(async () => {
    // No DATABASE_URL: PGlite behind pglite-socket. Its first start (initdb) is slow on a busy machine, hence the long wait.
    const dataDir = tempDir('casc-emb-rule-root-');
    const env = { DATABASE_URL: '', CASCADE_DATA_DIR: dataDir, CASCADE_PORT: String(await freePort()) };
    const node = await startNodeProcess(env, 120000);
    root = { name: 'emb-rule-root', db: await createTestDatabase(), dataDir, env, process: node, url: node.url };
    const provider = await addProvider(root);
    await provider.publish('Contoso fix', { bytes: 1024, product: 'Contoso Suite' });
    await provider.publish('Fabrikam fix', { bytes: 1024, product: 'Fabrikam App' });
    child = await startTier('child', root);
    const allowed = await runCli(
      ['downstream', 'allow', 'child.example', '--products', 'Contoso Suite', '--classifications', 'all'],
      root.env,
      undefined,
      30000,
    );
    expect(allowed.code, allowed.stderr).to.equal(0);
  });
  after(async () => {
    await dropTier(child);
    await dropTier(root);
  });

  it("serves the child's sync, and its database still answers afterwards", async () => {
    const synced = await runCli(['sync'], child.env, undefined, 60000);
    expect(synced.timedOut ?? false, "the child's sync hung").to.equal(false);
    expect(synced.code, synced.stderr).to.equal(0);
    expect(await healthz(root.url, 5000)).to.equal(200);
    const listed = await runCli(['downstream', 'rules'], root.env, undefined, 15000);
    expect(listed.code, listed.stderr).to.equal(0);
    expect(listed.stdout).to.include('Contoso Suite');
  });

  it('gives the child only what the rule allows', async () => {
    const titles = (await runCli(['sync', 'history'], child.env)).stdout;
    expect(titles).to.include('Succeeded');
    const rows = await query<{ title: string }>(child, `SELECT title FROM update_revision WHERE update_type = 'Software' ORDER BY title`);
    expect(rows.map((r) => r.title)).to.deep.equal(['Contoso fix']);
  });
});
