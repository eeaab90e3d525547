import type { DataSource } from 'typeorm';
import { loadConfig, type Config } from '../config/config';
import { openDatabase } from '../db/database';

/**
 * withDatabase runs a CLI action against the node's database: DATABASE_URL when set, else the running
 * node's embedded database through its socket, else the data folder opened directly.
 */
export async function withDatabase<T>(fn: (ds: DataSource, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase(config, { shareRunning: true, poolSize: 2 });
  try {
    return await fn(db.dataSource, config);
  } finally {
    await db.close();
  }
}
