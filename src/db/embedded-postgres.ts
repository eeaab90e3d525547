import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { acquireDataFolderLock, lockHolder } from './data-folder-lock';
import { ProtocolUnitQueue } from './protocol-unit-queue';

/** Where the embedded database keeps its files and its Unix socket inside the data folder. */
export function embeddedPaths(dataDir: string) {
  const socketDir = path.join(dataDir, 'run');
  return { pgdata: path.join(dataDir, 'pgdata'), socketDir, socketPath: path.join(socketDir, '.s.PGSQL.5432') };
}

/** Connection settings for the pg driver to reach an embedded database through its Unix socket. */
export interface SocketConnection {
  host: string;
  port: number;
  username: string;
  database: string;
}

/**
 * EmbeddedPostgres runs PGlite in this process and exposes it on a Unix socket through pglite-socket,
 * so the ordinary pg driver (and the `cascade` CLI from another process) talks to it like any Postgres.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    private readonly releaseLock: () => void,
    readonly connection: SocketConnection,
  ) {}

  /** start opens (or creates) the database in dataDir; throws DataFolderBusyError if another process holds it. */
  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    const releaseLock = acquireDataFolderLock(dataDir);
    try {
      const { pgdata, socketDir, socketPath } = embeddedPaths(dataDir);
      fs.mkdirSync(socketDir, { recursive: true });
      fs.rmSync(socketPath, { force: true });
      const db = await PGlite.create({ dataDir: pgdata });
      const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 64 });
      // Its own queue lets two connections' extended-query messages interleave on PGlite's one session.
      (server as unknown as { queryQueue: ProtocolUnitQueue }).queryQueue = new ProtocolUnitQueue(db);
      await server.start();
      return new EmbeddedPostgres(db, server, releaseLock, socketConnection(dataDir));
    } catch (err) {
      releaseLock();
      throw err;
    }
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
    this.releaseLock();
  }
}

function socketConnection(dataDir: string): SocketConnection {
  return { host: embeddedPaths(dataDir).socketDir, port: 5432, username: 'postgres', database: 'postgres' };
}

/** runningEmbedded returns the socket of the node process serving dataDir's database, if one runs. */
export function runningEmbedded(dataDir: string): SocketConnection | undefined {
  if (lockHolder(dataDir) === undefined) return undefined;
  return fs.existsSync(embeddedPaths(dataDir).socketPath) ? socketConnection(dataDir) : undefined;
}
