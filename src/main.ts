import 'reflect-metadata';
import type { Server } from 'node:http';
import { requireProvider } from './auth/provider-auth';
import { loadConfig, type Config } from './config/config';
import { ContentStore } from './content/content-store';
import { openDatabase, type Database } from './db/database';
import { migrateUp } from './db/migrator';
import { createHttpApp, errorHandler, notFound } from './http/app';
import { contentRoutes } from './http/content.routes';
import { uploadRoutes } from './http/upload.routes';
import { createLogger, type Logger } from './lib/logger';
import { SoftwareProviderRepository } from './repositories/software-provider.repository';
import { UpdateFileRepository } from './repositories/update-file.repository';
import { ContentService } from './services/content.service';
import { ProviderAccountService } from './services/provider-account.service';
import { UploadService } from './services/upload.service';

// A partial upload untouched this long was left by a crash (a live upload keeps its temp file's mtime fresh).
const STALE_UPLOAD_MS = 60 * 60 * 1000;

/** RunningNode is a started node: its HTTP server and how to stop it cleanly. */
export interface RunningNode {
  server: Server;
  database: Database;
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
    const payloads = new ContentService(contentStore);

    const app = createHttpApp();
    app.get('/healthz', async (_req, res) => {
      await database.dataSource.query('SELECT 1');
      res.json({ status: 'ok', database: database.kind });
    });
    app.use(uploadRoutes(uploads, requireProvider(providerAccounts)));
    app.use(contentRoutes(payloads));

    app.use(notFound);
    app.use(errorHandler(log));
    const server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(config.port, config.host, () => resolve(s));
      s.once('error', reject);
    });
    // Node's default of 5 minutes for a whole request would cut off large uploads; headersTimeout still applies.
    server.requestTimeout = 0;
    log.info({ port: config.port, publicUrl: config.publicUrl, database: database.kind }, 'cascade node listening');
    return {
      server,
      database,
      stop: async () => {
        await new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await database.close();
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
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
