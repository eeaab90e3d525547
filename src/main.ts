import 'reflect-metadata';
import { createServer, type RequestListener, type Server } from 'node:http';
import { requireBasic } from './auth/basic-auth';
import { requireProvider } from './auth/provider-auth';
import { loadConfig, type Config } from './config/config';
import { ContentStore } from './content/content-store';
import { openDatabase, type Database } from './db/database';
import { migrateUp } from './db/migrator';
import { createHttpApp, errorHandler, notFound } from './http/app';
import { contentRoutes } from './http/content.routes';
import { metricsRoutes } from './http/metrics.routes';
import { uploadRoutes } from './http/upload.routes';
import { SyncScheduler } from './jobs/sync-scheduler';
import { createLogger, type Logger } from './lib/logger';
import { createMetricsRegistry } from './lib/metrics';
import { AvailabilityRepository } from './repositories/availability.repository';
import { ChangeLogRepository } from './repositories/change-log.repository';
import { DistributionRuleRepository } from './repositories/distribution-rule.repository';
import { DownstreamServerRepository } from './repositories/downstream-server.repository';
import { NodeSettingRepository } from './repositories/node-setting.repository';
import { SoftwareProviderRepository } from './repositories/software-provider.repository';
import { UpdateFileRepository } from './repositories/update-file.repository';
import { UpdateStoreRepository } from './repositories/update-store.repository';
import { AvailabilityService } from './services/availability.service';
import { ContentService, type PayloadSource } from './services/content.service';
import { DownstreamServerService } from './services/downstream-server.service';
import { DownstreamSessionService } from './services/downstream-session.service';
import { NodeIdentityService } from './services/node-identity.service';
import { ProviderAccountService } from './services/provider-account.service';
import { PublishingService } from './services/publishing.service';
import { ServerSyncService, type PayloadWarmer } from './services/server-sync.service';
import { UploadService } from './services/upload.service';
import { dssAuthWebServiceSpec } from './soap/dss-auth-web-service.soap';
import { publishingServiceSpec } from './soap/publishing-service.soap';
import { serverSyncWebServiceSpec } from './soap/server-sync-web-service.soap';
import { hostSoapService } from './soap/soap-host';
import { createSyncModule } from './sync/sync-module';

/** How long /healthz waits for the database, so it answers within 2 s either way. */
const HEALTH_PING_MS = 1500;
/** How long a stopping node lets running requests finish. */
const STOP_GRACE_MS = 5000;
// A partial upload untouched this long was left by a crash (a live upload keeps its temp file's mtime fresh).
const STALE_UPLOAD_MS = 60 * 60 * 1000;
/** NodeServices indicates the services a node builds once and its SOAP and HTTP layers call. */
export interface NodeServices {
  nodeIdentity: NodeIdentityService;
  downstreamServers: DownstreamServerService;
  availability: AvailabilityService;
}

/** RunningNode is a started node: its HTTP server, its services and how to stop it cleanly. */
export interface RunningNode {
  server: Server;
  database: Database;
  services: NodeServices;
  stop(): Promise<void>;
}

/**
 * startNode is the composition root: config → database (migrated) → repositories → services → HTTP app
 * with its SOAP services → listen. Nothing else wires components together.
 */
export async function startNode(config: Config, log: Logger): Promise<RunningNode> {
  const database = await openDatabase(config, { poolSize: 20 });
  try {
    const applied = await migrateUp(database.dataSource);
    if (applied.length) log.info({ applied }, 'migrations applied');
    const contentStore = new ContentStore(config.contentDir);
    await contentStore.init();
    const swept = await contentStore.sweepTemp(STALE_UPLOAD_MS);
    if (swept) log.info({ swept }, 'removed stale partial uploads');

    const ds = database.dataSource;
    const providerAccounts = new ProviderAccountService(new SoftwareProviderRepository(ds));
    const uploads = new UploadService(contentStore, new UpdateFileRepository(ds),
      { maxBytes: config.uploadMaxBytes, publicUrl: config.publicUrl });
    const registry = createMetricsRegistry();
    // A child fetches what it lacks from its parent; a root serves only what it holds and has nothing to warm.
    const sync = await createSyncModule(ds, config, log, registry);
    const jit = sync.fetching?.jit;
    const payloads: PayloadSource = jit ?? new ContentService(contentStore);
    const warmer: PayloadWarmer = jit ?? { warm: async () => undefined };
    const providerAuth = requireProvider(providerAccounts);
    const serverRepo = new DownstreamServerRepository(ds.manager);
    const ruleRepo = new DistributionRuleRepository(ds.manager);
    const nodeIdentity = new NodeIdentityService(new NodeSettingRepository(ds.manager));
    const availability = new AvailabilityService(ds, ruleRepo, new AvailabilityRepository(ds.manager), serverRepo);
    const services: NodeServices = {
      nodeIdentity, availability, downstreamServers: new DownstreamServerService(ds, serverRepo, ruleRepo, availability),
    };
    // Read before listening, so a damaged identity stops the node at start rather than at a child's first request.
    const { nodeId } = await nodeIdentity.getNodeIdentity();
    await nodeIdentity.recordPublicUrl(config.publicUrl);

    const changeLog = new ChangeLogRepository();
    const store = new UpdateStoreRepository(changeLog);
    const sessions = new DownstreamSessionService(nodeIdentity, services.downstreamServers, availability, config.cookieLifetimeMinutes);
    const serverSync = new ServerSyncService(ds, store, changeLog, availability, config.publicUrl, warmer);
    const publishing = new PublishingService(ds, store);
    const downstreamAuth = requireBasic('downstream server', (id, secret) => services.downstreamServers.authenticate(id, secret));

    const scheduler = config.syncSchedule ? new SyncScheduler(config.syncSchedule, () => sync.worker.syncNow('scheduled'), log) : undefined;

    const app = createHttpApp();
    app.get('/healthz', async (_req, res) => {
      try {
        await database.ping(HEALTH_PING_MS);
        res.json({ status: 'ok', database: database.kind });
      } catch (err) {
        res.status(503).json({ status: 'unavailable', database: database.kind, reason: (err as Error).message });
      }
    });
    app.use(uploadRoutes(uploads, providerAuth));
    app.use(contentRoutes(payloads));
    app.use(metricsRoutes(registry));
    const soapOptions = { publicUrl: config.publicUrl, maxBytes: config.soapMaxBytes, log };
    await hostSoapService(app, publishingServiceSpec(publishing, providerAuth), soapOptions);
    await hostSoapService(app, dssAuthWebServiceSpec(sessions, downstreamAuth), soapOptions);
    await hostSoapService(app, serverSyncWebServiceSpec(serverSync, sessions), soapOptions);

    app.use(notFound);
    app.use(errorHandler(log));
    const server = await listen(app, config.port, config.host);
    // Node's default of 5 minutes for a whole request would cut off large uploads; headersTimeout still applies.
    server.requestTimeout = 0;
    log.info({ port: config.port, publicUrl: config.publicUrl, database: database.kind, nodeId }, 'cascade node listening');
    scheduler?.start();
    return {
      server,
      database,
      services,
      stop: async () => {
        scheduler?.stop();
        // Idle keep-alive connections close now; requests still running get a short grace period.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const grace = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
        await closed;
        clearTimeout(grace);
        await sync.fetching?.close();
        await database.close();
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}

/**
 * listen binds the HTTP server, rejecting when the port cannot be had. (Express 5's app.listen passes a
 * bind error to its callback, which a callback ignoring its argument takes for success.)
 */
function listen(app: RequestListener, port: number, host: string): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const server = createServer(app);
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${port} on ${host} is already in use (CASCADE_PORT)`) : err);
    });
    server.listen(port, host, () => resolve(server));
  });
}

/** serve runs a node until SIGINT/SIGTERM. */
export async function serve(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const node = await startNode(config, log);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    node.stop().then(() => process.exit(0), (err) => {
      log.error({ err }, 'unclean stop');
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

if (require.main === module) {
  serve().catch((err) => {
    process.stderr.write(`cascade: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
