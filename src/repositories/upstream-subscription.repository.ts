import type { EntityManager } from 'typeorm';
import type { CategoryType } from '../entities/category.entity';

/** A subscribed category. */
export interface Subscription {
  categoryId: string;
  categoryType: CategoryType;
  title: string;
  fullSyncDone: boolean;
}

/** UpstreamSubscriptionRepository stores which of the parent's categories this node syncs. */
export class UpstreamSubscriptionRepository {
  constructor(private readonly db: EntityManager) {}

  /** withManager gives the same repository bound to a transaction's manager. */
  withManager(db: EntityManager): UpstreamSubscriptionRepository {
    return new UpstreamSubscriptionRepository(db);
  }

  async list(): Promise<Subscription[]> {
    const rows = await this.db.query(`SELECT category_id, category_type, title, full_sync_done FROM upstream_subscription ORDER BY category_type, title`);
    return rows.map((r: Record<string, unknown>) => ({ categoryId: r.category_id as string, categoryType: r.category_type as CategoryType,
      title: r.title as string, fullSyncDone: r.full_sync_done as boolean }));
  }

  /** replace makes `chosen` the whole subscription; categories kept keep their fullSyncDone. */
  async replace(chosen: Array<{ categoryId: string; categoryType: CategoryType; title: string }>): Promise<void> {
    await this.db.query(`DELETE FROM upstream_subscription WHERE NOT (category_id = ANY($1::uuid[]))`, [chosen.map((c) => c.categoryId)]);
    for (const c of chosen) {
      await this.db.query(`INSERT INTO upstream_subscription (category_id, category_type, title) VALUES ($1, $2, $3)
        ON CONFLICT (category_id) DO UPDATE SET title = EXCLUDED.title`, [c.categoryId, c.categoryType, c.title]);
    }
  }

  /** markFullSyncDone records that these categories' whole history has arrived. */
  async markFullSyncDone(ids: string[]): Promise<void> {
    if (ids.length) await this.db.query(`UPDATE upstream_subscription SET full_sync_done = true WHERE category_id = ANY($1::uuid[])`, [ids]);
  }
}
