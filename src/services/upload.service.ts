import path from 'node:path';
import type { Readable } from 'node:stream';
import { normalizeExtension, type ContentStore } from '../content/content-store';
import type { RequestContext, UnitOfWork } from '../db/unit-of-work';
import { DomainError } from '../domain/errors';
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

/** UploadService indicates the first half of publishing: a provider's payload bytes into the content store. */
export class UploadService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly store: ContentStore,
    private readonly files: UpdateFileRepository,
    private readonly settings: UploadSettings,
  ) {}

  /** sweepAbandonedUploads deletes partial uploads untouched for olderThanMs (left by a crash); returns how many. */
  sweepAbandonedUploads(_ctx: RequestContext, olderThanMs: number): Promise<number> {
    return this.store.sweepTemp(olderThanMs);
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
    const stored = await this.store.store(request.body, { maxBytes, extension });
    await this.uow.run(ctx, async (tx) => {
      const known = await this.files.findBySha1(tx, stored.sha1);
      if (known?.sha256 && known.sha256.trim() !== stored.sha256) {
        // Same SHA-1, different bytes: a collision attempt must not rename what clients already trust.
        throw new DomainError('Conflict', `a different payload with SHA-1 ${stored.sha1} is already stored`);
      }
      await this.files.recordStored(tx, { ...stored, extension });
    });
    return {
      ...stored,
      fileName,
      digest: hexToBase64(stored.sha1),
      additionalDigest: hexToBase64(stored.sha256),
      url: publicUrl + this.store.contentUrlPath(stored.sha1, extension),
    };
  }
}
