import { expect } from 'chai';
import { createCipheriv, createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli, startNodeProcess, tempDir, type NodeProcess } from '../support/node-process';
import { createTestDatabase, sql, type TestDatabase } from '../support/test-database';
import { waitFor } from '../support/wait-for';

// Reproducible: the same seed gives the same payloads, the same uploads and the same kill points.
const SEED = Number(process.env.CASCADE_CRASH_SEED ?? 20261130);
const ROUNDS = Number(process.env.CASCADE_CRASH_ROUNDS ?? 8);

/** mulberry32 is a small seeded PRNG returning floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** seededBytes expands a number into `size` pseudo-random bytes (AES-CTR over zeros). */
function seededBytes(seed: number, size: number): Buffer {
  const key = createHash('sha256').update(`payload ${seed}`).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

const sha1Of = (b: Buffer) => createHash('sha1').update(b).digest('hex');

/**
 * upload streams a payload to PUT /Upload in 256 KiB chunks with short pauses, so a kill can land anywhere in it;
 * `sent` settles once the last byte is written. The answer's status, or 0 when the connection died first.
 */
function upload(url: string, auth: string, name: string, body: Buffer): { answered: Promise<number>; sent: Promise<void> } {
  let markSent!: () => void;
  const sent = new Promise<void>((resolve) => (markSent = resolve));
  const answered = new Promise<number>((resolve) => {
    const req = http.request(`${url}/Upload/${name}`, {
      method: 'PUT',
      headers: { Authorization: auth, 'Content-Length': String(body.length) },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', () => resolve(0));
    void (async () => {
      for (let at = 0; at < body.length && !req.destroyed; at += 256 * 1024) {
        req.write(body.subarray(at, at + 256 * 1024));
        await sleep(3);
      }
      req.end();
      markSent();
    })();
  });
  void answered.then(markSent);
  return { answered, sent };
}

/**
 * killPoint waits for one of three moments, chosen at random: early (while the uploads sign in), inside a body
 * (once the node writes a partial file), or near an end (just after an upload's last byte, while the node
 * hashes, syncs, records and renames it); then a further random few milliseconds.
 */
async function killPoint(rand: () => number, tmpDir: string, uploads: Array<{ sent: Promise<void> }>): Promise<void> {
  const moment = rand();
  if (moment < 0.2) {
    await sleep(Math.floor(rand() * 30));
  } else if (moment < 0.6) {
    await waitFor('a partial upload file', () => fs.readdirSync(tmpDir).length > 0, { timeoutMs: 30000, intervalMs: 2 });
    await sleep(Math.floor(rand() * 40));
  } else {
    await uploads[Math.floor(rand() * uploads.length)].sent;
    await sleep(Math.floor(rand() * 30));
  }
}

describe('kill -9 during uploads, then a restart', function () {
  this.timeout(600000);
  let db: TestDatabase;
  let root: string;
  let env: Record<string, string>;
  let auth: string;
  let node: NodeProcess | undefined;

  before(async () => {
    db = await createTestDatabase();
    root = tempDir('casc-crash-');
    env = { DATABASE_URL: db.url, CASCADE_DATA_DIR: path.join(root, 'data'), CASCADE_CONTENT_DIR: path.join(root, 'content') };
    const added = await runCli(['providers', 'add', 'contoso'], env);
    auth = `Basic ${Buffer.from(`contoso:${/password:\s*(\S+)/.exec(added.stdout)![1]}`).toString('base64')}`;
  });
  after(async () => {
    await node?.kill();
    await db?.drop();
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** orphans lists what a crash must not leave: partial files, files no row names, rows of stored files that are missing or wrong. */
  async function orphans(): Promise<string[]> {
    const content = env.CASCADE_CONTENT_DIR;
    const found: string[] = fs.readdirSync(path.join(content, '.tmp')).map((f) => `partial file .tmp/${f}`);
    const rows = await sql<{ sha1: string; extension: string; size: string; stored: boolean }>(
      db.url,
      'SELECT sha1, extension, size, stored_at IS NOT NULL AS stored FROM update_file',
    );
    const bySha1 = new Map(rows.map((r) => [r.sha1, r]));
    const files = (fs.readdirSync(content, { recursive: true }) as string[]).filter((f) => !f.startsWith('.tmp') && /\.cab$/.test(f));
    for (const f of files) {
      const sha1 = path.basename(f, '.cab').toLowerCase();
      const bytes = fs.readFileSync(path.join(content, f));
      if (!bySha1.has(sha1)) found.push(`file without row ${f}`);
      if (sha1Of(bytes) !== sha1) found.push(`file whose bytes are not its name ${f}`);
    }
    for (const r of rows.filter((x) => x.stored)) {
      const f = path.join(content, r.sha1.slice(38).toUpperCase(), `${r.sha1.toUpperCase()}${r.extension}`);
      if (!fs.existsSync(f)) found.push(`row of a missing file ${r.sha1}`);
      else if (fs.statSync(f).size !== Number(r.size)) found.push(`row of a file of another size ${r.sha1}`);
    }
    return found;
  }

  it(`leaves no partial file, no file without a row and no row without its file, over ${ROUNDS} kills at random points (seed ${SEED})`, async () => {
    const rand = mulberry32(SEED);
    const pool: Buffer[] = [];
    let leftPartial = 0;
    const outcomes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      node = await startNodeProcess(env);
      expect(await orphans(), `after restart ${round}`).to.deep.equal([]);
      const uploads = Array.from({ length: 3 }, (_, i) => {
        // Now and then the same bytes again: a payload a crash left is adopted, not duplicated.
        const again = pool.length > 0 && rand() < 0.3;
        const body = again
          ? pool[Math.floor(rand() * pool.length)]
          : seededBytes(round * 10 + i, 256 * 1024 + Math.floor(rand() * 6 * 1024 * 1024));
        if (!again) pool.push(body);
        return upload(node!.url, auth, `p-${round}-${i}.cab`, body);
      });
      await killPoint(rand, path.join(env.CASCADE_CONTENT_DIR, '.tmp'), uploads);
      await node.kill();
      outcomes.push(...(await Promise.all(uploads.map((u) => u.answered))));
      leftPartial += fs.readdirSync(path.join(env.CASCADE_CONTENT_DIR, '.tmp')).length;
    }
    // The kills did land inside uploads: some were cut off, leaving partial files for the restart to remove.
    expect(outcomes, 'some uploads were cut off').to.include(0);
    expect(leftPartial, 'partial files the kills left').to.be.above(0);
    node = await startNodeProcess(env);
    expect(await orphans(), 'after the last restart').to.deep.equal([]);
    // Every payload uploads and serves whole afterwards, whatever state the crashes left it in.
    for (const [i, body] of pool.entries()) expect(await upload(node.url, auth, `again-${i}.cab`, body).answered).to.equal(201);
    for (const body of pool) {
      const sha1 = sha1Of(body).toUpperCase();
      const res = await fetch(`${node.url}/Content/${sha1.slice(38)}/${sha1}.cab`);
      expect(res.status).to.equal(200);
      expect(sha1Of(Buffer.from(await res.arrayBuffer()))).to.equal(sha1.toLowerCase());
    }
    expect(await orphans()).to.deep.equal([]);
    await node.stop();
    node = undefined;
  });
});
