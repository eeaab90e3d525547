import type { TxContext } from '../db/unit-of-work';
import type { CategoryType } from '../domain/update-kinds';

/** A subscribed category. */
export interface Subscription {
  categoryId: string;
  categoryType: CategoryType;
  title: string;
  fullSyncDone: boolean;
}

/** UpstreamSubscriptionRepository stores which of the parent's categories this node syncs. */
export class UpstreamSubscriptionRepository {
  async list(ctx: TxContext): Promise<Subscription[]> {
    const rows = await ctx.tx.query(
      `SELECT category_id, category_type, title, full_sync_done FROM upstream_subscription ORDER BY category_type, title`,
    );
    return rows.map((r: Record<string, unknown>) => ({
      categoryId: r.category_id as string,
      categoryType: r.category_type as CategoryType,
      title: r.title as string,
      fullSyncDone: r.full_sync_done as boolean,
    }));
  }

  /** replace makes `chosen` the whole subscription; categories kept keep their fullSyncDone. */
  async replace(ctx: TxContext, chosen: Array<{ categoryId: string; categoryType: CategoryType; title: string }>): Promise<void> {
    await ctx.tx.query(`DELETE FROM upstream_subscription WHERE NOT (category_id = ANY($1::uuid[]))`, [chosen.map((c) => c.categoryId)]);
    for (const c of chosen) {
      await ctx.tx.query(
        `INSERT INTO upstream_subscription (category_id, category_type, title) VALUES ($1, $2, $3)
        ON CONFLICT (category_id) DO UPDATE SET title = EXCLUDED.title`,
        [c.categoryId, c.categoryType, c.title],
      );
    }
  }

  /** markFullSyncDone records that these categories' whole history has arrived. */
  async markFullSyncDone(ctx: TxContext, ids: string[]): Promise<void> {
    if (ids.length) await ctx.tx.query(`UPDATE upstream_subscription SET full_sync_done = true WHERE category_id = ANY($1::uuid[])`, [ids]);
  }
}
