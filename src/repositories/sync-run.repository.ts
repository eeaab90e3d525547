import type { TxContext } from '../db/unit-of-work';
import { SyncRunEntity } from '../entities/sync-run.entity';
import type { SyncCounts } from '../domain/sync-counts';

/** SyncRunRepository keeps the history of sync runs. */
export class SyncRunRepository {
  /** start records a run as Running; a Running row left by a process that died is closed first. */
  async start(ctx: TxContext, trigger: string, startedAt: Date): Promise<number> {
    await ctx.tx.query(`UPDATE sync_run SET result = 'Failed', finished_at = now(), error = 'interrupted: the syncing process stopped'
      WHERE result = 'Running'`);
    const rows = await ctx.tx.query(`INSERT INTO sync_run (started_at, result, trigger) VALUES ($1, 'Running', $2) RETURNING run_id`, [
      startedAt,
      trigger,
    ]);
    return rows[0].run_id;
  }

  /** finish records how a run ended. */
  async finish(ctx: TxContext, runId: number, result: 'Succeeded' | 'Failed', counts: SyncCounts, error?: string): Promise<void> {
    await ctx.tx.query(
      `UPDATE sync_run SET finished_at = now(), result = $2, error = $3, revisions_listed = $4, revisions_transferred = $5,
         revisions_imported = $6, files_prefetched = $7 WHERE run_id = $1`,
      [runId, result, error ?? null, counts.revisionsListed, counts.revisionsTransferred, counts.revisionsImported, counts.filesPrefetched],
    );
  }

  /** recent returns the latest runs, newest first. */
  recent(ctx: TxContext, limit: number): Promise<SyncRunEntity[]> {
    return ctx.tx.getRepository(SyncRunEntity).find({ order: { runId: 'DESC' }, take: limit });
  }
}
