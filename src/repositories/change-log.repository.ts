import type { TxContext } from '../db/unit-of-work';
import type { EffectiveRule, RuleTarget } from '../domain/availability';
import type { UpdateDocument, UpdateIdentity } from '../domain/update-document';
import { availableSql } from './availability-sql';

/** Advisory lock every change-log writer holds from its first change-log insert to its commit. */
const CHANGE_LOG_LOCK = 0x43686e67; // "Chng"

/** lockChangeLog takes the change-log writers' lock until ctx's transaction ends. */
async function lockChangeLog(ctx: TxContext): Promise<void> {
  await ctx.tx.query('SELECT pg_advisory_xact_lock($1)', [CHANGE_LOG_LOCK]);
}

/** RevisionFilter narrows a revision list: category or software updates, and which categories count. */
export interface RevisionFilter {
  /** true: category updates (GetConfig=true); false: every other update. */
  categories: boolean;
  /** What the downstream may receive (its distribution rule). */
  rule: EffectiveRule;
  /** What the downstream asked for (its Categories and Classifications), as a rule of the same shape. */
  selection: EffectiveRule;
  /** For category updates: allowed category ids; undefined = any. */
  categoryIds?: string[];
}

/** The downstream a question is asked for: targeted change-log rows count only for it or its channel. */
export interface ChangeTarget {
  serverId: string;
  channel: string;
}

/**
 * ChangeLogRepository is the one writer of change_log; it appends to and reads the change log that anchors are built on (design §3).
 * Writers take CHANGE_LOG_LOCK before they insert, so sequence order equals commit order and a
 * reader that sees sequence n has seen every change below n: no change can slip under an anchor.
 */
export class ChangeLogRepository {
  /** highWaterMark is the newest committed sequence number (0 for an empty log). */
  async highWaterMark(ctx: TxContext): Promise<bigint> {
    const rows = await ctx.tx.query('SELECT coalesce(max(seq), 0)::text AS seq FROM change_log');
    return BigInt(rows[0].seq);
  }

  /**
   * changedSince lists the latest revision of each update with a change in (from, to] that concerns
   * the target and passes the filter. Cost follows the number of changes, not the catalog: the latest revision is
   * found by its full identity (update.latest_revision_number), one unique-index lookup per changed update whatever
   * the planner's statistics say (by is_latest alone, without statistics, each lookup also scanned every latest row).
   */
  async changedSince(ctx: TxContext, from: bigint, to: bigint, target: ChangeTarget, filter: RevisionFilter): Promise<UpdateIdentity[]> {
    const params: unknown[] = [from.toString(), to.toString(), target.serverId, target.channel];
    const rows = await ctx.tx.query(
      `WITH changed AS (
         SELECT DISTINCT update_id FROM change_log
         WHERE seq > $1::bigint AND seq <= $2::bigint
           AND ((target_server_id IS NULL AND target_channel IS NULL) OR target_server_id = $3::uuid OR target_channel = $4)
       )
       SELECT r.update_id, r.revision_number FROM changed c JOIN "update" u ON u.update_id = c.update_id
       JOIN update_revision r ON r.update_id = u.update_id AND r.revision_number = u.latest_revision_number AND r.is_latest
       WHERE ${filterSql(filter, params)}`,
      params,
    );
    return rows.map(toIdentity);
  }

  /** inCategories lists the latest revision of every update in the given categories that passes the filter (Delta=false). */
  async inCategories(ctx: TxContext, categoryIds: string[], filter: RevisionFilter): Promise<UpdateIdentity[]> {
    if (!categoryIds.length) return [];
    const params: unknown[] = [categoryIds];
    const rows = await ctx.tx.query(
      `SELECT DISTINCT r.update_id, r.revision_number FROM revision_category rc
       JOIN update_revision r ON r.revision_id = rc.revision_id AND r.is_latest
       WHERE rc.category_id = ANY($1::uuid[]) AND ${filterSql(filter, params)}`,
      params,
    );
    return rows.map(toIdentity);
  }

  /** appendRevisions logs new revisions; they concern every downstream server. */
  async appendRevisions(ctx: TxContext, docs: UpdateDocument[]): Promise<void> {
    if (!docs.length) return;
    await lockChangeLog(ctx);
    await ctx.tx.query(
      `INSERT INTO change_log (update_id, revision_number, change_kind) SELECT * FROM unnest($1::uuid[], $2::int[], $3::varchar[])`,
      [
        docs.map((d) => d.identity.updateId),
        docs.map((d) => d.identity.revisionNumber),
        docs.map((d) => (d.publicationState === 'Expired' ? 'RevisionExpired' : 'RevisionPublished')),
      ],
    );
  }

  /** appendMadeAvailable logs that updates became available to one downstream server or channel. */
  async appendMadeAvailable(ctx: TxContext, ids: UpdateIdentity[], target: { serverId?: string; channel?: string }): Promise<void> {
    if (!ids.length) return;
    await lockChangeLog(ctx);
    await ctx.tx.query(
      `INSERT INTO change_log (update_id, revision_number, change_kind, target_server_id, target_channel)
       SELECT u, n, 'MadeAvailable', $3::uuid, $4 FROM unnest($1::uuid[], $2::int[]) AS v(u, n)`,
      [ids.map((i) => i.updateId), ids.map((i) => i.revisionNumber), target.serverId ?? null, target.channel ?? null],
    );
  }

  /**
   * insertMadeAvailable writes one MadeAvailable change-log row, for the target, per update whose latest revision
   * `after` makes available and `before` did not; returns how many.
   */
  async insertMadeAvailable(ctx: TxContext, target: RuleTarget, before: EffectiveRule, after: EffectiveRule): Promise<number> {
    const params: unknown[] = [target.kind === 'server' ? target.serverId : null, target.kind === 'channel' ? target.channel : null];
    await lockChangeLog(ctx);
    const rows: Array<{ n: number }> = await ctx.tx.query(
      `WITH made AS (
         INSERT INTO change_log (update_id, revision_number, change_kind, target_server_id, target_channel)
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

/** filterSql renders a RevisionFilter over alias r, appending its parameters. */
function filterSql(f: RevisionFilter, params: unknown[]): string {
  const where = [f.categories ? `r.update_type = 'Category'` : `r.update_type <> 'Category'`];
  if (f.categories && f.categoryIds) {
    params.push(f.categoryIds);
    where.push(`r.update_id = ANY($${params.length}::uuid[])`);
  }
  if (!f.categories) where.push(availableSql(f.rule, 'r', params), availableSql(f.selection, 'r', params));
  return where.join(' AND ');
}

const toIdentity = (r: { update_id: string; revision_number: number }): UpdateIdentity => ({
  updateId: r.update_id,
  revisionNumber: r.revision_number,
});
