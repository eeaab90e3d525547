import type { DataSource } from 'typeorm';
import { loadConfig, type Config } from '../config/config';
import { openDatabase } from '../db/database';
import { migrateUp } from '../db/migrator';

/**
 * withDatabase runs a CLI action against the node's database: DATABASE_URL when set, else the running
 * node's embedded database through its socket, else the data folder opened directly. Pending migrations
 * are applied first (as a starting node would), so admin commands work on a node that never ran;
 * `cascade migrate` passes { migrate: false } to stay in control.
 */
export async function withDatabase<T>(fn: (ds: DataSource, config: Config) => Promise<T>, opts: { migrate?: boolean } = {}): Promise<T> {
  const config = loadConfig();
  const db = await openDatabase(config, { shareRunning: true, poolSize: 2 });
  try {
    if (opts.migrate !== false) await migrateUp(db.dataSource);
    return await fn(db.dataSource, config);
  } finally {
    await db.close();
  }
}
