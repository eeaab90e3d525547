import { expect } from 'chai';
import { runCli } from '../support/node-process';
import { catalogDigest, dropTier, query, restartTier, startTier, type TierNode } from '../support/hierarchy';
import { waitFor } from '../support/wait-for';

describe('sync crash safety and an unreachable parent', function () {
  this.timeout(300000);
  let root: TierNode;
  let child: TierNode;

  before(async () => {
    root = await startTier('root');
    const seeded = await runCli(['seed', '--revisions', '5000', '--products', '5'], root.env);
    expect(seeded.code, seeded.stderr).to.equal(0);
    // The child syncs on its own schedule, inside its node process, which the test kills. A scheduled run the
    // parent's stop catches in the middle retries for a few seconds only, so `cascade sync` soon gets its turn.
    child = await startTier('child', root, { CASCADE_SYNC_SCHEDULE: '1s', CASCADE_SYNC_RETRY_SECONDS: '5' });
  });
  after(async () => {
    await dropTier(child);
    await dropTier(root);
  });

  it('survives kill -9 in the middle of a 5,000-revision import, three times: it completes, identical, with no duplicates', async () => {
    const total = (await catalogDigest(root)).revisions;
    const stored = async () => (await query<{ n: number }>(child, `SELECT count(*)::int AS n FROM update_revision`))[0].n;
    // The child imports 1,000 revisions per transaction: each kill lands after a run's first chunk, with work left.
    const KILLS = 3;
    let lastRun = 0;
    for (let kill = 1; kill <= KILLS; kill++) {
      // A scheduled run starts; kill the node once it has committed its first chunk, in the middle of its import.
      const run = await waitFor(
        `kill ${kill}: a scheduled sync run to start`,
        async () =>
          (await query<{ run_id: number }>(child, `SELECT run_id FROM sync_run WHERE result = 'Running' AND run_id > $1`, [lastRun]))[0],
        { timeoutMs: 30000, intervalMs: 20 },
      );
      lastRun = run.run_id;
      const atStart = await stored();
      const target = atStart + 1;
      await waitFor(`kill ${kill}: the child to store ${target} of ${total} revisions`, async () => (await stored()) >= target, {
        timeoutMs: 60000,
        intervalMs: 10,
      });
      await child.process!.kill();
      // The node is gone, so what it committed is what the kill left: the run unfinished, the import partial.
      const [{ result }] = await query<{ result: string }>(child, `SELECT result FROM sync_run WHERE run_id = $1`, [run.run_id]);
      const atKill = await stored();
      expect(result, `kill ${kill} landed while run ${run.run_id} was running`).to.equal('Running');
      expect(atKill, `kill ${kill}: revisions the child held at the kill (run started at ${atStart}, aimed at ${target})`)
        .to.be.above(atStart)
        .and.below(total);
      await restartTier(child);
    }
    // A scheduled run finishes the job.
    await waitFor(
      'a scheduled sync to succeed after the kills',
      async () => (await query(child, `SELECT 1 FROM sync_run WHERE result = 'Succeeded'`)).length > 0,
      { timeoutMs: 120000, intervalMs: 250 },
    );
    await child.process!.stop();
    expect(await catalogDigest(child)).to.deep.equal(await catalogDigest(root));
    const [dup] = await query<{ logged: number; distinct: number; revisions: number }>(
      child,
      `SELECT count(*)::int AS logged, count(DISTINCT (update_id, revision_number))::int AS distinct,
              (SELECT count(*)::int FROM update_revision) AS revisions FROM change_log`,
    );
    expect(dup.logged).to.equal(dup.distinct);
    expect(dup.logged).to.equal(dup.revisions);
    const runs = await query<{ result: string; error: string | null }>(child, `SELECT result, error FROM sync_run ORDER BY run_id`);
    expect(runs.filter((r) => r.result === 'Running')).to.deep.equal([]);
    expect(runs.filter((r) => r.error?.startsWith('interrupted')).length, 'runs closed as interrupted: one per kill').to.equal(KILLS);
    await restartTier(child);
  });

  it('keeps serving while its parent is down, fails that sync with the reason, and syncs once the parent is back', async () => {
    await root.process!.stop();
    const health = await fetch(`${child.url}/healthz`);
    expect(health.status).to.equal(200);
    // The child also syncs on its schedule: while one of its runs holds the lock, `cascade sync` is refused; try again.
    const r = await waitFor(
      '`cascade sync` to run rather than meet a scheduled run',
      async () => {
        const attempt = await runCli(['sync'], child.env);
        return /a sync is already running/.test(attempt.stderr) ? undefined : attempt;
      },
      { timeoutMs: 30000, intervalMs: 100 },
    );
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.match(/ECONNREFUSED|connect/);
    await restartTier(root);
    const seeded = await runCli(['seed', '--revisions', '10', '--products', '1'], root.env);
    expect(seeded.code).to.equal(0);
    // The child's own schedule catches up once the parent answers again.
    const want = await catalogDigest(root);
    await waitFor("the child's catalog to equal the root's", async () => (await catalogDigest(child)).digest === want.digest, {
      timeoutMs: 60000,
      intervalMs: 250,
    }).catch(() => undefined);
    expect(await catalogDigest(child)).to.deep.equal(want);
    const failed = await query<{ error: string }>(
      child,
      `SELECT error FROM sync_run WHERE result = 'Failed' AND error LIKE '%ECONNREFUSED%'`,
    );
    expect(failed.length).to.be.greaterThan(0);
  });
});
