import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { DEFAULT_RETRY_POLICY } from './clients/retry-policy';
import { UpstreamContentClient } from './clients/upstream-content-client';
import type { Config } from './config/config';
import { ContentStore } from './content/content-store';
import { acquireLockFile, LockFileHeldError } from './db/data-folder-lock';
import { SYNC_LOCK, trySessionLock } from './db/session-lock';
import { requestContext, UnitOfWork } from './db/unit-of-work';
import { DomainError } from './domain/errors';
import type { Logger } from './lib/logger';
import { upstreamPayloadMetrics } from './lib/metrics';
import { AvailabilityRepository } from './repositories/availability.repository';
import { ChangeLogRepository } from './repositories/change-log.repository';
import { DistributionRuleRepository } from './repositories/distribution-rule.repository';
import { DownstreamServerRepository } from './repositories/downstream-server.repository';
import { NodeSettingRepository } from './repositories/node-setting.repository';
import { SoftwareProviderRepository } from './repositories/software-provider.repository';
import { SyncRunRepository } from './repositories/sync-run.repository';
import { UpdateFileRepository } from './repositories/update-file.repository';
import { UpdateStoreRepository } from './repositories/update-store.repository';
import { UpstreamSubscriptionRepository } from './repositories/upstream-subscription.repository';
import { AvailabilityService } from './services/availability.service';
import { ContentService, type PayloadSource } from './services/content.service';
import { DownstreamServerService } from './services/downstream-server.service';
import { DownstreamSessionService } from './services/downstream-session.service';
import { JustInTimePayloadSource } from './services/just-in-time-payload.service';
import { NodeIdentityService } from './services/node-identity.service';
import { ProviderAccountService } from './services/provider-account.service';
import { PublishingService } from './services/publishing.service';
import { SeedService } from './services/seed.service';
import { ServerSyncService, type PayloadWarmer } from './services/server-sync.service';
import { SubscriptionService } from './services/subscription.service';
import { UploadService } from './services/upload.service';
import { SyncWorker } from './services/sync-worker';
import { UpstreamSettings } from './services/upstream-settings';

/** What building the services needs from the configuration (the retry bounds of a sync default to DEFAULT_RETRY_POLICY's). */
export type ServiceSettings = Pick<
  Config,
  'upstream' | 'contentPolicy' | 'contentDir' | 'databaseUrl' | 'dataDir' | 'publicUrl' | 'uploadMaxBytes' | 'cookieLifetimeMinutes'
> &
  Partial<Pick<Config, 'syncRetry'>>;

/** Services indicates every service of a node, built once on one database by buildServices. */
export interface Services {
  uow: UnitOfWork;
  nodeIdentity: NodeIdentityService;
  providerAccounts: ProviderAccountService;
  uploads: UploadService;
  downstreamServers: DownstreamServerService;
  availability: AvailabilityService;
  sessions: DownstreamSessionService;
  serverSync: ServerSyncService;
  publishing: PublishingService;
  seed: SeedService;
  subscriptions: SubscriptionService;
  upstream: UpstreamSettings;
  syncWorker: SyncWorker;
  /** Where the content routes get payloads: this node's store, or just in time from the parent. */
  payloads: PayloadSource;
  /** Stops what the services hold open (the connection to the parent's content). */
  close(): Promise<void>;
}

/**
 * Just in time: a requester taking no bytes this long is cut off (below the parent's 60 s body idle timeout,
 * so one stalled client cannot fail a fetch others wait for); DownloadFiles warms this many payloads at once.
 */
const JIT_SETTINGS = { stallMs: 30_000, warmConcurrency: 4 };

/** syncLockFile takes <data>/sync.lock: one sync at a time between the node and `cascade sync` on an embedded database. */
function syncLockFile(dataDir: string): () => void {
  try {
    return acquireLockFile(dataDir, 'sync.lock');
  } catch (err) {
    if (err instanceof LockFileHeldError)
      throw new DomainError('ServerBusy', `a sync is already running for this node (process ${err.pid})`);
    throw err;
  }
}

/**
 * buildServices is the one place repositories and services are wired, for the node (src/main.ts), the
 * `cascade` commands and the tests alike. A node with a parent (from the environment or `cascade upstream
 * set`) serves payloads just in time; a root serves only what it holds.
 */
export async function buildServices(
  ds: DataSource,
  settings: ServiceSettings,
  log: Logger,
  opts: { registry?: Registry; clock?: () => Date; warmer?: PayloadWarmer } = {},
): Promise<Services> {
  const uow = new UnitOfWork(ds);
  const clock = opts.clock ?? (() => new Date());
  const changeLog = new ChangeLogRepository();
  const store = new UpdateStoreRepository(changeLog);
  const servers = new DownstreamServerRepository();
  const rules = new DistributionRuleRepository();
  const nodeSettings = new NodeSettingRepository();
  const files = new UpdateFileRepository();
  const content = new ContentStore(settings.contentDir);
  await content.init();

  const upstream = new UpstreamSettings(uow, nodeSettings, settings.upstream);
  const parent = await upstream.current(requestContext({ kind: 'node' }));
  const client = parent ? new UpstreamContentClient(parent.url) : undefined;
  const jit = client
    ? new JustInTimePayloadSource(
        uow,
        content,
        files,
        client,
        { metrics: upstreamPayloadMetrics(opts.registry ?? new Registry()), log },
        JIT_SETTINGS,
      )
    : undefined;
  const warmer: PayloadWarmer = opts.warmer ?? jit ?? { warm: async () => undefined };

  const nodeIdentity = new NodeIdentityService(uow, nodeSettings);
  const availability = new AvailabilityService(uow, rules, new AvailabilityRepository(), servers, changeLog);
  const downstreamServers = new DownstreamServerService(uow, servers, rules, availability);
  return {
    uow,
    nodeIdentity,
    providerAccounts: new ProviderAccountService(uow, new SoftwareProviderRepository()),
    uploads: new UploadService(uow, content, files, { maxBytes: settings.uploadMaxBytes, publicUrl: settings.publicUrl }),
    downstreamServers,
    availability,
    sessions: new DownstreamSessionService(nodeIdentity, downstreamServers, availability, settings.cookieLifetimeMinutes, clock),
    serverSync: new ServerSyncService(uow, store, changeLog, availability, settings.publicUrl, warmer, clock),
    publishing: new PublishingService(uow, store, clock, upstream),
    seed: new SeedService(uow, store),
    subscriptions: new SubscriptionService(uow, new UpstreamSubscriptionRepository()),
    upstream,
    syncWorker: new SyncWorker({
      uow,
      syncLock: () => trySessionLock(ds, SYNC_LOCK),
      store,
      settings: nodeSettings,
      subscriptions: new UpstreamSubscriptionRepository(),
      runs: new SyncRunRepository(),
      upstream,
      contentPolicy: settings.contentPolicy,
      retry: { ...DEFAULT_RETRY_POLICY, ...settings.syncRetry },
      prefetcher: jit,
      log,
      localLock: settings.databaseUrl ? undefined : () => syncLockFile(settings.dataDir),
    }),
    payloads: jit ?? new ContentService(content),
    close: async () => client?.close(),
  };
}
