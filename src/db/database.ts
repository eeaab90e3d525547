import type { DataSource } from 'typeorm';
import { createDataSource } from './data-source';
import { EmbeddedPostgres, runningEmbedded } from './embedded-postgres';

/** Database is an open DataSource together with whatever must be stopped after it. */
export interface Database {
  dataSource: DataSource;
  /** "postgres" for DATABASE_URL, "embedded" for PGlite in the data folder. */
  kind: 'postgres' | 'embedded';
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
export async function openDatabase(s: DatabaseSettings, opts: { shareRunning?: boolean; poolSize?: number } = {}): Promise<Database> {
  if (s.databaseUrl) {
    const dataSource = await createDataSource({ url: s.databaseUrl }, opts.poolSize).initialize();
    return { dataSource, kind: 'postgres', close: () => dataSource.destroy() };
  }
  const running = opts.shareRunning ? runningEmbedded(s.dataDir) : undefined;
  if (running) {
    const dataSource = await createDataSource({ socket: running }, opts.poolSize).initialize();
    return { dataSource, kind: 'embedded', close: () => dataSource.destroy() };
  }
  const embedded = await EmbeddedPostgres.start(s.dataDir);
  try {
    const dataSource = await createDataSource({ socket: embedded.connection }, opts.poolSize).initialize();
    return {
      dataSource,
      kind: 'embedded',
      close: async () => {
        await dataSource.destroy();
        await embedded.stop();
      },
    };
  } catch (err) {
    await embedded.stop();
    throw err;
  }
}
