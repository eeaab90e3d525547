import type { Readable } from 'node:stream';
import { normalizeExtension, type ByteRange, type ContentStore } from '../content/content-store';
import type { RequestContext, UnitOfWork } from '../db/unit-of-work';
import { DomainError } from '../domain/errors';
import type { UpdateFileRepository } from '../repositories/update-file.repository';

/** Payload indicates one payload ready to be served: its size, when it was stored, and how to read it. */
export interface Payload {
  /** SHA-1, lower-case hex. */
  sha1: string;
  size: number;
  modifiedAt: Date;
  /**
   * read streams the payload, or an inclusive range of it; called at most once per open(). It settles before
   * any byte is due, so a failure to produce the bytes (e.g. UpstreamUnavailable) can still be a clean answer.
   */
  read(range?: ByteRange): Promise<Readable>;
}

/**
 * PayloadSource indicates where the content routes get payload bytes. The local store is one source; a
 * just-in-time source that fetches a missing payload from the parent while serving it plugs in here.
 */
export interface PayloadSource {
  /** open finds the payload (SHA-1 lower-case hex, extension ".exe" or ""), or throws DomainError NotFound. */
  open(ctx: RequestContext, sha1: string, extension: string): Promise<Payload>;
}

/**
 * ContentService indicates the payloads this node serves from its own content store: only those an update_file
 * row names, with that row's extension, so a file a crash left behind without its row is never served.
 */
export class ContentService implements PayloadSource {
  constructor(
    private readonly store: ContentStore,
    private readonly uow: UnitOfWork,
    private readonly files: UpdateFileRepository,
  ) {}

  /** open returns the stored payload, or throws NotFound when this node does not hold it or no row names it. */
  async open(ctx: RequestContext, sha1: string, extension: string): Promise<Payload> {
    const payload = (await this.isKnown(ctx, sha1, extension)) ? await this.held(sha1, extension) : undefined;
    if (!payload) throw new DomainError('NotFound', `this node does not hold payload ${sha1}${extension}`);
    return payload;
  }

  /** isKnown indicates whether an update_file row names the payload with this extension. */
  private async isKnown(ctx: RequestContext, sha1: string, extension: string): Promise<boolean> {
    const row = await this.uow.run(ctx, (tx) => this.files.findBySha1(tx, sha1));
    return row !== undefined && normalizeExtension(row.extension) === extension;
  }

  /** held returns the payload as the store holds it, or undefined; the caller has checked its row. */
  async held(sha1: string, extension: string): Promise<Payload | undefined> {
    const stat = await this.store.stat(sha1, extension);
    if (!stat) return undefined;
    return {
      sha1: sha1.toLowerCase(),
      size: stat.size,
      modifiedAt: stat.modifiedAt,
      read: async (range) => this.store.createReadStream(sha1, extension, range),
    };
  }
}
