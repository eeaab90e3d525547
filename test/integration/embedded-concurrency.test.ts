import { expect } from 'chai';
import { catalogDigest, dropTier, startTier, syncTier, type TierNode } from '../support/hierarchy';
import { runCli } from '../support/node-process';

describe("a root on the embedded database serving a child's concurrent GetUpdateData calls", function () {
  this.timeout(180000);
  let root: TierNode;
  let child: TierNode;

  before(async () => {
    // No DATABASE_URL: PGlite behind pglite-socket, one session shared by the node's connection pool.
    root = await startTier('emb-root', undefined, { DATABASE_URL: '' });
    // 12 GetUpdateData batches, a few in flight at once: enough to interleave connections without the protocol-unit queue.
    const seeded = await runCli(['seed', '--revisions', '1200', '--products', '2'], root.env);
    expect(seeded.code, seeded.stderr).to.equal(0);
    child = await startTier('child', root);
  });
  after(async () => {
    await dropTier(child);
    await dropTier(root);
  });

  it('answers them all correctly (extended-query messages of different connections are not interleaved)', async () => {
    const r = await syncTier(child);
    expect(r.counts.imported).to.be.greaterThan(1200);
    expect((await catalogDigest(child)).revisions).to.equal(r.counts.imported + 16);
  });
});
