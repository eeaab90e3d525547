import { once } from 'node:events';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DomainError } from '../domain/errors';
import { isAbandoned, tempFileName, THIS_PROCESS, type TempOwner } from './temp-owner';

/** CHUNK_BYTES is the read and write buffer size; hashing in 1 MiB chunks is ~1.6× faster than in 64 KiB ones. */
export const CHUNK_BYTES = 1024 * 1024;

/** ContentDigests indicates what the store computed over a payload's bytes (hex in lower case). */
export interface ContentDigests {
  sha1: string;
  sha256: string;
  size: number;
}

/** StoreOptions bounds one store() call; expect lets a caller insist on known digests. */
export interface StoreOptions {
  maxBytes: number;
  /** File extension for the stored name, with or without its dot; "" or absent for none. */
  extension?: string;
  expect?: { sha1?: string; sha256?: string; size?: number };
  /**
   * onVerified is called once every byte is hashed and matches expect, before the file is flushed to disk
   * and renamed into place; a just-in-time requester may have its last bytes from then on.
   */
  onVerified?: (digests: ContentDigests) => void;
  /**
   * beforeKeep runs once the payload is complete and verified, before it is renamed into place; if it rejects,
   * nothing is kept. An upload records its update_file row here, so a crash never leaves a payload with no row.
   */
  beforeKeep?: (digests: ContentDigests) => Promise<void>;
}

/** ContentStat indicates a stored payload's size and when it was stored. */
export interface ContentStat {
  size: number;
  modifiedAt: Date;
}

/** ByteRange is an inclusive range of byte offsets. */
export interface ByteRange {
  start: number;
  end: number;
}

const SHA1_HEX = /^[0-9A-Fa-f]{40}$/;
const EXTENSION = /^\.?([A-Za-z0-9]{1,16})$/;
const FOLDER_IN_URL = /^[0-9A-Fa-f]{2}$/;
const FILE_IN_URL = /^([0-9A-Fa-f]{40})(\.[A-Za-z0-9]{1,16})?$/;

/** normalizeExtension turns "EXE", ".Exe" or "" into ".exe" or ""; anything else is InvalidParameters. */
export function normalizeExtension(extension: string): string {
  if (extension === '' || extension === '.') return '';
  const m = EXTENSION.exec(extension);
  if (!m) throw new DomainError('InvalidParameters', `unsupported file extension "${extension}": use 1-16 letters or digits`);
  return `.${m[1].toLowerCase()}`;
}

function sha1Hex(sha1: string): string {
  if (!SHA1_HEX.test(sha1)) throw new DomainError('InvalidParameters', `not a SHA-1 in hex: "${sha1}"`);
  return sha1.toUpperCase();
}

/** contentRelativePath is the layout WSUS uses: <XX>/<SHA1HEX><.ext>, XX the SHA-1's last byte, all hex upper-case. */
export function contentRelativePath(sha1: string, extension: string): string {
  const hex = sha1Hex(sha1);
  return `${hex.slice(38)}/${hex}${normalizeExtension(extension)}`;
}

/** contentUrlPath is the path a payload is served at: /Content/<XX>/<SHA1HEX><.ext>. */
export function contentUrlPath(sha1: string, extension: string): string {
  return `/Content/${contentRelativePath(sha1, extension)}`;
}

/**
 * parseContentName reads the two URL segments after /Content/ in any letter case and returns the SHA-1
 * (lower-case hex) and extension (".exe" or ""); undefined unless they name a valid store entry, so a
 * parsed name can never point outside the store.
 */
export function parseContentName(folder: string, file: string): { sha1: string; extension: string } | undefined {
  const m = FILE_IN_URL.exec(file);
  if (!FOLDER_IN_URL.test(folder) || !m) return undefined;
  if (m[1].slice(38).toUpperCase() !== folder.toUpperCase()) return undefined;
  return { sha1: m[1].toLowerCase(), extension: (m[2] ?? '').toLowerCase() };
}

/**
 * ContentStore indicates the content-addressed payload folder. Writes go to <root>/.tmp (same file system),
 * are hashed while they stream, fsynced, and renamed into place, so a reader never sees a partial payload.
 * A temp file is named after the process writing it (host~pid~token~random.part).
 */
export class ContentStore {
  /** Folder for payloads still arriving; nothing in it is ever served. */
  readonly tmpDir: string;

  constructor(
    readonly root: string,
    private readonly owner: TempOwner = THIS_PROCESS,
  ) {
    this.tmpDir = path.join(root, '.tmp');
  }

  /** contentPath is where a payload lives on disk. */
  contentPath(sha1: string, extension: string): string {
    return path.join(this.root, contentRelativePath(sha1, extension));
  }

  /** contentUrlPath is the path a payload is served at: /Content/<XX>/<SHA1HEX><.ext>. */
  contentUrlPath(sha1: string, extension: string): string {
    return contentUrlPath(sha1, extension);
  }

  /** init creates the store's folders. */
  async init(): Promise<void> {
    await fsp.mkdir(this.tmpDir, { recursive: true });
  }

  /**
   * sweepTemp deletes the temp files a crash left: at once those of a process of this host that is gone (or
   * an earlier process with this one's pid), and any untouched for olderThanMs (an upload in progress keeps its
   * file's mtime fresh), so several processes, even on several hosts, may share one store. Returns how many.
   */
  async sweepTemp(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let deleted = 0;
    for (const name of await fsp.readdir(this.tmpDir).catch(() => [] as string[])) {
      const file = path.join(this.tmpDir, name);
      const st = await fsp.stat(file).catch(() => undefined);
      if (st && (st.mtimeMs < cutoff || isAbandoned(name, this.owner))) {
        await fsp.rm(file, { force: true, recursive: true });
        deleted++;
      }
    }
    return deleted;
  }

  /**
   * store streams source into the store, computing SHA-1 and SHA-256 on the way, and returns them.
   * Over maxBytes → PayloadTooLarge; digests differing from expect → InvalidParameters; a source error or
   * premature close rejects too. On any failure nothing is kept. The caller owns source: store only stops
   * reading it and never destroys it, so an HTTP handler can still answer on the same connection.
   */
  async store(source: Readable, opts: StoreOptions): Promise<ContentDigests> {
    const extension = normalizeExtension(opts.extension ?? '');
    if (source.destroyed || source.readableEnded) throw new Error('content source is already consumed');
    await fsp.mkdir(this.tmpDir, { recursive: true });
    const tmp = path.join(this.tmpDir, tempFileName(this.owner));
    try {
      const digests = await receive(source, tmp, opts.maxBytes, (hashed) => {
        checkExpected(hashed, opts.expect);
        opts.onVerified?.(hashed);
      });
      await opts.beforeKeep?.(digests);
      const final = this.contentPath(digests.sha1, extension);
      await fsp.mkdir(path.dirname(final), { recursive: true });
      if (await exists(final)) {
        await fsp.rm(tmp, { force: true });
      } else {
        await fsp.rename(tmp, final);
        await syncFolder(path.dirname(final));
      }
      return digests;
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
  }

  /** has indicates whether the store holds the payload. */
  has(sha1: string, extension: string): Promise<boolean> {
    return exists(this.contentPath(sha1, extension));
  }

  /** stat returns a stored payload's size and mtime, or undefined when it is not stored. */
  async stat(sha1: string, extension: string): Promise<ContentStat | undefined> {
    try {
      const st = await fsp.stat(this.contentPath(sha1, extension));
      return st.isFile() ? { size: st.size, modifiedAt: st.mtime } : undefined;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** createReadStream reads a stored payload, or the inclusive range of it, in 1 MiB chunks. */
  createReadStream(sha1: string, extension: string, range?: ByteRange): Readable {
    return fs.createReadStream(this.contentPath(sha1, extension), { highWaterMark: CHUNK_BYTES, ...range });
  }
}

/** receive writes source to tmp; onHashed sees the digests as soon as the last byte is hashed and may throw to fail the write. */
function receive(source: Readable, tmp: string, maxBytes: number, onHashed: (digests: ContentDigests) => void): Promise<ContentDigests> {
  const sha1 = createHash('sha1');
  const sha256 = createHash('sha256');
  let size = 0;
  let digests: ContentDigests | undefined;
  const meter = new Transform({
    highWaterMark: CHUNK_BYTES,
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > maxBytes) return done(new DomainError('PayloadTooLarge', `payload exceeds the limit of ${maxBytes} bytes`));
      sha1.update(chunk);
      sha256.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      digests = { sha1: sha1.digest('hex'), sha256: sha256.digest('hex'), size };
      try {
        onHashed(digests);
        done();
      } catch (err) {
        done(err as Error);
      }
    },
  });
  // Plain pipe, not pipeline, from source: a failure here must not destroy the caller's stream.
  const onError = (err: Error) => meter.destroy(err);
  const onClose = () => {
    if (!source.readableEnded) meter.destroy(new Error('content source closed before its end'));
  };
  source.on('error', onError);
  source.on('close', onClose);
  source.pipe(meter);
  // flush: fsync before the descriptor closes, and pipeline settles only after that close.
  const out = fs.createWriteStream(tmp, { flags: 'wx', flush: true, highWaterMark: CHUNK_BYTES });
  return pipeline(meter, out)
    .then(() => digests!)
    .finally(async () => {
      source.unpipe(meter);
      source.off('error', onError);
      source.off('close', onClose);
      // A stream destroyed before its open finished still creates the file: wait, so the caller's cleanup sees it.
      if (!out.closed) await once(out, 'close');
    });
}

function checkExpected(actual: ContentDigests, expect: StoreOptions['expect']): void {
  if (!expect) return;
  const wrong: string[] = [];
  if (expect.size !== undefined && expect.size !== actual.size) wrong.push(`size ${actual.size}, expected ${expect.size}`);
  if (expect.sha1 !== undefined && expect.sha1.toLowerCase() !== actual.sha1) wrong.push(`SHA-1 ${actual.sha1}, expected ${expect.sha1}`);
  if (expect.sha256 !== undefined && expect.sha256.toLowerCase() !== actual.sha256) {
    wrong.push(`SHA-256 ${actual.sha256}, expected ${expect.sha256}`);
  }
  if (wrong.length) throw new DomainError('InvalidParameters', `payload does not match its digests: ${wrong.join('; ')}`);
}

async function exists(file: string): Promise<boolean> {
  try {
    await fsp.access(file);
    return true;
  } catch {
    return false;
  }
}

async function syncFolder(folder: string): Promise<void> {
  // The rename is durable only once the folder's entry is on disk too.
  const dir = await fsp.open(folder, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
