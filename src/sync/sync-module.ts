import type { DataSource } from 'typeorm';
import type { Config } from '../config/config';
import type { Logger } from '../lib/logger';
import { ChangeLogRepository } from '../repositories/change-log.repository';
import { NodeSettingRepository } from '../repositories/node-setting.repository';
import { SyncRunRepository } from '../repositories/sync-run.repository';
import { UpdateStoreRepository } from '../repositories/update-store.repository';
import { UpstreamSubscriptionRepository } from '../repositories/upstream-subscription.repository';
import type { PayloadPrefetcher } from './sync-run';
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

/** createSyncModule wires the sync worker on a DataSource, the same way for the node and the CLI. */
export function createSyncModule(ds: DataSource, config: Pick<Config, 'upstream' | 'contentPolicy'>, log: Logger, prefetcher?: PayloadPrefetcher): SyncModule {
  const settings = new NodeSettingRepository(ds.manager);
  const subscriptions = new UpstreamSubscriptionRepository(ds.manager);
  const runs = new SyncRunRepository(ds.manager);
  const upstream = new UpstreamSettings(settings, config.upstream);
  const worker = new SyncWorker({
    ds, store: new UpdateStoreRepository(new ChangeLogRepository()), settings, subscriptions, runs, upstream,
    contentPolicy: config.contentPolicy, prefetcher, log,
  });
  return { worker, upstream, subscriptions, runs, settings };
}
