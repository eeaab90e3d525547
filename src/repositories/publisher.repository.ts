import type { TxContext } from '../db/unit-of-work';

/** A Company category with the provider that created it here (null: unrecorded, or synced from the parent). */
export interface CompanyOwner {
  companyId: string;
  title: string;
  publishedBy: string | null;
}

/**
 * PublisherRepository holds who may change what a software provider publishes: the provider that first
 * published each update (update.published_by) and the companies an administrator granted (provider_grant).
 */
export class PublisherRepository {
  /** publishedBy returns the provider that first published an update here, or null. */
  async publishedBy(ctx: TxContext, updateId: string): Promise<string | null> {
    const rows = await ctx.tx.query(`SELECT published_by FROM "update" WHERE update_id = $1`, [updateId]);
    return rows[0]?.published_by ?? null;
  }

  /** claim records a provider as the publisher of updates nobody is recorded for yet. */
  async claim(ctx: TxContext, updateIds: string[], providerName: string): Promise<void> {
    await ctx.tx.query(`UPDATE "update" SET published_by = $2 WHERE update_id = ANY($1::uuid[]) AND published_by IS NULL`, [
      updateIds,
      providerName,
    ]);
  }

  /** companies returns the Company categories above these categories (themselves included when they are companies). */
  async companies(ctx: TxContext, categoryIds: string[]): Promise<CompanyOwner[]> {
    const rows: Array<{ category_id: string; title: string; published_by: string | null }> = await ctx.tx.query(
      `WITH RECURSIVE up(category_id) AS (
         SELECT unnest($1::uuid[])
         UNION
         SELECT c.parent_category_id FROM category c JOIN up ON c.category_id = up.category_id WHERE c.parent_category_id IS NOT NULL
       )
       SELECT c.category_id, c.title, u.published_by FROM up JOIN category c USING (category_id)
       LEFT JOIN "update" u ON u.update_id = c.category_id
       WHERE c.category_type = 'Company' ORDER BY c.title, c.category_id`,
      [categoryIds],
    );
    return rows.map((r) => ({ companyId: r.category_id, title: r.title, publishedBy: r.published_by }));
  }

  /** companiesTitled returns every Company category with exactly this title. */
  async companiesTitled(ctx: TxContext, title: string): Promise<CompanyOwner[]> {
    const rows: Array<{ category_id: string; title: string; published_by: string | null }> = await ctx.tx.query(
      `SELECT c.category_id, c.title, u.published_by FROM category c LEFT JOIN "update" u ON u.update_id = c.category_id
       WHERE c.category_type = 'Company' AND c.title = $1 ORDER BY c.category_id`,
      [title],
    );
    return rows.map((r) => ({ companyId: r.category_id, title: r.title, publishedBy: r.published_by }));
  }

  /** isGranted indicates whether an administrator granted the provider this company. */
  async isGranted(ctx: TxContext, providerName: string, companyId: string): Promise<boolean> {
    const rows = await ctx.tx.query(`SELECT 1 FROM provider_grant WHERE provider_name = $1 AND company_id = $2`, [providerName, companyId]);
    return rows.length > 0;
  }

  /** grant records that the provider may act on the company; granting twice changes nothing. */
  async grant(ctx: TxContext, providerName: string, companyId: string): Promise<void> {
    await ctx.tx.query(`INSERT INTO provider_grant (provider_name, company_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
      providerName,
      companyId,
    ]);
  }

  /** revoke removes a grant; false when there was none. */
  async revoke(ctx: TxContext, providerName: string, companyId: string): Promise<boolean> {
    // For a DELETE, TypeORM answers [rows, rowCount].
    const [, deleted] = await ctx.tx.query(`DELETE FROM provider_grant WHERE provider_name = $1 AND company_id = $2`, [
      providerName,
      companyId,
    ]);
    return deleted > 0;
  }
}
