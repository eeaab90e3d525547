import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, runCli, startNodeProcess, tempDir, type CliResult, type NodeProcess } from '../support/node-process';

/**
 * The README's "Five minutes" tour and its "A hierarchy" section, command for command, on the embedded
 * database (no DATABASE_URL) as a new user runs them: real node processes and the real `cascade` CLI.
 * Each step is one test and builds on the ones before; every command has a time limit, so a hang fails
 * its step instead of stalling the suite.
 */
describe('the README tour on the embedded database: publish, re-release, expire, then root → child → grandchild', function () {
  this.timeout(120000);
  const dir = tempDir('tour-');
  const file = path.join(dir, 'tool-1.1.msu');
  const payload = randomBytes(5_000_000); // head -c 5000000 /dev/urandom > tool-1.1.msu
  const sha1 = createHash('sha1').update(payload).digest('hex').toUpperCase();
  /** What the user's terminals hold: each node's environment, and what earlier commands printed. */
  const tiers: Record<'root' | 'child' | 'grandchild', { env: Record<string, string>; node?: NodeProcess }> = {
    root: { env: {} },
    child: { env: {} },
    grandchild: { env: {} },
  };
  let password: string | undefined;
  let updateId: string | undefined;
  let payloadUrl: string | undefined;
  let registered: { url: string; id: string; secret: string } | undefined;

  /** cascade runs `cascade args…` in a tier's terminal and fails the step, naming the command, unless it exits 0. */
  async function cascade(tier: keyof typeof tiers, args: string[], timeoutMs = 30000): Promise<CliResult> {
    const r = await runCli(args, tiers[tier].env, undefined, timeoutMs);
    expect(r.code, `\`cascade ${args.join(' ')}\` on the ${tier} exits 0\n${r.stderr}${r.stdout}`).to.equal(0);
    return r;
  }
  const provider = () => {
    expect(password, 'the provider password from `cascade providers add contoso`').to.be.a('string');
    return ['--url', tiers.root.node!.url, '--user', 'contoso', '--password', password!];
  };
  const published = () => {
    expect(updateId, 'the UpdateID printed by the first `cascade publish`').to.be.a('string');
    return updateId!;
  };
  /** startTier starts `npm start`'s node in a tier's terminal: its own data folder and port, no DATABASE_URL. */
  async function startTier(tier: keyof typeof tiers, extra: Record<string, string> = {}): Promise<NodeProcess> {
    const port = String(await freePort());
    tiers[tier].node = await startNodeProcess({ CASCADE_DATA_DIR: path.join(dir, `data-${tier}`), CASCADE_PORT: port, ...extra }, 90000);
    tiers[tier].env = tiers[tier].node!.env;
    expect(tiers[tier].env.DATABASE_URL, 'no DATABASE_URL: the embedded database').to.equal(undefined);
    return tiers[tier].node!;
  }
  /** register runs `cascade downstream add --name NAME` on a parent and reads what it prints for the child. */
  async function register(parent: keyof typeof tiers, name: string): Promise<{ url: string; id: string; secret: string }> {
    const r = await cascade(parent, ['downstream', 'add', '--name', name]);
    const url = /CASCADE_UPSTREAM_URL=(\S+)/.exec(r.stdout)?.[1];
    const id = /CASCADE_UPSTREAM_ID=(\S+)/.exec(r.stdout)?.[1];
    const secret = /CASCADE_UPSTREAM_SECRET=(\S+)/.exec(r.stdout)?.[1];
    expect(url && id && secret, `\`cascade downstream add\` prints the child's three settings:\n${r.stdout}`).to.be.a('string');
    expect(url, "the upstream URL printed is the parent's public URL").to.equal(tiers[parent].node!.url);
    return { url: url!, id: id!, secret: secret! };
  }
  const upstreamEnv = (r: { url: string; id: string; secret: string }) => ({
    CASCADE_UPSTREAM_URL: r.url,
    CASCADE_UPSTREAM_ID: r.id,
    CASCADE_UPSTREAM_SECRET: r.secret,
  });
  /** get fetches a URL as curl does, with a time limit. */
  const get = (url: string, init: RequestInit = {}) => fetch(url, { signal: AbortSignal.timeout(30000), ...init });

  before(async () => {
    fs.writeFileSync(file, payload);
    await startTier('root');
  });
  after(async () => {
    // Children first; each stop is bounded, and a failed stop still lets the others stop.
    const stops = await Promise.allSettled([tiers.grandchild, tiers.child, tiers.root].map((t) => t.node?.stop()));
    fs.rmSync(dir, { recursive: true, force: true });
    const failed = stops.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  });

  it('npx cascade providers add contoso: prints the password once', async () => {
    const r = await cascade('root', ['providers', 'add', 'contoso']);
    password = /password:\s*(\S+)/.exec(r.stdout)?.[1];
    expect(password, `a password line in:\n${r.stdout}`).to.be.a('string');
  });

  it('npx cascade publish ... tool-1.1.msu: prints the UpdateID, revision 1 and the payload URL /Content/<XX>/<SHA1>.msu', async () => {
    const r = await cascade(
      'root',
      [
        'publish',
        ...provider(),
        '--title',
        'Contoso Tool 1.1',
        '--product',
        'Contoso Tool',
        '--classification',
        'Security Updates',
        '--kb',
        '5000001',
        file,
      ],
      60000,
    );
    updateId = /published (\S+) revision 1\b/.exec(r.stdout)?.[1];
    expect(updateId, `"published <UpdateID> revision 1" in:\n${r.stdout}`).to.match(/^[0-9a-f-]{36}$/);
    payloadUrl = new RegExp(`${tiers.root.node!.url}/Content/[0-9A-F]{2}/[0-9A-F]{40}\\.msu`).exec(r.stdout)?.[0];
    expect(payloadUrl, `the payload URL in:\n${r.stdout}`).to.equal(`${tiers.root.node!.url}/Content/${sha1.slice(-2)}/${sha1}.msu`);
  });

  it('curl the payload URL: GET, HEAD and a byte range serve the published bytes', async () => {
    expect(payloadUrl, 'the payload URL printed by `cascade publish`').to.be.a('string');
    const whole = await get(payloadUrl!);
    expect(whole.status, 'GET status').to.equal(200);
    expect(Buffer.from(await whole.arrayBuffer()).equals(payload), 'GET answers the published bytes').to.equal(true);
    const head = await get(payloadUrl!, { method: 'HEAD' });
    expect(head.headers.get('content-length'), 'HEAD Content-Length').to.equal(String(payload.length));
    const range = await get(payloadUrl!, { headers: { Range: 'bytes=100-199' } });
    expect(range.status, 'range status').to.equal(206);
    expect(Buffer.from(await range.arrayBuffer()).equals(payload.subarray(100, 200)), "the range's bytes").to.equal(true);
  });

  it('npx cascade publish --update-id <UpdateID> ... (no files): revision 2', async () => {
    const r = await cascade('root', [
      'publish',
      ...provider(),
      '--update-id',
      published(),
      '--title',
      'Contoso Tool 1.1 (re-release)',
      '--product',
      'Contoso Tool',
      '--classification',
      'Security Updates',
    ]);
    expect(r.stdout, 'the re-release is revision 2').to.contain(`published ${published()} revision 2`);
  });

  it('npx cascade expire <UpdateID>: revision 3, Expired', async () => {
    const r = await cascade('root', ['expire', ...provider(), published()]);
    expect(r.stdout, 'the expiry is revision 3').to.contain(`expired ${published()} as revision 3`);
  });

  it('on the root: npx cascade downstream add --name branch-1, and a distribution rule with downstream allow', async () => {
    registered = await register('root', 'branch-1');
    const rule = await cascade('root', [
      'downstream',
      'allow',
      'branch-1',
      '--products',
      'Contoso Tool',
      '--classifications',
      'Security Updates',
    ]);
    expect(rule.stdout, 'downstream allow confirms the rule').to.contain('rule set for server "branch-1"');
    const rules = await cascade('root', ['downstream', 'rules']);
    expect(rules.stdout, 'downstream rules lists it').to.match(/server branch-1\s+Contoso Tool\s+Security Updates/);
  });

  it('the child (own data folder and port, CASCADE_UPSTREAM_*): npm start, then subscription show lists what the root offers', async () => {
    expect(registered, 'the id and secret printed by `cascade downstream add` on the root').to.not.equal(undefined);
    await startTier('child', upstreamEnv(registered!));
    const r = await cascade('child', ['subscription', 'show']);
    expect(r.stdout, 'the root offers the product Contoso Tool').to.match(/\[ \]\s+Contoso Tool\s+\(Product /);
    expect(r.stdout, 'and the classification Security Updates').to.match(/\[ \]\s+Security Updates\s+\(UpdateClassification /);
  });

  it('npx cascade sync on the child succeeds, and the root still answers /healthz and cascade commands', async () => {
    expect(tiers.child.node, 'the child node from the previous step').to.not.equal(undefined);
    const r = await cascade('child', ['sync'], 60000);
    expect(r.stdout, 'sync reports success').to.match(/sync \d+ succeeded: \d+ revisions listed/);
    const health = await get(`${tiers.root.node!.url}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
      (h) => h.status,
      (e: Error) => e.message,
    );
    expect(health, 'the root answers /healthz within 2 s after serving the sync').to.equal(200);
    await cascade('root', ['downstream', 'list'], 10000);
  });

  it('a grandchild registered on the child syncs from it', async () => {
    expect(tiers.child.node, 'the child node').to.not.equal(undefined);
    const grand = await register('child', 'branch-1-1');
    await startTier('grandchild', upstreamEnv(grand));
    const r = await cascade('grandchild', ['sync'], 60000);
    expect(r.stdout, 'sync reports success').to.match(/sync \d+ succeeded: \d+ revisions listed/);
  });

  it('the payload fetched through the grandchild (/Content/<XX>/<SHA1>.msu) is the published file', async () => {
    expect(tiers.grandchild.node, 'the grandchild node').to.not.equal(undefined);
    const url = `${tiers.grandchild.node!.url}/Content/${sha1.slice(-2)}/${sha1}.msu`;
    const res = await get(url);
    const body = Buffer.from(await res.arrayBuffer());
    expect(res.status, `GET ${url} through the grandchild: ${res.status === 200 ? '' : body.toString().slice(0, 200)}`).to.equal(200);
    expect(body.equals(payload), 'the grandchild serves the published bytes').to.equal(true);
    const atChild = await get(`${tiers.child.node!.url}/Content/${sha1.slice(-2)}/${sha1}.msu`, { method: 'HEAD' });
    expect(atChild.status, 'the child, the tier between, answers for it too').to.equal(200);
  });
});
