import type { DataSource } from 'typeorm';
import { buildServices, type Services } from '../composition';
import { loadConfig, type Config } from '../config/config';
import { openDatabase } from '../db/database';
import { migrateUp } from '../db/migrator';
import { requestContext, type RequestContext } from '../db/unit-of-work';
import { createLogger } from '../lib/logger';

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

/** withServices runs a CLI action with the node's services (built by buildServices) on its database, as an administrator. */
export function withServices<T>(
  fn: (s: Services, ctx: RequestContext, config: Config) => Promise<T>,
  opts: { logLevel?: 'silent' | 'warn' } = {},
): Promise<T> {
  return withDatabase(async (ds, config) => {
    const services = await buildServices(ds, config, createLogger(opts.logLevel ?? 'silent'));
    try {
      return await fn(services, requestContext({ kind: 'admin' }), config);
    } finally {
      await services.close();
    }
  });
}
