import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { contentUrlPath } from '../../src/domain/content-path';
import { runCli } from '../support/node-process';
import { addProvider, catalogDigest, dropTier, query, startTier, syncTier, type TierNode } from '../support/hierarchy';
import { waitFor } from '../support/wait-for';

describe('a root, a child and a grandchild as separate node processes', function () {
  this.timeout(180000);
  let root: TierNode;
  let child: TierNode;
  let grandchild: TierNode;
  let provider: Awaited<ReturnType<typeof addProvider>>;

  before(async () => {
    root = await startTier('root');
    child = await startTier('child', root);
    grandchild = await startTier('grandchild', child);
    provider = await addProvider(root);
  });
  after(async () => {
    for (const t of [grandchild, child, root]) await dropTier(t);
  });

  /** syncAndLocate syncs both tiers and returns where the update's payload is: its URL path, and its file in a tier's store. */
  async function syncAndLocate(updateId: string): Promise<{ sha1: string; url: string; onDisk: (t: TierNode) => string }> {
    await syncTier(child);
    await syncTier(grandchild);
    const [file] = await query<{ sha1: string; extension: string }>(
      grandchild,
      `SELECT f.sha1, f.extension FROM update_file f JOIN revision_file rf USING (sha1) JOIN update_revision r USING (revision_id) WHERE r.update_id = $1`,
      [updateId],
    );
    const url = contentUrlPath(file.sha1, file.extension);
    return { sha1: file.sha1, url, onDisk: (t) => path.join(t.dataDir, 'content', ...url.split('/').slice(2)) };
  }

  it('syncs what the root publishes down two tiers: the three catalogs are identical', async () => {
    for (const title of ['Alpha', 'Beta', 'Gamma']) await provider.publish(title);
    const first = await syncTier(child);
    expect(first.counts.imported).to.be.greaterThan(3);
    await syncTier(grandchild);
    const [r, c, g] = await Promise.all([root, child, grandchild].map(catalogDigest));
    expect(c).to.deep.equal(r);
    expect(g).to.deep.equal(r);
    const runs = await query(child, `SELECT result FROM sync_run`);
    expect(runs).to.deep.equal([{ result: 'Succeeded' }]);
  });

  it('transfers exactly the 3 revisions published since the last sync', async () => {
    for (const title of ['Delta 1', 'Delta 2', 'Delta 3']) await provider.publish(title);
    const r = await syncTier(child);
    expect(r.counts.transferred).to.equal(3);
    expect(r.counts.imported).to.equal(3);
    const again = await syncTier(child);
    expect(again.counts).to.deep.include({ listed: 0, transferred: 0, imported: 0 });
  });

  it('pulls the whole history of a newly chosen product, and only chosen products after that', async () => {
    await provider.publish('Other 1', { product: 'Contoso Other' });
    await provider.publish('Other 2', { product: 'Contoso Other' });
    const set = await runCli(['subscription', 'set', '--products', 'Contoso Suite', '--classifications', 'all'], grandchild.env);
    expect(set.code, set.stderr).to.equal(0);
    await syncTier(child);
    await syncTier(grandchild);
    const titles = async (t: TierNode) =>
      (
        await query<{ title: string }>(t, `SELECT title FROM update_revision WHERE update_type = 'Software' AND is_latest ORDER BY title`)
      ).map((x) => x.title);
    expect(await titles(child)).to.include.members(['Other 1', 'Other 2']);
    expect(await titles(grandchild)).to.not.include('Other 1');
    const widen = await runCli(
      ['subscription', 'set', '--products', 'Contoso Suite', 'Contoso Other', '--classifications', 'all'],
      grandchild.env,
    );
    expect(widen.code, widen.stderr).to.equal(0);
    const r = await syncTier(grandchild);
    expect(r.counts.imported).to.equal(2);
    expect(await titles(grandchild)).to.include.members(['Other 1', 'Other 2']);
  });

  it("serves a payload at the grandchild byte-identical to the root's, fetched just in time and then held by both tiers", async () => {
    const { updateId, payload } = await provider.publish('With payload', { bytes: 3 * 1024 * 1024 });
    const file = await syncAndLocate(updateId);
    const got = Buffer.from(await (await fetch(`${grandchild.url}${file.url}`)).arrayBuffer());
    expect(got.equals(payload)).to.equal(true);
    // Each tier releases the last bytes once they are verified, and records the file just after.
    for (const tier of [child, grandchild]) {
      await waitFor(
        `${tier.name} to hold it`,
        async () =>
          (await query<{ stored_at: Date | null }>(tier, `SELECT stored_at FROM update_file WHERE sha1 = $1`, [file.sha1]))[0]?.stored_at,
      );
    }
  });

  it('never lets a corrupted payload past any tier', async () => {
    const { updateId, payload } = await provider.publish('Will be corrupted', { bytes: 2 * 1024 * 1024 });
    const file = await syncAndLocate(updateId);
    const onDisk = file.onDisk(root);
    const corrupt = Buffer.from(payload);
    corrupt[corrupt.length - 1] ^= 0xff;
    fs.writeFileSync(onDisk, corrupt);
    const res = await fetch(`${grandchild.url}${file.url}`).then(
      async (r) => ({
        status: r.status,
        body: await r.arrayBuffer().then(
          (b) => Buffer.from(b),
          () => undefined,
        ),
      }),
      () => undefined,
    );
    expect(res?.body?.equals(corrupt) ?? false, 'no client receives the corrupt file').to.equal(false);
    for (const tier of [child, grandchild]) {
      const [row] = await query<{ stored_at: Date | null }>(tier, `SELECT stored_at FROM update_file WHERE sha1 = $1`, [file.sha1]);
      expect(row.stored_at, `${tier.name} keeps nothing`).to.equal(null);
      expect(fs.existsSync(file.onDisk(tier))).to.equal(false);
    }
  });

  it('prefetches the payloads of new updates during sync under the immediate content policy', async () => {
    const eager = await startTier('eager', root, { CASCADE_CONTENT_POLICY: 'immediate' });
    try {
      const r = await syncTier(eager);
      const [held] = await query<{ stored: number; named: number }>(
        eager,
        `SELECT count(*) FILTER (WHERE stored_at IS NOT NULL)::int AS stored, count(*)::int AS named FROM update_file`,
      );
      expect(r.counts.prefetched).to.be.greaterThan(0);
      // Everything except the payload the previous test corrupted at the root.
      expect(held.stored).to.equal(held.named - 1);
    } finally {
      await dropTier(eager);
    }
  });

  it('fails a sync with the reason and a Failed history row when the parent refuses this node', async () => {
    expect((await runCli(['downstream', 'disable', 'grandchild.example'], child.env)).code).to.equal(0);
    const r = await runCli(['sync'], grandchild.env);
    expect(r.code).to.not.equal(0);
    expect(r.stderr).to.match(/401|Unauthorized|credentials/i);
    const [last] = await query<{ result: string; error: string }>(
      grandchild,
      `SELECT result, error FROM sync_run ORDER BY run_id DESC LIMIT 1`,
    );
    expect(last.result).to.equal('Failed');
    expect((await runCli(['downstream', 'enable', 'grandchild.example'], child.env)).code).to.equal(0);
    await syncTier(grandchild);
  });
});
