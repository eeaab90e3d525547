import { expect } from 'chai';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { ContentStore } from '../../src/content/content-store';
import { DomainError } from '../../src/domain/errors';
import { tempDir } from '../support/node-process';
import { waitFor } from '../support/wait-for';

/** Every file under root, as paths relative to it. */
function filesUnder(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true }) as string[]).filter((p) => fs.statSync(path.join(root, p)).isFile()).sort();
}

function digest(algorithm: string, data: Buffer): string {
  return createHash(algorithm).update(data).digest('hex');
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('ContentStore on real files', () => {
  let root: string;
  let store: ContentStore;
  beforeEach(async () => {
    root = tempDir('casc-store-');
    store = new ContentStore(root);
    await store.init();
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('stores a stream under <XX>/<SHA1HEX>.<ext> with both digests and its size', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const got = await store.store(Readable.from([data.subarray(0, 1000), data.subarray(1000)]), { maxBytes: 10e6, extension: '.EXE' });
    const sha1 = digest('sha1', data);
    expect(got).to.deep.equal({ sha1, sha256: digest('sha256', data), size: data.length });
    const rel = `${sha1.slice(38).toUpperCase()}/${sha1.toUpperCase()}.exe`;
    expect(filesUnder(root)).to.deep.equal([rel]);
    expect(fs.readFileSync(path.join(root, rel)).equals(data)).to.equal(true);
    expect(store.contentPath(sha1, 'exe')).to.equal(path.join(root, rel));
    expect(await store.has(sha1, '.exe')).to.equal(true);
    expect(await store.has(sha1, '.cab')).to.equal(false);
    expect((await store.stat(sha1, '.exe'))?.size).to.equal(data.length);
    expect(await store.stat(sha1, '')).to.equal(undefined);
  });

  it('keeps one copy when the same bytes arrive twice', async () => {
    const data = randomBytes(1000);
    const first = await store.store(Readable.from([data]), { maxBytes: 1e6 });
    const before = fs.statSync(store.contentPath(first.sha1, '')).ino;
    const second = await store.store(Readable.from([data]), { maxBytes: 1e6 });
    expect(second).to.deep.equal(first);
    expect(fs.statSync(store.contentPath(first.sha1, '')).ino).to.equal(before);
    expect(filesUnder(root)).to.have.length(1);
  });

  it('refuses more than maxBytes with PayloadTooLarge and keeps nothing', async () => {
    const err = await rejection(store.store(Readable.from([randomBytes(600), randomBytes(600)]), { maxBytes: 1000 }));
    expect(err).to.be.instanceOf(DomainError).with.property('code', 'PayloadTooLarge');
    expect(filesUnder(root)).to.deep.equal([]);
  });

  it('accepts exactly maxBytes', async () => {
    const got = await store.store(Readable.from([randomBytes(1000)]), { maxBytes: 1000 });
    expect(got.size).to.equal(1000);
  });

  it('checks expected digests and size, keeping nothing on a mismatch', async () => {
    const data = randomBytes(5000);
    const good = { sha1: digest('sha1', data).toUpperCase(), sha256: digest('sha256', data), size: 5000 };
    expect((await store.store(Readable.from([data]), { maxBytes: 1e6, expect: good })).size).to.equal(5000);
    fs.rmSync(store.contentPath(good.sha1, ''));
    for (const wrong of [{ sha1: '0'.repeat(40) }, { sha256: 'f'.repeat(64) }, { size: 4999 }]) {
      const err = await rejection(store.store(Readable.from([data]), { maxBytes: 1e6, expect: wrong }));
      expect(err).to.be.instanceOf(DomainError).with.property('code', 'InvalidParameters');
      expect(filesUnder(root)).to.deep.equal([]);
    }
  });

  it('calls onVerified once the digests match, before the payload is in place, and never on a mismatch', async () => {
    const data = randomBytes(3 * 1024 * 1024);
    const good = { sha1: digest('sha1', data), sha256: digest('sha256', data), size: data.length };
    const calls: { sha1: string; inPlace: boolean }[] = [];
    const onVerified = (d: { sha1: string }) => calls.push({ sha1: d.sha1, inPlace: fs.existsSync(store.contentPath(good.sha1, '')) });
    expect(
      await rejection(store.store(Readable.from([data]), { maxBytes: 1e9, expect: { ...good, sha256: '0'.repeat(64) }, onVerified })),
    ).to.be.instanceOf(DomainError);
    expect(calls).to.deep.equal([]);
    await store.store(Readable.from([data]), { maxBytes: 1e9, expect: good, onVerified });
    expect(calls).to.deep.equal([{ sha1: good.sha1, inPlace: false }]);
    expect(fs.existsSync(store.contentPath(good.sha1, ''))).to.equal(true);
  });

  it('deletes the temp file when the source fails or is destroyed mid-stream', async () => {
    for (const end of [(s: PassThrough) => s.destroy(new Error('client went away')), (s: PassThrough) => s.destroy()]) {
      const source = new PassThrough();
      const stored = store.store(source, { maxBytes: 1e9 });
      source.write(randomBytes(2 * 1024 * 1024));
      await waitFor('the store to stream into a temp file', () => fs.existsSync(store.tmpDir) && fs.readdirSync(store.tmpDir).length === 1);
      end(source);
      expect(await rejection(stored)).to.be.instanceOf(Error);
      expect(filesUnder(root)).to.deep.equal([]);
    }
  });

  it('leaves the source undestroyed when it gives up, so the caller can still answer', async () => {
    const source = new PassThrough();
    const stored = store.store(source, { maxBytes: 10 });
    source.write(randomBytes(100));
    expect(await rejection(stored)).to.have.property('code', 'PayloadTooLarge');
    expect(source.destroyed).to.equal(false);
  });

  it('sweeps only stale temp files', async () => {
    const stale = path.join(store.tmpDir, 'old.part');
    const fresh = path.join(store.tmpDir, 'new.part');
    fs.writeFileSync(stale, 'x');
    fs.writeFileSync(fresh, 'y');
    const hourAgo = new Date(Date.now() - 2 * 3600 * 1000);
    fs.utimesSync(stale, hourAgo, hourAgo);
    expect(await store.sweepTemp(3600 * 1000)).to.equal(1);
    expect(fs.readdirSync(store.tmpDir)).to.deep.equal(['new.part']);
  });

  it("sweeps at once the fresh temp files of this host's dead processes and of this pid's earlier process, not a live one's", async () => {
    const mine = new ContentStore(root, { host: 'h1', pid: process.pid, token: 'aaaa' });
    const dead = 2 ** 22 + 1; // above Linux's largest pid_max: never a running process
    const names = {
      gone: `h1~${dead}~bbbb~1.part`,
      earlier: `h1~${process.pid}~bbbb~2.part`,
      own: `h1~${process.pid}~aaaa~3.part`,
      live: `h1~${process.ppid}~cccc~4.part`,
      otherHost: `h2~${dead}~dddd~5.part`,
      legacy: 'abcdef.part',
    };
    for (const name of Object.values(names)) fs.writeFileSync(path.join(mine.tmpDir, name), 'x');
    expect(await mine.sweepTemp(3600 * 1000)).to.equal(2);
    expect(fs.readdirSync(mine.tmpDir).sort()).to.deep.equal([names.own, names.live, names.otherHost, names.legacy].sort());
  });

  it('names its temp files after the writing process, and keeps nothing when beforeKeep rejects', async () => {
    const mine = new ContentStore(root, { host: 'h1', pid: 4242, token: 'abcd' });
    const source = new PassThrough();
    const stored = mine.store(source, {
      maxBytes: 1e9,
      beforeKeep: async () => {
        expect(fs.readdirSync(mine.tmpDir))
          .to.have.length(1)
          .and.to.satisfy((n: string[]) => n[0].startsWith('h1~4242~abcd~'));
        throw new DomainError('Conflict', 'refused');
      },
    });
    source.end(randomBytes(1000));
    expect(await rejection(stored)).to.have.property('code', 'Conflict');
    expect(filesUnder(root)).to.deep.equal([]);
  });

  it('reads a stored payload or a range of it', async () => {
    const data = randomBytes(2 * 1024 * 1024 + 5);
    const { sha1 } = await store.store(Readable.from([data]), { maxBytes: 1e7, extension: 'cab' });
    const read = async (range?: { start: number; end: number }) => {
      const chunks: Buffer[] = [];
      for await (const c of store.createReadStream(sha1, '.cab', range)) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    };
    expect((await read()).equals(data)).to.equal(true);
    expect((await read({ start: 1024 * 1024 - 3, end: 1024 * 1024 + 3 })).equals(data.subarray(1024 * 1024 - 3, 1024 * 1024 + 4))).to.equal(
      true,
    );
  });
});
