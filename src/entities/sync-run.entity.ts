import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** How a sync run ended, or that it is still going (or died with its process). */
export type SyncResult = 'Running' | 'Succeeded' | 'Failed';

/** SyncRunEntity is one sync with the parent: the history an admin reads (WSUS keeps it ≥ 15 days). Node-local. */
@Entity({ name: 'sync_run' })
@Index('ix_sync_run_started', ['startedAt'])
export class SyncRunEntity {
  @PrimaryGeneratedColumn({ name: 'run_id', type: 'integer' })
  runId!: number;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ name: 'result', type: 'varchar', length: 16 })
  result!: SyncResult;

  /** "manual" (cascade sync) or "scheduled". */
  @Column({ name: 'trigger', type: 'varchar', length: 16 })
  trigger!: string;

  @Column({ name: 'error', type: 'text', nullable: true })
  error!: string | null;

  /** Revisions the parent listed (categories and updates). */
  @Column({ name: 'revisions_listed', type: 'integer', default: 0 })
  revisionsListed!: number;

  /** Revisions whose metadata this run fetched with GetUpdateData. */
  @Column({ name: 'revisions_transferred', type: 'integer', default: 0 })
  revisionsTransferred!: number;

  /** Revisions newly stored (a re-run after a crash transfers again but stores nothing twice). */
  @Column({ name: 'revisions_imported', type: 'integer', default: 0 })
  revisionsImported!: number;

  @Column({ name: 'files_prefetched', type: 'integer', default: 0 })
  filesPrefetched!: number;
}
