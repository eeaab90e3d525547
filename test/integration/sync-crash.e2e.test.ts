import { expect } from 'chai';
import { runCli } from '../support/node-process';
import { catalogDigest, dropTier, query, restartTier, startTier, type TierNode } from '../support/hierarchy';

describe('sync crash safety and an unreachable parent', function () {
  this.timeout(300000);
  let root: TierNode;
  let child: TierNode;

  before(async () => {
    root = await startTier('root');
    const seeded = await runCli(['seed', '--revisions', '5000', '--products', '5'], root.env);
    expect(seeded.code, seeded.stderr).to.equal(0);
    // The child syncs on its own schedule, inside its node process, which the test kills.
    child = await startTier('child', root, { CASCADE_SYNC_SCHEDULE: '1s' });
  });
  after(async () => {
    await dropTier(child);
    await dropTier(root);
  });

  it('survives kill -9 at random points of a 5,000-revision sync: it completes, identical, with no duplicates', async () => {
    let kills = 0;
    for (let i = 0; i < 4; i++) {
      // Kill once a scheduled run is under way, at a random point of it.
      const started = Date.now();
      while ((await query(child, `SELECT 1 FROM sync_run WHERE result = 'Running'`)).length === 0 && Date.now() - started < 10000) {
        await new Promise((r) => setTimeout(r, 20));
      }
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 800)));
      const [{ n }] = await query<{ n: number }>(child, `SELECT count(*)::int AS n FROM update_revision`);
      await child.process!.kill();
      kills++;
      await restartTier(child);
      if (n >= 5000) break;
    }
    expect(kills).to.be.greaterThan(0);
    // Wait for a scheduled run to finish the job.
    const deadline = Date.now() + 120000;
    let done = false;
    while (!done && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      done = (await query(child, `SELECT 1 FROM sync_run WHERE result = 'Succeeded'`)).length > 0;
    }
    expect(done, 'a scheduled sync succeeded after the kills').to.equal(true);
    await child.process!.stop();
    expect(await catalogDigest(child)).to.deep.equal(await catalogDigest(root));
    const [dup] = await query<{ logged: number; distinct: number; revisions: number }>(child,
      `SELECT count(*)::int AS logged, count(DISTINCT (update_id, revision_number))::int AS distinct,
              (SELECT count(*)::int FROM update_revision) AS revisions FROM change_log`);
    expect(dup.logged).to.equal(dup.distinct);
    expect(dup.logged).to.equal(dup.revisions);
    const runs = await query<{ result: string; error: string | null }>(child, `SELECT result, error FROM sync_run ORDER BY run_id`);
    expect(runs.filter((r) => r.result === 'Running')).to.deep.equal([]);
    expect(runs.filter((r) => r.error?.startsWith('interrupted')).length, 'kills that hit a running sync').to.be.greaterThan(0);
    await restartTier(child);
  });

  it('keeps serving while its parent is down, fails that sync with the reason, and syncs once the parent is back', async () => {
    await root.process!.stop();
    const health = await fetch(`${child.url}/healthz`);
    expect(health.status).to.equal(200);
    const r = await runCli(['sync'], child.env);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.match(/ECONNREFUSED|connect/);
    await restartTier(root);
    const seeded = await runCli(['seed', '--revisions', '10', '--products', '1'], root.env);
    expect(seeded.code).to.equal(0);
    // The child's own schedule catches up once the parent answers again.
    const want = await catalogDigest(root);
    const deadline = Date.now() + 60000;
    let got = await catalogDigest(child);
    while (got.digest !== want.digest && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 500));
      got = await catalogDigest(child);
    }
    expect(got).to.deep.equal(want);
    const failed = await query<{ error: string }>(child, `SELECT error FROM sync_run WHERE result = 'Failed' AND error LIKE '%ECONNREFUSED%'`);
    expect(failed.length).to.be.greaterThan(0);
  });
});
