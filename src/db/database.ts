import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource, type DatabaseTarget } from './data-source';
import { EmbeddedPostgres, runningEmbedded } from './embedded-postgres';

/** How long a database may take to accept a connection and answer a first query before it counts as unreachable. */
const CONNECT_TIMEOUT_MS = 5000;

/** DatabaseUnreachableError indicates a database that refused the connection or did not answer in time; `where` names it. */
export class DatabaseUnreachableError extends Error {
  constructor(
    readonly where: string,
    reason: string,
  ) {
    super(`database ${where} does not answer: ${reason}`);
  }
}

/** Database is an open DataSource together with whatever must be stopped after it. */
export interface Database {
  dataSource: DataSource;
  /** "postgres" for DATABASE_URL, "embedded" for PGlite in the data folder. */
  kind: 'postgres' | 'embedded';
  /** host:port/database, or the data folder of the embedded database; never a password. */
  where: string;
  /** ping runs a trivial query; DatabaseUnreachableError when it fails or takes longer than timeoutMs. */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** What openDatabase needs from the configuration. */
export interface DatabaseSettings {
  databaseUrl: string | undefined;
  dataDir: string;
}

/**
 * openDatabase opens the node's database: DATABASE_URL when set; otherwise the embedded database of the
 * data folder, through the running node's socket when `shareRunning` and a node runs, else by opening
 * the folder itself (taking its lock).
 */
export async function openDatabase(
  s: DatabaseSettings,
  opts: { shareRunning?: boolean; poolSize?: number; poolWaitMs?: number } = {},
): Promise<Database> {
  if (s.databaseUrl) {
    const where = describeUrl(s.databaseUrl);
    const target = { url: s.databaseUrl };
    await probe(target, where);
    const dataSource = await createDataSource(target, opts.poolSize, opts.poolWaitMs).initialize();
    return database(dataSource, 'postgres', where, () => dataSource.destroy());
  }
  const where = `embedded in ${s.dataDir}`;
  const running = opts.shareRunning ? runningEmbedded(s.dataDir) : undefined;
  if (running) {
    await probe({ socket: running }, `${where} (through its running node)`);
    const dataSource = await createDataSource({ socket: running }, opts.poolSize, opts.poolWaitMs).initialize();
    return database(dataSource, 'embedded', where, () => dataSource.destroy());
  }
  const embedded = await EmbeddedPostgres.start(s.dataDir);
  try {
    const dataSource = await createDataSource({ socket: embedded.connection }, opts.poolSize, opts.poolWaitMs).initialize();
    return database(dataSource, 'embedded', where, async () => {
      await dataSource.destroy();
      await embedded.stop();
    });
  } catch (err) {
    await embedded.stop();
    throw err;
  }
}

function database(dataSource: DataSource, kind: Database['kind'], where: string, close: () => Promise<void>): Database {
  return { dataSource, kind, where, close, ping: (timeoutMs) => withinTime(dataSource.query('SELECT 1'), timeoutMs, where) };
}

/**
 * probe connects once and runs SELECT 1 within CONNECT_TIMEOUT_MS, so that a database that refuses or never
 * answers fails here with its name rather than hanging the pool (which waits without limit).
 */
async function probe(target: DatabaseTarget, where: string): Promise<void> {
  const client = new Client(
    'url' in target
      ? { connectionString: target.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS }
      : {
          host: target.socket.host,
          port: target.socket.port,
          user: target.socket.username,
          database: target.socket.database,
          connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
        },
  );
  client.on('error', () => undefined);
  try {
    await withinTime(
      client.connect().then(() => client.query('SELECT 1')),
      CONNECT_TIMEOUT_MS,
      where,
    );
  } catch (err) {
    throw err instanceof DatabaseUnreachableError ? err : new DatabaseUnreachableError(where, (err as Error).message);
  } finally {
    // end() waits for a reply a silent server never sends; do not wait for it.
    void client.end().catch(() => undefined);
  }
}

/** withinTime settles like `work`, or rejects with DatabaseUnreachableError once timeoutMs pass. */
async function withinTime<T>(work: Promise<T>, timeoutMs: number, where: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DatabaseUnreachableError(where, `no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** describeUrl names a postgres URL as host:port/database, leaving out credentials. */
function describeUrl(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}${u.pathname}`;
}
