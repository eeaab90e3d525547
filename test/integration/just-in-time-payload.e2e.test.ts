import { expect } from 'chai';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { contentUrlPath } from '../../src/domain/content-path';
import { startCountingProxy, type CountingProxy } from '../support/counting-proxy';
import { addDownstream, authorize } from '../support/downstream-client';
import { runCli, startNodeProcess, tempDir, type NodeProcess } from '../support/node-process';
import { createTestDatabase, type TestDatabase, sql as sqlAt } from '../support/test-database';
import { waitFor } from '../support/wait-for';

const MB = 1000 * 1000;

interface Published {
  name: string;
  bytes: Buffer;
  sha1: string;
  sha256: string;
  size: number;
  extension: string;
  path: string;
}

const sql = <T = Record<string, unknown>>(db: TestDatabase, text: string, params: unknown[] = []) => sqlAt<T>(db.url, text, params);

/** fetchCount reads cascade_upstream_payload_fetches_total{result} from a node's /metrics. */
async function fetchCount(node: NodeProcess, result: 'ok' | 'failed' | 'corrupt'): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const m = new RegExp(`^cascade_upstream_payload_fetches_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text);
  if (!m) throw new Error(`no ${result} fetch counter in /metrics:\n${text.slice(0, 500)}`);
  return Number(m[1]);
}

/** rawGet reads a response with node:http so a cut-off body shows as such (complete = the body ended normally). */
function rawGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; length: number | undefined; body: Buffer; complete: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let status = 0;
    let length: number | undefined;
    let complete = false;
    const req = http.get(url, { headers }, (res) => {
      status = res.statusCode ?? 0;
      length = res.headers['content-length'] === undefined ? undefined : Number(res.headers['content-length']);
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        complete = res.complete;
      });
      res.on('error', () => undefined);
      res.on('close', () => resolve({ status, length, body: Buffer.concat(chunks), complete }));
    });
    req.on('error', () => resolve({ status, length, body: Buffer.concat(chunks), complete: false }));
  });
}

async function download(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer; res: Response }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), res };
}

/**
 * settles polls check until it holds (or 3 s pass) and returns its last answer: a requester has every byte as soon
 * as the payload is verified, a moment before the node has flushed, renamed and recorded it.
 */
function settles(check: () => boolean | Promise<boolean>): Promise<boolean> {
  return waitFor('the node to keep the payload', check, { timeoutMs: 3000 }).catch(() => check());
}

/** Every file under a content folder (relative paths, .tmp included). */
function filesUnder(root: string): string[] {
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[]).filter((p) => fs.statSync(path.join(root, p)).isFile()).sort();
}

describe('just-in-time payloads through real root, child and grandchild processes', function () {
  this.timeout(120000);
  const dir = tempDir('casc-jit-');
  const contentOf = (tier: string) => path.join(dir, tier, 'content');
  const dbs: TestDatabase[] = [];
  let rootDb: TestDatabase;
  let childDb: TestDatabase;
  let grandDb: TestDatabase;
  let root: NodeProcess;
  let child: NodeProcess;
  let grandchild: NodeProcess;
  let proxy: CountingProxy;
  const payloads = new Map<string, Published>();
  const p = (name: string) => payloads.get(name)!;
  const rootFetches = (name: string) => proxy.count(`GET ${p(name).path}`);
  const storedAt = async (db: TestDatabase, name: string) =>
    (await sql<{ stored_at: Date | null }>(db, 'SELECT stored_at FROM update_file WHERE sha1 = $1', [p(name).sha1]))[0]?.stored_at;
  const insertRow = (db: TestDatabase, f: Published) =>
    sql(db, 'INSERT INTO update_file (sha1, sha256, size, extension) VALUES ($1, $2, $3, $4)', [f.sha1, f.sha256, f.size, f.extension]);
  const childNode = (db: TestDatabase, tier: string, upstreamUrl: string) =>
    startNodeProcess({
      DATABASE_URL: db.url,
      CASCADE_DATA_DIR: path.join(dir, tier),
      CASCADE_UPSTREAM_URL: upstreamUrl,
      CASCADE_UPSTREAM_ID: randomUUID(),
      CASCADE_UPSTREAM_SECRET: 'x',
    });

  before(async () => {
    [rootDb, childDb, grandDb] = await Promise.all([createTestDatabase(), createTestDatabase(), createTestDatabase()]);
    dbs.push(rootDb, childDb, grandDb);
    root = await startNodeProcess({ DATABASE_URL: rootDb.url, CASCADE_DATA_DIR: path.join(dir, 'root') });
    const env = { DATABASE_URL: rootDb.url };
    const added = await runCli(['providers', 'add', 'contoso'], env);
    const password = /password:\s*(\S+)/.exec(added.stdout)![1];
    const sizes: Record<string, number> = {
      'whole.msu': 5 * MB + 7,
      'crowd.msu': 4 * MB,
      'ranged.cab': 3 * MB,
      'corrupt.exe': 3 * MB,
      'offline.msu': 2 * MB,
      'dropped.msu': 6 * MB,
      'deep.msu': 3 * MB,
      'warm.msu': MB,
      'unlisted.msu': MB,
    };
    const files = Object.entries(sizes).map(([name, size]) => {
      const bytes = randomBytes(size);
      fs.writeFileSync(path.join(dir, name), bytes);
      return { name, bytes };
    });
    const published = await runCli(
      [
        'publish',
        '--url',
        root.url,
        '--title',
        'Contoso Suite 2',
        '--product',
        'Contoso Suite',
        '--classification',
        'Updates',
        ...files.map((f) => path.join(dir, f.name)),
      ],
      { ...env, CASCADE_USER: 'contoso', CASCADE_PASSWORD: password },
    );
    expect(published.code, published.stderr).to.equal(0);
    const rows = await sql<{ sha1: string; sha256: string; size: string; extension: string }>(rootDb, 'SELECT * FROM update_file');
    for (const f of files) {
      const sha1 = new RegExp(`${f.name.replace('.', '\\.')}\\s+sha1 ([0-9a-f]{40})`).exec(published.stdout)![1];
      const row = rows.find((r) => r.sha1 === sha1)!;
      payloads.set(f.name, {
        name: f.name,
        bytes: f.bytes,
        sha1,
        sha256: row.sha256,
        size: Number(row.size),
        extension: row.extension,
        path: contentUrlPath(sha1, row.extension),
      });
    }
    proxy = await startCountingProxy(root.url);
    child = await childNode(childDb, 'child', proxy.url);
    grandchild = await childNode(grandDb, 'grandchild', child.url);
    // Metadata sync would write these rows; the child learns of every payload but "unlisted".
    for (const f of payloads.values()) if (f.name !== 'unlisted.msu') await insertRow(childDb, f);
  });
  after(async () => {
    await Promise.all([root, child, grandchild].map((n) => n?.stop()));
    await proxy?.close();
    await Promise.all(dbs.map((db) => db.drop()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves a 5 MB payload it does not hold byte-identical from its parent, then holds it and serves it from its store', async () => {
    const f = p('whole.msu');
    expect(await storedAt(childDb, f.name)).to.equal(null);
    const first = await download(child.url + f.path);
    expect(first.status).to.equal(200);
    expect(first.res.headers.get('content-length')).to.equal(String(f.size));
    expect(first.body.equals(f.bytes)).to.equal(true);
    expect(await settles(async () => (await storedAt(childDb, f.name)) instanceof Date), 'stored_at set').to.equal(true);
    expect(filesUnder(contentOf('child'))).to.deep.equal([f.path.slice('/Content/'.length)]);

    const again = await download(child.url + f.path);
    expect(again.body.equals(f.bytes)).to.equal(true);
    expect(rootFetches(f.name)).to.equal(1);
    expect(await fetchCount(child, 'ok')).to.equal(1);
  });

  it('answers 10 concurrent requests for a missing payload with one upstream fetch', async () => {
    const f = p('crowd.msu');
    const okBefore = await fetchCount(child, 'ok');
    const answers = await Promise.all(Array.from({ length: 10 }, () => download(child.url + f.path)));
    for (const a of answers) {
      expect(a.status).to.equal(200);
      expect(a.body.equals(f.bytes)).to.equal(true);
    }
    expect(rootFetches(f.name), 'GETs that reached the root').to.equal(1);
    expect(await fetchCount(child, 'ok')).to.equal(okBefore + 1);
  });

  it('answers HEAD from its metadata, and a range request for a payload it does not hold yet with 206 once the whole payload is fetched and verified', async () => {
    const f = p('ranged.cab');
    const head = await fetch(child.url + f.path, { method: 'HEAD' });
    expect(head.status).to.equal(200);
    expect(head.headers.get('content-length')).to.equal(String(f.size));
    expect(rootFetches(f.name), 'HEAD answers from the metadata').to.equal(0);
    const part = await download(child.url + f.path, { Range: 'bytes=1000-1999' });
    expect(part.status).to.equal(206);
    expect(part.res.headers.get('content-range')).to.equal(`bytes 1000-1999/${f.size}`);
    expect(part.body.equals(f.bytes.subarray(1000, 2000))).to.equal(true);
    expect(fs.existsSync(path.join(contentOf('child'), f.path.slice('/Content/'.length)))).to.equal(true);
    expect(rootFetches(f.name)).to.equal(1);
  });

  it('finishes and keeps a payload whose live requester hung up mid-stream', async () => {
    const f = p('dropped.msu');
    await new Promise<void>((resolve, reject) => {
      const req = http.get(child.url + f.path, (res) => {
        expect(res.statusCode).to.equal(200);
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (err) => {
        if (!req.destroyed) reject(err);
      });
    });
    expect(await settles(async () => (await storedAt(childDb, f.name)) instanceof Date), 'kept and recorded').to.equal(true);
    expect(fs.readFileSync(path.join(contentOf('child'), f.path.slice('/Content/'.length))).equals(f.bytes)).to.equal(true);
    expect((await download(child.url + f.path)).body.equals(f.bytes)).to.equal(true);
    expect(rootFetches(f.name)).to.equal(1);
  });

  it('cuts off the requester of a payload corrupted at the parent and keeps nothing, on every attempt', async () => {
    const f = p('corrupt.exe');
    const atRoot = path.join(contentOf('root'), f.path.slice('/Content/'.length));
    const fd = fs.openSync(atRoot, 'r+');
    fs.writeSync(fd, Buffer.from('not the published bytes'), 0, 23, Math.floor(f.size / 2));
    fs.closeSync(fd);
    const corruptBefore = await fetchCount(child, 'corrupt');
    for (let attempt = 1; attempt <= 2; attempt++) {
      const answer = await rawGet(child.url + f.path);
      const completeOk = answer.status === 200 && answer.complete && answer.body.length === f.size;
      expect(completeOk, `attempt ${attempt}: the requester got a complete 200`).to.equal(false);
      expect(answer.body.length).to.be.below(f.size);
      expect(filesUnder(contentOf('child')).filter((n) => n.includes(f.sha1.toUpperCase()) || n.startsWith('.tmp'))).to.deep.equal([]);
      expect(await storedAt(childDb, f.name)).to.equal(null);
      expect(await fetchCount(child, 'corrupt')).to.equal(corruptBefore + attempt);
    }
    expect(rootFetches(f.name)).to.equal(2);

    // Requests that wait for someone else's fetch fail cleanly with 502; the one streaming it is cut off.
    const crowd = await Promise.all(Array.from({ length: 4 }, () => rawGet(child.url + f.path)));
    for (const answer of crowd) {
      if (answer.status === 502) expect(JSON.parse(answer.body.toString()).error).to.equal('UpstreamUnavailable');
      else expect(answer.complete && answer.body.length === f.size, `a complete ${answer.status}`).to.equal(false);
    }
    expect(crowd.filter((a) => a.status === 502).length, 'requests that waited').to.be.greaterThan(0);
    expect(filesUnder(contentOf('child')).filter((n) => n.includes(f.sha1.toUpperCase()) || n.startsWith('.tmp'))).to.deep.equal([]);
  });

  it('answers 404 for a digest no update names, without asking its parent (even one the parent holds)', async () => {
    const before = proxy.total();
    const unknown = randomBytes(20).toString('hex');
    for (const urlPath of [contentUrlPath(unknown, '.exe'), p('unlisted.msu').path]) {
      const res = await fetch(child.url + urlPath);
      expect(res.status, urlPath).to.equal(404);
      expect(((await res.json()) as { error: string }).error).to.equal('NotFound');
    }
    expect(proxy.total()).to.equal(before);
  });

  it('with its parent down serves what it holds, answers 502 for the rest, and fetches it once the parent is back', async () => {
    const held = p('whole.msu');
    const missing = p('offline.msu');
    await root.stop();
    try {
      expect((await download(child.url + held.path)).body.equals(held.bytes)).to.equal(true);
      const failedBefore = await fetchCount(child, 'failed');
      const res = await fetch(child.url + missing.path);
      expect(res.status).to.equal(502);
      expect(((await res.json()) as { error: string }).error).to.equal('UpstreamUnavailable');
      expect(await fetchCount(child, 'failed')).to.equal(failedBefore + 1);
      expect(filesUnder(contentOf('child')).filter((n) => n.includes(missing.sha1.toUpperCase()) || n.startsWith('.tmp'))).to.deep.equal(
        [],
      );
    } finally {
      root = await startNodeProcess(root.env);
    }
    const later = await download(child.url + missing.path);
    expect(later.status).to.equal(200);
    expect(later.body.equals(missing.bytes)).to.equal(true);
  });

  it('serves a payload two tiers down byte-identical and leaves it held at both the child and the grandchild', async () => {
    const f = p('deep.msu');
    await insertRow(grandDb, f);
    const got = await download(grandchild.url + f.path);
    expect(got.status).to.equal(200);
    expect(got.body.equals(f.bytes)).to.equal(true);
    const rel = f.path.slice('/Content/'.length);
    for (const [tier, db] of [
      ['child', childDb],
      ['grandchild', grandDb],
    ] as const) {
      expect(await settles(async () => (await storedAt(db, f.name)) instanceof Date), `stored_at set at the ${tier}`).to.equal(true);
      expect(fs.readFileSync(path.join(contentOf(tier), rel)).equals(f.bytes), `held by the ${tier}`).to.equal(true);
    }
    expect(rootFetches(f.name)).to.equal(1);
    expect(await fetchCount(grandchild, 'ok')).to.equal(1);
  });

  it('warms its store when a downstream server calls DownloadFiles', async () => {
    const f = p('warm.msu');
    const downstream = await addDownstream({ DATABASE_URL: childDb.url }, 'grandchild.example');
    const { sync, cookie } = await authorize(child.url, downstream.id, downstream.secret);
    await sync.DownloadFilesAsync({ cookie, fileDigestList: { base64Binary: [Buffer.from(f.sha1, 'hex').toString('base64')] } });
    const file = path.join(contentOf('child'), f.path.slice('/Content/'.length));
    expect(await settles(async () => (await storedAt(childDb, f.name)) instanceof Date), 'warmed and recorded').to.equal(true);
    expect(fs.readFileSync(file).equals(f.bytes)).to.equal(true);
    expect(rootFetches(f.name)).to.equal(1);
  });
});
