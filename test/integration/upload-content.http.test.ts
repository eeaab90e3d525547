import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { runCli, startNodeProcess, tempDir, type NodeProcess } from '../support/node-process';
import { createTestDatabase, type TestDatabase, sql as sqlAt } from '../support/test-database';
import { waitFor } from '../support/wait-for';

const MiB = 1024 * 1024;

function basic(name: string, password: string): string {
  return `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}`;
}

function hex(algorithm: string, data: Buffer): string {
  return createHash(algorithm).update(data).digest('hex');
}

/** Every file under root, relative paths (the .tmp folder included). */
function filesUnder(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true }) as string[]).filter((p) => fs.statSync(path.join(root, p)).isFile()).sort();
}

/** Raw HTTP so the path goes out exactly as written (fetch would normalise "..") and early answers are seen. */
function raw(
  url: string,
  opts: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = http.request({ hostname, port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    // The server may close while the body is still going out; the answer that came first is what counts,
    // so an error fails the request only if the connection closed without one.
    req.on('error', (err) =>
      req.once('close', () => {
        if (!answered) reject(err);
      }),
    );
    req.end(opts.body);
  });
}

const sql = <T = Record<string, unknown>>(db: TestDatabase, text: string, params: unknown[] = []) => sqlAt<T>(db.url, text, params);

describe('PUT /Upload and GET /Content through a real node', function () {
  this.timeout(120000);
  let db: TestDatabase;
  let node: NodeProcess;
  let root: string;
  let contentDir: string;
  let password: string;
  let auth: string;
  const payload = randomBytes(5 * 1000 * 1000 + 3);
  const sha1 = hex('sha1', payload);
  const sha256 = hex('sha256', payload);
  const contentPath = `/Content/${sha1.slice(38).toUpperCase()}/${sha1.toUpperCase()}.exe`;

  before(async () => {
    db = await createTestDatabase();
    root = tempDir('casc-upload-');
    contentDir = path.join(root, 'content');
    node = await startNodeProcess({ DATABASE_URL: db.url, CASCADE_CONTENT_DIR: contentDir, CASCADE_DATA_DIR: path.join(root, 'data') });
  });
  after(async () => {
    await node?.stop();
    await db?.drop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('cascade providers add prints a password once; add again is refused; list shows the account', async () => {
    const added = await runCli(['providers', 'add', 'contoso'], { DATABASE_URL: db.url });
    expect(added.code, added.stderr).to.equal(0);
    const m = /^password: (\S+)$/m.exec(added.stdout);
    expect(m, added.stdout).to.not.equal(null);
    password = m![1];
    auth = basic('contoso', password);
    expect(added.stdout).to.match(/will not be shown again/);
    expect(added.stdout.split(password)).to.have.length(2);

    const again = await runCli(['providers', 'add', 'contoso'], { DATABASE_URL: db.url });
    expect(again.code).to.equal(3);
    expect(again.stderr).to.match(/already exists/);
    const bad = await runCli(['providers', 'add', '../evil'], { DATABASE_URL: db.url });
    expect(bad.code).to.equal(3);
    expect(bad.stderr).to.match(/invalid provider name/);

    const list = await runCli(['providers', 'list'], { DATABASE_URL: db.url });
    expect(list.stdout).to.match(/^contoso\tenabled\t/m);
    expect(list.stdout).to.not.include(password);
  });

  it('stores an uploaded 5 MB payload and answers 201 with its digests and URL', async () => {
    const res = await fetch(`${node.url}/Upload/Setup.EXE`, { method: 'PUT', headers: { Authorization: auth }, body: payload });
    expect(res.status).to.equal(201);
    expect(await res.json()).to.deep.equal({
      sha1,
      sha256,
      size: payload.length,
      fileName: 'Setup.EXE',
      digest: Buffer.from(sha1, 'hex').toString('base64'),
      additionalDigest: Buffer.from(sha256, 'hex').toString('base64'),
      url: node.url + contentPath,
    });
    expect(filesUnder(contentDir)).to.deep.equal([contentPath.slice('/Content/'.length)]);
    const rows = await sql<{ sha256: string; size: string; extension: string; stored: boolean }>(
      db,
      'SELECT sha256, size, extension, stored_at IS NOT NULL AS stored FROM update_file WHERE sha1 = $1',
      [sha1],
    );
    expect(rows).to.deep.equal([{ sha256, size: String(payload.length), extension: '.exe', stored: true }]);
  });

  it('takes the file name from ?name= too, or stores without an extension', async () => {
    const small = randomBytes(1000);
    const named = await fetch(`${node.url}/Upload?name=tool.msi`, { method: 'PUT', headers: { Authorization: auth }, body: small });
    expect(named.status).to.equal(201);
    expect(((await named.json()) as { url: string }).url).to.match(/\.msi$/);
    const other = randomBytes(1000);
    const bare = await fetch(`${node.url}/Upload`, { method: 'PUT', headers: { Authorization: auth }, body: other });
    const body = (await bare.json()) as { fileName: string | null; url: string };
    expect(body.fileName).to.equal(null);
    expect(body.url).to.equal(`${node.url}/Content/${hex('sha1', other).slice(38).toUpperCase()}/${hex('sha1', other).toUpperCase()}`);
    expect(Buffer.from(await (await fetch(body.url)).arrayBuffer()).equals(other)).to.equal(true);
    for (const bad of ['/Upload?name=..%2Fx.exe', '/Upload/x.ex-e', '/Upload/..']) {
      const res = await raw(node.url, { method: 'PUT', path: bad, body: small, headers: { Authorization: auth } });
      expect(res.status, bad).to.equal(400);
      expect(JSON.parse(res.body.toString()).error, bad).to.equal('InvalidParameters');
    }
  });

  it('serves the payload back byte for byte, with its headers, in any letter case', async () => {
    for (const p of [contentPath, contentPath.toLowerCase()]) {
      const res = await fetch(node.url + p);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-length')).to.equal(String(payload.length));
      expect(res.headers.get('content-type')).to.equal('application/octet-stream');
      expect(res.headers.get('etag')).to.equal(`"${sha1}"`);
      expect(res.headers.get('accept-ranges')).to.equal('bytes');
      expect(Buffer.from(await res.arrayBuffer()).equals(payload)).to.equal(true);
    }
  });

  it('answers HEAD with the headers only', async () => {
    const res = await raw(node.url, { method: 'HEAD', path: contentPath });
    expect(res.status).to.equal(200);
    expect(res.headers['content-length']).to.equal(String(payload.length));
    expect(res.headers.etag).to.equal(`"${sha1}"`);
    expect(new Date(res.headers['last-modified']!).getTime()).to.be.greaterThan(Date.now() - 600000);
    expect(res.body.length).to.equal(0);
  });

  it('serves single byte ranges with 206 and Content-Range', async () => {
    const size = payload.length;
    const cases: [string, number, number][] = [
      ['bytes=100-199', 100, 199],
      ['bytes=-500', size - 500, size - 1],
      ['bytes=4000000-', 4000000, size - 1],
      ['bytes=0-99999999', 0, size - 1],
    ];
    for (const [range, start, end] of cases) {
      const res = await fetch(node.url + contentPath, { headers: { Range: range } });
      expect(res.status, range).to.equal(206);
      expect(res.headers.get('content-range')).to.equal(`bytes ${start}-${end}/${size}`);
      expect(res.headers.get('content-length')).to.equal(String(end - start + 1));
      expect(Buffer.from(await res.arrayBuffer()).equals(payload.subarray(start, end + 1)), range).to.equal(true);
    }
    const several = await fetch(node.url + contentPath, { headers: { Range: 'bytes=0-1,10-11' } });
    expect(several.status).to.equal(200);
    expect((await several.arrayBuffer()).byteLength).to.equal(size);
    const stale = await fetch(node.url + contentPath, { headers: { Range: 'bytes=0-1', 'If-Range': '"0000"' } });
    expect(stale.status).to.equal(200);
    await stale.arrayBuffer();
  });

  it('answers 416 with bytes */size for a range past the end', async () => {
    const res = await fetch(node.url + contentPath, { headers: { Range: `bytes=${payload.length}-` } });
    expect(res.status).to.equal(416);
    expect(res.headers.get('content-range')).to.equal(`bytes */${payload.length}`);
    await res.arrayBuffer();
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const res = await fetch(node.url + contentPath, { headers: { 'If-None-Match': `"${sha1}"` } });
    expect(res.status).to.equal(304);
    expect(res.headers.get('etag')).to.equal(`"${sha1}"`);
    const other = await fetch(node.url + contentPath, { method: 'HEAD', headers: { 'If-None-Match': '"other"' } });
    expect(other.status).to.equal(200);
  });

  it('answers 404 JSON for unknown payloads, bad names and every traversal attempt', async () => {
    const folder = sha1.slice(38).toUpperCase();
    const wrongFolder = ((parseInt(folder, 16) + 1) % 256).toString(16).toUpperCase().padStart(2, '0');
    const paths = [
      `/Content/${'AB'.repeat(20).slice(0, 38)}AB/${'0'.repeat(38)}AB.exe`,
      `/Content/${folder}/${sha1.toUpperCase()}.cab`,
      `/Content/${wrongFolder}/${sha1.toUpperCase()}.exe`,
      `/Content/ZZ/${sha1.toUpperCase()}.exe`,
      `/Content/${folder}/..`,
      '/Content/../../../../etc/passwd',
      `/Content/${folder}/../../package.json`,
      '/Content/%2e%2e/%2e%2e%2fpackage.json',
      `/Content/${folder}/%2e%2e%2f%2e%2e%2fpackage.json`,
      `/Content/${folder}/..%2F..%2F..%2Fetc%2Fpasswd`,
      '/Content/.tmp/x.part',
    ];
    for (const p of paths) {
      const res = await raw(node.url, { path: p });
      expect(res.status, p).to.equal(404);
      expect(JSON.parse(res.body.toString()).error, p).to.equal('NotFound');
    }
  });

  it('never serves a stored file no update_file row names, and adopts it when the same bytes are uploaded', async () => {
    const orphan = randomBytes(64 * 1024);
    const orphanSha1 = hex('sha1', orphan);
    const relative = `${orphanSha1.slice(38).toUpperCase()}/${orphanSha1.toUpperCase()}.cab`;
    // What a crash between keeping the file and recording its row left behind.
    fs.mkdirSync(path.dirname(path.join(contentDir, relative)), { recursive: true });
    fs.writeFileSync(path.join(contentDir, relative), orphan);
    expect((await raw(node.url, { path: `/Content/${relative}` })).status).to.equal(404);
    const up = await raw(node.url, { method: 'PUT', path: '/Upload/orphan.cab', headers: { Authorization: auth }, body: orphan });
    expect(up.status, up.body.toString()).to.equal(201);
    const served = await raw(node.url, { path: `/Content/${relative}` });
    expect(served.status).to.equal(200);
    expect(served.body.equals(orphan)).to.equal(true);
    expect(await sql(db, 'SELECT stored_at IS NOT NULL AS stored FROM update_file WHERE sha1 = $1', [orphanSha1])).to.deep.equal([
      { stored: true },
    ]);
  });

  it('refuses uploads without valid, enabled provider credentials (401)', async () => {
    const added = await runCli(['providers', 'add', 'fabrikam'], { DATABASE_URL: db.url });
    const fabrikam = /^password: (\S+)$/m.exec(added.stdout)![1];
    const ok = await fetch(`${node.url}/Upload/a.bin`, {
      method: 'PUT',
      headers: { Authorization: basic('fabrikam', fabrikam) },
      body: 'x',
    });
    expect(ok.status).to.equal(201);
    const disabled = await runCli(['providers', 'disable', 'fabrikam'], { DATABASE_URL: db.url });
    expect(disabled.code, disabled.stderr).to.equal(0);
    expect((await runCli(['providers', 'list'], { DATABASE_URL: db.url })).stdout).to.match(/^fabrikam\tdisabled/m);

    const attempts: Record<string, string | undefined> = {
      none: undefined,
      'wrong password': basic('contoso', `${password}x`),
      'unknown user': basic('nobody', password),
      'disabled provider': basic('fabrikam', fabrikam),
    };
    const body = randomBytes(2000);
    for (const [what, authorization] of Object.entries(attempts)) {
      const res = await raw(node.url, {
        method: 'PUT',
        path: '/Upload/x.exe',
        body,
        headers: authorization ? { Authorization: authorization } : {},
      });
      expect(res.status, what).to.equal(401);
      expect(res.headers['www-authenticate'], what).to.equal('Basic realm="Cascade"');
      expect(JSON.parse(res.body.toString()).error, what).to.equal('Unauthorized');
    }
    expect(await sql(db, 'SELECT 1 FROM update_file WHERE sha1 = $1', [hex('sha1', body)])).to.have.length(0);
  });

  it('leaves nothing behind when a client aborts mid-upload', async () => {
    const before = filesUnder(contentDir);
    const { hostname, port } = new URL(node.url);
    const req = http.request({
      hostname,
      port,
      method: 'PUT',
      path: '/Upload/big.exe',
      headers: { Authorization: auth, 'Content-Length': String(8 * MiB) },
    });
    req.on('error', () => undefined);
    req.write(randomBytes(3 * MiB));
    const tmp = path.join(contentDir, '.tmp');
    await waitFor('the upload to stream into .tmp', () => fs.existsSync(tmp) && fs.readdirSync(tmp).length > 0, { timeoutMs: 2500 });
    expect(fs.readdirSync(tmp), 'the upload was streaming into .tmp').to.have.length(1);
    req.destroy();
    await waitFor('the node to remove the aborted upload', () => JSON.stringify(filesUnder(contentDir)) === JSON.stringify(before), {
      timeoutMs: 5000,
    }).catch(() => undefined);
    expect(filesUnder(contentDir)).to.deep.equal(before);
    expect(node.output(), 'an abort is not a server error').to.not.match(/unhandled error/);
  });

  describe('with CASCADE_UPLOAD_MAX_BYTES=1MiB', () => {
    let small: NodeProcess;
    const smallDir = () => path.join(root, 'small-content');
    before(async () => {
      small = await startNodeProcess({
        DATABASE_URL: db.url,
        CASCADE_CONTENT_DIR: smallDir(),
        CASCADE_DATA_DIR: path.join(root, 'small-data'),
        CASCADE_UPLOAD_MAX_BYTES: '1MiB',
      });
    });
    after(async () => small?.stop());

    it('answers 413 from Content-Length and from the stream itself, keeping no file and no row', async () => {
      const big = randomBytes(2 * MiB);
      const declared = await raw(small.url, { method: 'PUT', path: '/Upload/big.exe', body: big, headers: { Authorization: auth } });
      expect(declared.status).to.equal(413);
      expect(JSON.parse(declared.body.toString()).error).to.equal('PayloadTooLarge');

      const chunked = await raw(small.url, {
        method: 'PUT',
        path: '/Upload/big.exe',
        body: big,
        headers: { Authorization: auth, 'Transfer-Encoding': 'chunked' },
      });
      expect(chunked.status).to.equal(413);
      expect(JSON.parse(chunked.body.toString()).error).to.equal('PayloadTooLarge');

      const exact = randomBytes(MiB);
      expect(
        (await raw(small.url, { method: 'PUT', path: '/Upload/ok.bin', body: exact, headers: { Authorization: auth } })).status,
      ).to.equal(201);
      const sha = hex('sha1', exact);
      expect(filesUnder(smallDir())).to.deep.equal([`${sha.slice(38).toUpperCase()}/${sha.toUpperCase()}.bin`]);
      expect(await sql(db, 'SELECT 1 FROM update_file WHERE sha1 = $1', [hex('sha1', big)])).to.have.length(0);
    });
  });
});
