import type { EntityManager } from 'typeorm';
import type { CategoryType } from '../entities/category.entity';
import { lockChangeLog } from './change-log.repository';
import type { EffectiveRule, RuleTarget } from '../domain/availability';

/** A category as the availability rules name it. */
export interface CategoryRef {
  categoryId: string;
  categoryType: CategoryType;
  title: string;
}

/**
 * AvailabilityRepository holds the queries that evaluate distribution rules against the update store:
 * expanding product selections, filtering revisions, and writing MadeAvailable change-log rows.
 */
export class AvailabilityRepository {
  constructor(private readonly db: EntityManager) {}

  /** withManager gives the same repository bound to a transaction's manager. */
  withManager(db: EntityManager): AvailabilityRepository {
    return new AvailabilityRepository(db);
  }

  /** expandProducts returns the selected product categories with every category below them, as of now. */
  async expandProducts(selected: readonly string[]): Promise<Set<string>> {
    if (selected.length === 0) return new Set();
    const rows: Array<{ category_id: string }> = await this.db.query(
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
  async findCategories(ids: readonly string[], titles: readonly string[]): Promise<CategoryRef[]> {
    const rows: Array<{ category_id: string; category_type: CategoryType; title: string }> = await this.db.query(
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
  async filterAvailable(rule: EffectiveRule, revisionIds: readonly number[]): Promise<number[]> {
    if (revisionIds.length === 0) return [];
    const params: unknown[] = [revisionIds];
    const rows: Array<{ revision_id: number }> = await this.db.query(
      `SELECT r.revision_id FROM update_revision r
       WHERE r.revision_id = ANY($1::int[]) AND (r.update_type = 'Category' OR ${availableSql(rule, 'r', params)})`,
      params,
    );
    const kept = new Set(rows.map((r) => r.revision_id));
    return revisionIds.filter((id) => kept.has(id));
  }

  /**
   * insertMadeAvailable writes one MadeAvailable change-log row, for the target, per update whose latest revision
   * `after` makes available and `before` did not; returns how many.
   */
  async insertMadeAvailable(target: RuleTarget, before: EffectiveRule, after: EffectiveRule): Promise<number> {
    const params: unknown[] = [target.kind === 'server' ? target.serverId : null, target.kind === 'group' ? target.group : null];
    await lockChangeLog(this.db);
    const rows: Array<{ n: number }> = await this.db.query(
      `WITH made AS (
         INSERT INTO change_log (update_id, revision_number, change_kind, target_server_id, target_group)
         SELECT r.update_id, r.revision_number, 'MadeAvailable', $1::uuid, $2::varchar FROM update_revision r
         WHERE r.is_latest AND r.update_type <> 'Category' AND ${availableSql(after, 'r', params)} AND NOT ${availableSql(before, 'r', params)}
         ORDER BY r.revision_id
         RETURNING 1
       ) SELECT count(*)::int AS n FROM made`,
      params,
    );
    return rows[0].n;
  }
}

/** availableSql renders "revision <alias> is available under rule" as SQL, appending its parameters to params. */
export function availableSql(rule: EffectiveRule, alias: string, params: unknown[]): string {
  if (rule.all) return 'TRUE';
  const parts: string[] = [];
  for (const selection of [rule.productIds, rule.classificationIds]) {
    if (selection === 'all') continue;
    params.push([...selection]);
    parts.push(`EXISTS (SELECT 1 FROM revision_category rc
      WHERE rc.revision_id = ${alias}.revision_id AND rc.category_id = ANY($${params.length}::uuid[]))`);
  }
  return parts.length ? `(${parts.join(' AND ')})` : 'TRUE';
}
