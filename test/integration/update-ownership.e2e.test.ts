import { expect } from 'chai';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { contentUrlPath } from '../../src/domain/content-path';
import { runCli, tempDir, type CliResult } from '../support/node-process';
import { dropTier, query, startTier, syncTier, type TierNode } from '../support/hierarchy';

/** A software provider account on a tier, publishing through `cascade publish` / `cascade expire`. */
interface Provider {
  name: string;
  password: string;
  publish(args: string[], files?: string[]): Promise<CliResult>;
  expire(updateId: string): Promise<CliResult>;
}

async function provider(tier: TierNode, name: string): Promise<Provider> {
  const added = await runCli(['providers', 'add', name], tier.env);
  const password = /password:\s*(\S+)/.exec(added.stdout)?.[1];
  if (!password) throw new Error(`providers add failed: ${added.stderr}`);
  const creds = ['--url', tier.url, '--user', name, '--password', password];
  return {
    name,
    password,
    publish: (args, files = []) =>
      runCli(['publish', ...creds, '--product', 'Contoso Suite', '--classification', 'Security Updates', ...args, ...files], tier.env),
    expire: (updateId) => runCli(['expire', updateId, ...creds], tier.env),
  };
}

const revisionOf = (r: CliResult) => {
  const m = /published (\S+) revision (\d+)/.exec(r.stdout);
  if (r.code !== 0 || !m) throw new Error(`publish failed (${r.code}): ${r.stderr}${r.stdout}`);
  return { updateId: m[1], revisionNumber: Number(m[2]) };
};

/** The revisions a tier stores of one update: number, origin, latest flag and document. */
const revisions = (tier: TierNode, updateId: string) =>
  query<{ revision_number: number; origin: string; is_latest: boolean; xml: string }>(
    tier,
    `SELECT revision_number, origin, is_latest, xml FROM update_revision WHERE update_id = $1 ORDER BY revision_number`,
    [updateId],
  );

/** The files a tier's revision of an update names. */
const filesOf = (tier: TierNode, updateId: string, revisionNumber: number) =>
  query<{ sha1: string; extension: string; sha256: string | null }>(
    tier,
    `SELECT f.sha1, f.extension, f.sha256 FROM revision_file rf JOIN update_file f USING (sha1) JOIN update_revision r USING (revision_id)
   WHERE r.update_id = $1 AND r.revision_number = $2`,
    [updateId, revisionNumber],
  );

describe('update ownership, file digests and files kept across revisions, through real root and child processes', function () {
  this.timeout(180000);
  const dir = tempDir('casc-owner-');
  let root: TierNode;
  let child: TierNode;
  let atRoot: Provider;
  let atChild: Provider;

  /** payload writes a fresh random payload file. */
  const payload = (name: string, bytes = 256 * 1024) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, randomBytes(bytes));
    return file;
  };

  /** throughChild fetches a file of the child's revision from the child's content URL. */
  async function throughChild(updateId: string, revisionNumber: number): Promise<{ status: number; body: Buffer }> {
    const [file] = await filesOf(child, updateId, revisionNumber);
    expect(file, `the child's revision ${revisionNumber} names a file`).to.not.equal(undefined);
    const res = await fetch(`${child.url}${contentUrlPath(file.sha1, file.extension)}`);
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
  }

  before(async () => {
    root = await startTier('root');
    child = await startTier('child', root);
    atRoot = await provider(root, 'contoso');
    atChild = await provider(child, 'fabrikam');
  });
  after(async () => {
    for (const t of [child, root]) await dropTier(t);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a provider on the child publishing or expiring an update the root owns, and stores nothing', async () => {
    const { updateId } = revisionOf(await atRoot.publish(['--title', 'Root Tool 1.0'], [payload('root-tool.cab')]));
    await syncTier(child);
    const before = await revisions(child, updateId);
    expect(before.map((r) => [r.revision_number, r.origin])).to.deep.equal([[1, 'upstream']]);
    const changes = async () => (await query<{ n: number }>(child, `SELECT count(*)::int AS n FROM change_log`))[0].n;
    const logged = await changes();

    const published = await atChild.publish(['--update-id', updateId, '--title', 'Hijacked']);
    expect(published.code).to.not.equal(0);
    expect(published.stderr).to.contain(`update ${updateId} is owned by the upstream server ${root.url}`);
    const expired = await atChild.expire(updateId);
    expect(expired.code).to.not.equal(0);
    expect(expired.stderr).to.contain(`owned by the upstream server ${root.url}`);

    // The fault on the wire: WSUS-shaped, InvalidParameters, blaming the caller.
    const res = await fetch(`${child.url}/PublishingWebService/PublishingService.asmx`, {
      method: 'POST',
      headers: {
        'Content-Type': 'text/xml; charset=utf-8',
        SOAPAction: '"urn:cascade:PublishingService:2026/ExpireUpdate"',
        Authorization: `Basic ${Buffer.from(`${atChild.name}:${atChild.password}`).toString('base64')}`,
      },
      body:
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>' +
        `<ExpireUpdate xmlns="urn:cascade:PublishingService:2026"><updateId>${updateId}</updateId></ExpireUpdate></soap:Body></soap:Envelope>`,
    });
    const fault = await res.text();
    expect(res.status).to.equal(500);
    expect(fault).to.contain('<faultcode>soap:Client</faultcode>');
    expect(fault).to.contain('<ErrorCode>InvalidParameters</ErrorCode>');
    expect(fault).to.contain(`owned by the upstream server ${root.url}`);

    expect(await revisions(child, updateId)).to.deep.equal(before);
    expect(await changes()).to.equal(logged);

    // The root's next revision still arrives.
    revisionOf(await atRoot.publish(['--update-id', updateId, '--title', 'Root Tool 1.1']));
    await syncTier(child);
    expect((await revisions(child, updateId)).map((r) => [r.revision_number, r.origin, r.is_latest])).to.deep.equal([
      [1, 'upstream', false],
      [2, 'upstream', true],
    ]);
  });

  it("replaces a local update whose UpdateID the root later uses with the root's revisions, logged at warn, and then refuses local changes", async () => {
    const updateId = randomUUID();
    revisionOf(await atChild.publish(['--update-id', updateId, '--title', 'Local first']));
    revisionOf(await atChild.publish(['--update-id', updateId, '--title', 'Local second']));
    revisionOf(await atRoot.publish(['--update-id', updateId, '--title', 'Root owns it']));

    const synced = await syncTier(child);
    const [fromRoot] = await revisions(root, updateId);
    const held = await revisions(child, updateId);
    expect(held[0].xml).to.equal(fromRoot.xml);
    expect(held.map((r) => [r.revision_number, r.origin, r.is_latest])).to.deep.equal([[1, 'upstream', true]]);
    expect(synced.stderr).to.match(/"level":40.*replaced by the parent's/);
    expect(synced.stderr).to.contain(`${updateId}/2`);
    expect((await atChild.publish(['--update-id', updateId, '--title', 'Local third'])).code).to.not.equal(0);

    revisionOf(await atRoot.publish(['--update-id', updateId, '--title', 'Root owns it, 2']));
    await syncTier(child);
    expect((await revisions(child, updateId)).map((r) => r.revision_number)).to.deep.equal([1, 2]);
  });

  it("replaces a revision published on the child before ownership was recorded with the root's revision of that number", async () => {
    const { updateId } = revisionOf(await atRoot.publish(['--title', 'Shared 1']));
    await syncTier(child);
    // Before this fix nothing stopped the child's provider: let it publish revision 2 as it could then
    // (origin and published_by as if neither the parent nor another provider were recorded as owner).
    await query(child, `UPDATE "update" SET origin = 'local', published_by = $2 WHERE update_id = $1`, [updateId, atChild.name]);
    revisionOf(await atChild.publish(['--update-id', updateId, '--title', 'Published on the child']));
    await query(child, `UPDATE "update" SET origin = 'upstream' WHERE update_id = $1`, [updateId]);

    revisionOf(await atRoot.publish(['--update-id', updateId, '--title', 'Shared 2']));
    const synced = await syncTier(child);
    expect(synced.counts.imported).to.equal(1);
    const [, rootSecond] = await revisions(root, updateId);
    const held = await revisions(child, updateId);
    expect(held.map((r) => [r.revision_number, r.origin, r.is_latest])).to.deep.equal([
      [1, 'upstream', false],
      [2, 'upstream', true],
    ]);
    expect(held[1].xml).to.equal(rootSecond.xml);
  });

  it('fetches a payload whose update document has no SHA-256 (no AdditionalDigest) just in time through the child, byte-identical', async () => {
    const file = payload('no-sha256.cab', 1024 * 1024);
    const { updateId } = revisionOf(await atRoot.publish(['--title', 'Without SHA-256'], [file]));
    // A real WSUS update document may name a file by SHA-1 alone.
    await query(
      root,
      `UPDATE update_revision SET xml = regexp_replace(xml, '<upd:AdditionalDigest[^>]*>[^<]*</upd:AdditionalDigest>', '', 'g')
                       WHERE update_id = $1`,
      [updateId],
    );
    expect((await revisions(root, updateId))[0].xml).to.not.contain('AdditionalDigest');
    await syncTier(child);
    const got = await throughChild(updateId, 1);
    expect(got.status).to.equal(200);
    expect(got.body.equals(fs.readFileSync(file))).to.equal(true);
    const [named] = await filesOf(child, updateId, 1);
    expect(named.sha256, 'no digest is stored where the metadata names none').to.equal(null);
  });

  it('keeps the files in a re-release without files, serving them through the child; --no-files removes them', async () => {
    const file = payload('kept.cab');
    const { updateId } = revisionOf(await atRoot.publish(['--title', 'Kept 1.0'], [file]));
    const second = revisionOf(await atRoot.publish(['--update-id', updateId, '--title', 'Kept 1.0 (re-release)']));
    expect(second.revisionNumber).to.equal(2);
    const [first] = await filesOf(root, updateId, 1);
    expect(await filesOf(root, updateId, 2)).to.deep.equal([first]);

    await syncTier(child);
    const got = await throughChild(updateId, 2);
    expect(got.status).to.equal(200);
    expect(got.body.equals(fs.readFileSync(file))).to.equal(true);

    const misuse = await atRoot.publish(['--update-id', updateId, '--title', 'Kept 1.0', '--no-files'], [file]);
    expect(misuse.code).to.not.equal(0);
    expect(misuse.stderr).to.contain('--no-files');
    const third = revisionOf(await atRoot.publish(['--update-id', updateId, '--title', 'Kept 1.0 (no payload)', '--no-files']));
    expect(third.revisionNumber).to.equal(3);
    expect(await filesOf(root, updateId, 3)).to.deep.equal([]);
    expect((await revisions(root, updateId))[2].xml).to.not.contain('<upd:Files>');
  });
});
