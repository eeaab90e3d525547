import { expect } from 'chai';
import fs from 'node:fs';
import { addDownstream } from '../support/downstream-client';
import { startCuttingRelay, type CuttingRelay } from '../support/cutting-relay';
import { catalogDigest, dropTier, query, startTier, type TierNode } from '../support/hierarchy';
import { runCli, tempDir, type CliResult } from '../support/node-process';
import { createTestDatabase } from '../support/test-database';

const CHILDREN = 6;
const REVISIONS = 2000;

/** A child node that syncs with `cascade sync` (a process of its own) and runs no server: only its database and folder. */
async function childOf(root: TierNode, name: string, upstreamUrl: string): Promise<TierNode> {
  const db = await createTestDatabase();
  const dataDir = tempDir(`casc-${name}-`);
  const creds = await addDownstream(root.env, `${name}.example`);
  const env = {
    DATABASE_URL: db.url,
    CASCADE_DATA_DIR: dataDir,
    CASCADE_UPSTREAM_URL: upstreamUrl,
    CASCADE_UPSTREAM_ID: creds.id,
    CASCADE_UPSTREAM_SECRET: creds.secret,
  };
  return { name, db, dataDir, env, url: '' };
}

describe('a wide tree: six children syncing at once from a busy parent, one connection cut', function () {
  this.timeout(300_000);
  let root: TierNode;
  let relay: CuttingRelay | undefined;
  const children: TierNode[] = [];

  before(async () => {
    // A low bound, so the children are told ServerBusy and must wait their turn.
    root = await startTier('wideroot', undefined, { CASCADE_SYNC_MAX_CONCURRENT: '2', CASCADE_SYNC_MAX_QUEUED: '2' });
    const seeded = await runCli(['seed', '--revisions', String(REVISIONS), '--products', '4'], root.env);
    expect(seeded.code, seeded.stderr).to.equal(0);
    // The first child reaches the root through a relay that cuts its fourth GetUpdateData answer in the middle.
    relay = await startCuttingRelay(root.url, { operation: 'GetUpdateData', nth: 4, afterBytes: 20_000 });
    for (let i = 0; i < CHILDREN; i++) children.push(await childOf(root, `wide${i}`, i === 0 ? relay.url : root.url));
  });
  after(async () => {
    await relay?.close();
    for (const c of children) {
      await c.db.drop();
      fs.rmSync(c.dataDir, { recursive: true, force: true });
    }
    await dropTier(root);
  });

  it('all seven end identical, each child with one successful run; the root counted and logged what it refused', async () => {
    const runs: CliResult[] = await Promise.all(children.map((c) => runCli(['sync'], c.env, undefined, 240_000)));
    runs.forEach((r, i) => expect(r.code, `child ${i}: ${r.stderr}`).to.equal(0));

    const want = await catalogDigest(root);
    expect(want.revisions).to.be.greaterThan(REVISIONS);
    for (const c of children) expect(await catalogDigest(c), c.name).to.deep.equal(want);
    for (const c of children) {
      const history = await query<{ result: string }>(c, `SELECT result FROM sync_run ORDER BY run_id`);
      expect(history, `${c.name}'s sync history`).to.deep.equal([{ result: 'Succeeded' }]);
    }

    // The cut connection was retried within the run, and said so at warn.
    expect(relay!.cuts()).to.equal(1);
    expect(runs[0].stderr).to.match(/"operation":"GetUpdateData".*"parent call failed; retrying"/);

    const metrics = await (await fetch(`${root.url}/metrics`)).text();
    const refused = [...metrics.matchAll(/^cascade_serversync_refused_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    expect(refused, metrics).to.be.greaterThan(0);
    expect(root.process!.output()).to.contain('ServerSync request refused: ServerBusy');
    const busyRetries = runs.reduce((n, r) => n + (r.stderr.match(/"reason":"busy"/g)?.length ?? 0), 0);
    // Children told ServerBusy waited and tried again, within the same run.
    expect(busyRetries).to.be.greaterThan(0);
  });
});
