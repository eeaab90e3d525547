import type { TxContext } from '../db/unit-of-work';
import type { CategoryType } from '../domain/update-kinds';
import { availableSql } from './availability-sql';
import type { EffectiveRule } from '../domain/availability';

/** A category as the availability rules name it. */
export interface CategoryRef {
  categoryId: string;
  categoryType: CategoryType;
  title: string;
}

/**
 * AvailabilityRepository holds the queries that evaluate distribution rules against the update store:
 * expanding product selections and filtering revisions (the change log records what they make available).
 */
export class AvailabilityRepository {
  /** expandProducts returns the selected product categories with every category below them, as of now. */
  async expandProducts(ctx: TxContext, selected: readonly string[]): Promise<Set<string>> {
    if (selected.length === 0) return new Set();
    const rows: Array<{ category_id: string }> = await ctx.tx.query(
      `WITH RECURSIVE sub(category_id) AS (
         SELECT unnest($1::uuid[])
         UNION
         SELECT c.category_id FROM category c JOIN sub ON c.parent_category_id = sub.category_id
       ) SELECT category_id FROM sub`,
      [selected],
    );
    return new Set(rows.map((r) => r.category_id));
  }

  /** findCategories returns the categories whose id is one of `ids` or whose title is exactly one of `titles`. */
  async findCategories(ctx: TxContext, ids: readonly string[], titles: readonly string[]): Promise<CategoryRef[]> {
    const rows: Array<{ category_id: string; category_type: CategoryType; title: string }> = await ctx.tx.query(
      `SELECT category_id, category_type, title FROM category WHERE category_id = ANY($1::uuid[]) OR title = ANY($2::text[])
       ORDER BY title, category_id`,
      [ids, titles],
    );
    return rows.map((r) => ({ categoryId: r.category_id, categoryType: r.category_type, title: r.title }));
  }

  /**
   * filterAvailable keeps, in the given order, the revisions the rule makes available. Category revisions are
   * always available (a child needs them to describe the catalog). Cost grows with revisionIds, not the catalog.
   */
  async filterAvailable(ctx: TxContext, rule: EffectiveRule, revisionIds: readonly number[]): Promise<number[]> {
    if (revisionIds.length === 0) return [];
    const params: unknown[] = [revisionIds];
    const rows: Array<{ revision_id: number }> = await ctx.tx.query(
      `SELECT r.revision_id FROM update_revision r
       WHERE r.revision_id = ANY($1::int[]) AND (r.update_type = 'Category' OR ${availableSql(rule, 'r', params)})`,
      params,
    );
    const kept = new Set(rows.map((r) => r.revision_id));
    return revisionIds.filter((id) => kept.has(id));
  }

  /** availableFiles returns which of these payloads (by SHA-1) some revision the rule makes available names. */
  async availableFiles(ctx: TxContext, rule: EffectiveRule, sha1s: readonly string[]): Promise<Set<string>> {
    if (sha1s.length === 0) return new Set();
    const params: unknown[] = [sha1s];
    const rows: Array<{ sha1: string }> = await ctx.tx.query(
      `SELECT DISTINCT rf.sha1 FROM revision_file rf JOIN update_revision r ON r.revision_id = rf.revision_id
       WHERE rf.sha1 = ANY($1::char(40)[]) AND (r.update_type = 'Category' OR ${availableSql(rule, 'r', params)})`,
      params,
    );
    return new Set(rows.map((r) => r.sha1));
  }
}
