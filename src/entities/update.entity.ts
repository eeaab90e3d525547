import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { UpdateOrigin, UpdateType } from '../domain/update-kinds';

/**
 * UpdateEntity is one update (an UpdateID); its revisions hold the metadata. An update synced from the parent
 * is owned by it (origin 'upstream'): only the parent publishes or expires it. A local one belongs to the
 * provider that first published it (published_by).
 */
@Entity({ name: 'update' })
export class UpdateEntity {
  @PrimaryColumn({ name: 'update_id', type: 'uuid' })
  updateId!: string;

  @Column({ name: 'update_type', type: 'varchar', length: 16 })
  updateType!: UpdateType;

  /** Highest RevisionNumber stored for this update. */
  @Column({ name: 'latest_revision_number', type: 'integer' })
  latestRevisionNumber!: number;

  /** Who owns the update: 'local' (published here) or 'upstream' (synced from the parent). */
  @Column({ name: 'origin', type: 'varchar', length: 8, default: 'local' })
  origin!: UpdateOrigin;

  /**
   * The software provider that first published the update here; for a Company category, the provider that created
   * the company. NULL for updates from the parent and for those published before this was recorded.
   */
  @Column({ name: 'published_by', type: 'varchar', length: 128, nullable: true })
  publishedBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
