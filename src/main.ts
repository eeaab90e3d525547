import 'reflect-metadata';
import { createServer, type RequestListener, type Server } from 'node:http';
import { requireBasic } from './http/basic-auth';
import { requireProvider } from './http/provider-auth';
import { buildServices, type Services } from './composition';
import { loadConfig, type Config } from './config/config';
import { openDatabase, type Database } from './db/database';
import { migrateUp } from './db/migrator';
import { createHttpApp, errorHandler, notFound } from './http/app';
import { contentRoutes } from './http/content.routes';
import { metricsRoutes } from './http/metrics.routes';
import { uploadRoutes } from './http/upload.routes';
import { SyncScheduler } from './jobs/sync-scheduler';
import { requestContext } from './db/unit-of-work';
import { createLogger, type Logger } from './lib/logger';
import { createMetricsRegistry, serverSyncMetrics } from './lib/metrics';
import { dssAuthWebServiceSpec } from './soap/dss-auth-web-service.soap';
import { publishingServiceSpec } from './soap/publishing-service.soap';
import { serverSyncWebServiceSpec } from './soap/server-sync-web-service.soap';
import { ServerSyncGate } from './soap/server-sync-gate';
import { hostSoapService } from './soap/soap-host';

/** How long /healthz waits for the database, so it answers within 2 s either way. */
const HEALTH_PING_MS = 1500;
/** Database connections of a node, and how long a request waits for one before it is answered ServerBusy. */
const POOL_SIZE = 20;
const POOL_WAIT_MS = 10_000;
/**
 * How long an idle keep-alive connection is kept open: well above the 10 s a Cascade child keeps one for
 * reuse (and the 60 s of common HTTP clients), so a child never sends on a socket this node is closing.
 * Node's default of 5 s equalled its clients' and raced under load ("other side closed", "socket hang up").
 */
const KEEP_ALIVE_MS = 65_000;
/** How long a stopping node lets running requests finish. */
const STOP_GRACE_MS = 5000;
// A partial upload untouched this long was left by a crash (a live upload keeps its temp file's mtime fresh).
const STALE_UPLOAD_MS = 60 * 60 * 1000;
/** RunningNode is a started node: its HTTP server, its services and how to stop it cleanly. */
export interface RunningNode {
  server: Server;
  database: Database;
  services: Services;
  stop(): Promise<void>;
}

/**
 * startNode is the composition root: config → database (migrated) → services (buildServices) → HTTP app
 * with its SOAP services → listen.
 */
export async function startNode(config: Config, log: Logger): Promise<RunningNode> {
  const database = await openDatabase(config, { poolSize: POOL_SIZE, poolWaitMs: POOL_WAIT_MS });
  try {
    const applied = await migrateUp(database.dataSource);
    if (applied.length) log.info({ applied }, 'migrations applied');
    const registry = createMetricsRegistry();
    const services = await buildServices(database.dataSource, config, log, { registry });
    const swept = await services.uploads.sweepAbandonedUploads(requestContext({ kind: 'node' }), STALE_UPLOAD_MS);
    if (swept) log.info({ swept }, 'removed stale partial uploads');
    // Read before listening, so a damaged identity stops the node at start rather than at a child's first request.
    const { nodeId } = await services.nodeIdentity.getNodeIdentity(requestContext({ kind: 'node' }));
    await services.nodeIdentity.recordPublicUrl(requestContext({ kind: 'node' }), config.publicUrl);
    const providerAuth = requireProvider(services.providerAccounts);
    const downstreamAuth = requireBasic('downstream server', (id, secret) =>
      services.downstreamServers.authenticate(requestContext({ kind: 'node' }), id, secret),
    );
    const scheduler = config.syncSchedule
      ? new SyncScheduler(config.syncSchedule, () => services.syncWorker.syncNow(requestContext({ kind: 'node' }), 'scheduled'), log)
      : undefined;

    const app = createHttpApp();
    app.get('/healthz', async (_req, res) => {
      try {
        await database.ping(HEALTH_PING_MS);
        res.json({ status: 'ok', database: database.kind });
      } catch (err) {
        res.status(503).json({ status: 'unavailable', database: database.kind, reason: (err as Error).message });
      }
    });
    app.use(uploadRoutes(services.uploads, providerAuth));
    app.use(contentRoutes(services.payloads));
    app.use(metricsRoutes(registry));
    const soapOptions = { publicUrl: config.publicUrl, maxBytes: config.soapMaxBytes, log };
    await hostSoapService(app, publishingServiceSpec(services.publishing, providerAuth), soapOptions);
    await hostSoapService(app, dssAuthWebServiceSpec(services.sessions, downstreamAuth), soapOptions);
    // Half the pool for children's heavy sync calls by default, so clients, uploads and the node's own work keep the rest.
    const maxConcurrent = config.serverSyncLimit.maxConcurrent ?? Math.max(1, Math.floor(POOL_SIZE / 2));
    const gate = new ServerSyncGate(
      { maxConcurrent, maxQueued: config.serverSyncLimit.maxQueued ?? maxConcurrent },
      serverSyncMetrics(registry),
      log,
    );
    await hostSoapService(app, { ...serverSyncWebServiceSpec(services.serverSync, services.sessions), admit: gate.admit }, soapOptions);

    app.use(notFound);
    app.use(errorHandler(log));
    const server = await listen(app, config.port, config.host);
    // Node's default of 5 minutes for a whole request would cut off large uploads; headersTimeout still applies.
    server.requestTimeout = 0;
    server.keepAliveTimeout = KEEP_ALIVE_MS;
    // Above the keep-alive time, as Node advises, so an idle connection is closed by keep-alive, not by this timer.
    server.headersTimeout = KEEP_ALIVE_MS + 1000;
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
        await services.close();
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
    node.stop().then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, 'unclean stop');
        process.exit(1);
      },
    );
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
