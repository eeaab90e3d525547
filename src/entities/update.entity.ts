import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { UpdateType } from '../domain/update-kinds';

/** UpdateEntity is one update (an UpdateID); its revisions hold the metadata. Upstream-owned. */
@Entity({ name: 'update' })
export class UpdateEntity {
  @PrimaryColumn({ name: 'update_id', type: 'uuid' })
  updateId!: string;

  @Column({ name: 'update_type', type: 'varchar', length: 16 })
  updateType!: UpdateType;

  /** Highest RevisionNumber stored for this update. */
  @Column({ name: 'latest_revision_number', type: 'integer' })
  latestRevisionNumber!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
