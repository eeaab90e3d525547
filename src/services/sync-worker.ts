import type { ContentPolicy } from '../config/config';
import type { RequestContext, UnitOfWork } from '../db/unit-of-work';
import { DomainError } from '../domain/errors';
import type { SyncCounts } from '../domain/sync-counts';
import type { Logger } from '../lib/logger';
import type { NodeSettingRepository } from '../repositories/node-setting.repository';
import type { SyncRunEntity } from '../entities/sync-run.entity';
import type { SyncRunRepository } from '../repositories/sync-run.repository';
import type { UpdateStoreRepository } from '../repositories/update-store.repository';
import type { UpstreamSubscriptionRepository } from '../repositories/upstream-subscription.repository';
import { SyncRun, type PayloadPrefetcher, type SyncProgress } from './sync-run';
import { UpstreamClient } from '../clients/upstream-client';
import type { RetryPolicy } from '../clients/retry-policy';
import type { UpstreamSettings } from './upstream-settings';

const NO_COUNTS: SyncCounts = { revisionsListed: 0, revisionsTransferred: 0, revisionsImported: 0, filesPrefetched: 0 };

/** What SyncWorker needs. */
export interface SyncWorkerDeps {
  uow: UnitOfWork;
  /** Takes the lock held for the whole of a sync (one sync at a time per node, across processes); undefined when held. */
  syncLock: () => Promise<(() => Promise<void>) | undefined>;
  store: UpdateStoreRepository;
  settings: NodeSettingRepository;
  subscriptions: UpstreamSubscriptionRepository;
  runs: SyncRunRepository;
  upstream: UpstreamSettings;
  contentPolicy: ContentPolicy;
  /** How each call to the parent is retried when it fails transiently. */
  retry: RetryPolicy;
  prefetcher?: PayloadPrefetcher;
  log: Logger;
  /**
   * A lock outside the database, for the embedded database: PGlite serves every connection from one
   * session, where advisory locks exclude nobody. Returns its release; throws ServerBusy when held.
   */
  localLock?: () => () => void;
}

/** The outcome of a successful sync. */
export interface SyncOutcome {
  runId: number;
  counts: SyncCounts;
}

/**
 * SyncWorker runs syncs with the parent: one at a time (a Postgres advisory lock, so also across
 * processes sharing the database), each recorded in the sync history whatever its end.
 */
export class SyncWorker {
  private running = false;

  constructor(private readonly d: SyncWorkerDeps) {}

  /** syncNow runs one sync; ServerBusy if one is already running; otherwise throws the run's failure after recording it. */
  async syncNow(ctx: RequestContext, trigger: 'manual' | 'scheduled', onProgress?: SyncProgress): Promise<SyncOutcome> {
    const upstream = await this.d.upstream.current(ctx);
    if (!upstream)
      throw new DomainError(
        'InvalidParameters',
        'this node has no upstream: set CASCADE_UPSTREAM_URL/ID/SECRET or run `cascade upstream set`',
      );
    if (this.running) throw new DomainError('ServerBusy', 'a sync is already running in this process');
    this.running = true;
    let releaseLocal: (() => void) | undefined;
    let release: (() => Promise<void>) | undefined;
    try {
      releaseLocal = this.d.localLock?.();
      release = await this.d.syncLock();
      if (!release) throw new DomainError('ServerBusy', 'a sync is already running for this node');
      const runId = await this.d.uow.run(ctx, (tx) => this.d.runs.start(tx, trigger, new Date()));
      let run: SyncRun | undefined;
      let client: UpstreamClient | undefined;
      try {
        client = await UpstreamClient.connect(upstream, { log: this.d.log, retry: this.d.retry });
        run = new SyncRun(ctx, { ...this.d, client, onProgress });
        const counts = await run.run();
        await this.d.uow.run(ctx, (tx) => this.d.runs.finish(tx, runId, 'Succeeded', counts));
        this.d.log.info({ runId, ...counts }, 'sync succeeded');
        return { runId, counts };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        await this.d.uow.run(ctx, (tx) => this.d.runs.finish(tx, runId, 'Failed', run?.counts ?? NO_COUNTS, message));
        this.d.log.warn({ runId, err: message }, 'sync failed');
        throw err;
      } finally {
        await client?.close();
      }
    } finally {
      this.running = false;
      await release?.();
      releaseLocal?.();
    }
  }

  /** history returns the latest sync runs, newest first. */
  history(ctx: RequestContext, limit: number): Promise<SyncRunEntity[]> {
    return this.d.uow.run(ctx, (tx) => this.d.runs.recent(tx, limit));
  }
}
