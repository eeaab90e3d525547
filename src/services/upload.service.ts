import path from 'node:path';
import type { Readable } from 'node:stream';
import { normalizeExtension, type ContentStore } from '../content/content-store';
import type { RequestContext, UnitOfWork } from '../db/unit-of-work';
import { DomainError } from '../domain/errors';
import type { Logger } from '../lib/logger';
import type { UpdateFileRepository } from '../repositories/update-file.repository';
import { hexToBase64 } from '../domain/update-document';

/** UploadSettings indicates the limits and addresses an upload answers with. */
export interface UploadSettings {
  maxBytes: number;
  /** Base URL payload URLs are built on (no trailing slash). */
  publicUrl: string;
}

/** UploadRequest is one payload a software provider sends. */
export interface UploadRequest {
  /** The payload's original file name; its extension becomes the stored one. */
  fileName?: string;
  /** The size the sender announced (Content-Length), checked before any byte is read. */
  declaredSize?: number;
  body: Readable;
}

/** UploadResult indicates what was stored, with digests in both the hex and WSUS (base64) forms. */
export interface UploadResult {
  sha1: string;
  sha256: string;
  size: number;
  fileName: string | null;
  /** SHA-1 in base64, as in File/@Digest of the update XML. */
  digest: string;
  /** SHA-256 in base64, as in File/AdditionalDigest[@Algorithm="SHA256"]. */
  additionalDigest: string;
  url: string;
}

// A name, not a path: no separators, no control characters, not "." or "..".
const FILE_NAME = /^(?!\.{1,2}$)[^/\\\x00-\x1f\x7f]{1,255}$/;
// A partial upload untouched this long was left by a crash, whichever host wrote it (a live upload keeps its
// temp file's mtime fresh); those of dead processes on this host go at once. Swept at start and this often.
const STALE_UPLOAD_MS = 60 * 60 * 1000;
const SWEEP_EVERY_MS = 10 * 60 * 1000;

/** UploadService indicates the first half of publishing: a provider's payload bytes into the content store. */
export class UploadService {
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly store: ContentStore,
    private readonly files: UpdateFileRepository,
    private readonly settings: UploadSettings,
  ) {}

  /** startSweeping deletes the partial uploads crashes left, now and then every few minutes until close. */
  async startSweeping(ctx: RequestContext, log: Logger): Promise<void> {
    const sweep = async () => {
      const swept = await this.sweepAbandonedUploads(ctx);
      if (swept) log.info({ swept }, 'removed partial uploads left by a crash');
    };
    await sweep();
    this.sweeper ??= setInterval(() => sweep().catch((err) => log.warn({ err }, 'sweeping partial uploads failed')), SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  /** close stops the sweeps. */
  close(): void {
    clearInterval(this.sweeper);
  }

  /** sweepAbandonedUploads deletes the partial uploads of dead processes and any stale one; returns how many. */
  sweepAbandonedUploads(_ctx: RequestContext): Promise<number> {
    return this.store.sweepTemp(STALE_UPLOAD_MS);
  }

  /** upload stores the payload, records it in update_file and returns its digests and URL. */
  async upload(ctx: RequestContext, request: UploadRequest): Promise<UploadResult> {
    const fileName = request.fileName === undefined || request.fileName === '' ? null : request.fileName;
    if (fileName !== null && !FILE_NAME.test(fileName)) {
      throw new DomainError('InvalidParameters', 'fileName must be a plain file name of 1-255 characters');
    }
    const extension = fileName === null ? '' : normalizeExtension(path.extname(fileName));
    const { maxBytes, publicUrl } = this.settings;
    if (request.declaredSize !== undefined && request.declaredSize > maxBytes) {
      throw new DomainError('PayloadTooLarge', `payload of ${request.declaredSize} bytes exceeds the limit of ${maxBytes} bytes`);
    }
    // The row comes first, so a crash leaves no payload without one; a payload a crash left with no row is adopted here.
    const beforeKeep = (d: { sha1: string; sha256: string; size: number }) =>
      this.uow.run(ctx, async (tx) => {
        const known = await this.files.findBySha1(tx, d.sha1);
        if (known?.sha256 && known.sha256.trim() !== d.sha256) {
          // Same SHA-1, different bytes: a collision attempt must not rename what clients already trust.
          throw new DomainError('Conflict', `a different payload with SHA-1 ${d.sha1} is already stored`);
        }
        await this.files.recordArriving(tx, { ...d, extension });
      });
    const stored = await this.store.store(request.body, { maxBytes, extension, beforeKeep });
    await this.uow.run(ctx, (tx) => this.files.recordStored(tx, { ...stored, extension }));
    return {
      ...stored,
      fileName,
      digest: hexToBase64(stored.sha1),
      additionalDigest: hexToBase64(stored.sha256),
      url: publicUrl + this.store.contentUrlPath(stored.sha1, extension),
    };
  }
}
