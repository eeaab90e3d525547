import { In } from 'typeorm';
import type { TxContext } from '../db/unit-of-work';
import { UpdateFileEntity } from '../entities/update-file.entity';

/** StoredFile is what the content store reports about a payload it now holds. */
export interface StoredFile {
  /** SHA-1, lower-case hex. */
  sha1: string;
  /** SHA-256, lower-case hex; absent when neither the metadata nor an upload named it. */
  sha256?: string;
  size: number;
  /** With its dot (".exe"), or "" for none. */
  extension: string;
}

/** UpdateFileRepository indicates the queries on update_file, one row per payload named by its SHA-1. */
export class UpdateFileRepository {
  private rows(ctx: TxContext) {
    return ctx.tx.getRepository(UpdateFileEntity);
  }

  /** recordStored upserts a payload's row and marks it stored now; without a SHA-256 it keeps the one the row has, if any. */
  async recordStored(ctx: TxContext, file: StoredFile): Promise<void> {
    await this.rows(ctx)
      .createQueryBuilder()
      .insert()
      .values({ sha1: file.sha1, sha256: file.sha256 ?? null, size: String(file.size), extension: file.extension, storedAt: () => 'now()' })
      .orUpdate([...(file.sha256 ? ['sha256'] : []), 'size', 'extension', 'stored_at'], ['sha1'])
      .execute();
  }

  /**
   * recordArriving adds the row of a payload about to be kept, not yet stored (stored_at NULL); an existing row
   * stays as it is. Committed before the file is renamed into place, so no kept payload is ever without a row.
   */
  async recordArriving(ctx: TxContext, file: StoredFile): Promise<void> {
    await this.rows(ctx)
      .createQueryBuilder()
      .insert()
      .values({ sha1: file.sha1, sha256: file.sha256 ?? null, size: String(file.size), extension: file.extension, storedAt: null })
      .orIgnore()
      .execute();
  }

  /** findBySha1 returns the row of one payload (lower-case hex SHA-1). */
  async findBySha1(ctx: TxContext, sha1: string): Promise<UpdateFileEntity | undefined> {
    return (await this.rows(ctx).findOneBy({ sha1 })) ?? undefined;
  }

  /** findMany returns the rows that exist among the given SHA-1s, in no particular order. */
  findMany(ctx: TxContext, sha1s: string[]): Promise<UpdateFileEntity[]> {
    if (sha1s.length === 0) return Promise.resolve([]);
    return this.rows(ctx).findBy({ sha1: In(sha1s) });
  }
}
