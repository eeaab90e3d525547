import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { CategoryType } from '../domain/update-kinds';

/**
 * UpstreamSubscriptionEntity is one product (or family, or company) or classification this child chose
 * from its parent's catalog (claim 18 b). fullSyncDone stays false until a sync has pulled the category's
 * whole history (Delta=false), so a newly chosen product arrives complete.
 */
@Entity({ name: 'upstream_subscription' })
export class UpstreamSubscriptionEntity {
  @PrimaryColumn({ name: 'category_id', type: 'uuid' })
  categoryId!: string;

  @Column({ name: 'category_type', type: 'varchar', length: 32 })
  categoryType!: CategoryType;

  @Column({ name: 'title', type: 'varchar', length: 512 })
  title!: string;

  @Column({ name: 'full_sync_done', type: 'boolean', default: false })
  fullSyncDone!: boolean;

  @CreateDateColumn({ name: 'added_at', type: 'timestamptz' })
  addedAt!: Date;
}
