import type { DataSource } from 'typeorm';
import type { Config } from '../config/config';
import type { Logger } from '../lib/logger';
import { ChangeLogRepository } from '../repositories/change-log.repository';
import { NodeSettingRepository } from '../repositories/node-setting.repository';
import { SyncRunRepository } from '../repositories/sync-run.repository';
import { UpdateStoreRepository } from '../repositories/update-store.repository';
import { UpstreamSubscriptionRepository } from '../repositories/upstream-subscription.repository';
import { Registry } from 'prom-client';
import { UpstreamContentClient } from '../clients/upstream-content-client';
import { ContentStore } from '../content/content-store';
import { acquireLockFile, LockFileHeldError } from '../db/data-folder-lock';
import { DomainError } from '../domain/errors';
import { upstreamPayloadMetrics } from '../lib/metrics';
import { UpdateFileRepository } from '../repositories/update-file.repository';
import { JustInTimePayloadSource } from '../services/just-in-time-payload.service';
import { SyncWorker } from './sync-worker';
import { UpstreamSettings } from './upstream-settings';

/** The child-side pieces a node process or a `cascade` command works with. */
export interface SyncModule {
  worker: SyncWorker;
  upstream: UpstreamSettings;
  subscriptions: UpstreamSubscriptionRepository;
  runs: SyncRunRepository;
  settings: NodeSettingRepository;
}

/** syncLockFile takes <data>/sync.lock: one sync at a time between the node and `cascade sync` on an embedded database. */
function syncLockFile(dataDir: string): () => void {
  try {
    return acquireLockFile(dataDir, 'sync.lock');
  } catch (err) {
    if (err instanceof LockFileHeldError) throw new DomainError('ServerBusy', `a sync is already running for this node (process ${err.pid})`);
    throw err;
  }
}

/**
 * Just in time: a requester taking no bytes this long is cut off (below the parent's 60 s body idle timeout,
 * so one stalled client cannot fail a fetch others wait for); DownloadFiles warms this many payloads at once.
 */
const JIT_SETTINGS = { stallMs: 30_000, warmConcurrency: 4 };

/** The child's payload fetching, when the node has a parent. */
export interface PayloadFetching {
  jit: JustInTimePayloadSource;
  close(): Promise<void>;
}

/**
 * createSyncModule wires the child side on a DataSource, the same way for the node and the CLI: the
 * sync worker and, when the node has a parent (from the environment or `cascade upstream set`), the
 * just-in-time payload source, which also prefetches for the `immediate` content policy.
 */
export async function createSyncModule(ds: DataSource, config: Pick<Config, 'upstream' | 'contentPolicy' | 'contentDir' | 'databaseUrl' | 'dataDir'>, log: Logger,
  registry: Registry = new Registry()): Promise<SyncModule & { fetching?: PayloadFetching }> {
  const settings = new NodeSettingRepository(ds.manager);
  const subscriptions = new UpstreamSubscriptionRepository(ds.manager);
  const runs = new SyncRunRepository(ds.manager);
  const upstream = new UpstreamSettings(settings, config.upstream);
  const parent = await upstream.current();
  let fetching: PayloadFetching | undefined;
  if (parent) {
    const client = new UpstreamContentClient(parent.url);
    const store = new ContentStore(config.contentDir);
    await store.init();
    const jit = new JustInTimePayloadSource(store, new UpdateFileRepository(ds), client, { metrics: upstreamPayloadMetrics(registry), log }, JIT_SETTINGS);
    fetching = { jit, close: () => client.close() };
  }
  const worker = new SyncWorker({
    ds, store: new UpdateStoreRepository(new ChangeLogRepository()), settings, subscriptions, runs, upstream,
    contentPolicy: config.contentPolicy, prefetcher: fetching?.jit, log,
    localLock: config.databaseUrl ? undefined : () => syncLockFile(config.dataDir),
  });
  return { worker, upstream, subscriptions, runs, settings, fetching };
}
