import type { DataSource } from 'typeorm';

/** Advisory-lock key that serialises schema changes between processes sharing one database. */
const MIGRATION_LOCK = 0x43617363; // "Casc"

/** One migration and whether it has run. */
export interface MigrationState {
  name: string;
  applied: boolean;
}

async function withMigrationLock<T>(ds: DataSource, fn: () => Promise<T>): Promise<T> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    return await fn();
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}

/** migrateUp applies every pending migration, each in its own transaction; returns their names. */
export async function migrateUp(ds: DataSource): Promise<string[]> {
  return withMigrationLock(ds, async () => (await ds.runMigrations({ transaction: 'each' })).map((m) => m.name));
}

/** migrateDown reverts the most recent `steps` migrations; returns how many were reverted. */
export async function migrateDown(ds: DataSource, steps = 1): Promise<number> {
  return withMigrationLock(ds, async () => {
    let reverted = 0;
    for (; reverted < steps; reverted++) {
      if (!(await migrationStatus(ds)).some((m) => m.applied)) break;
      await ds.undoLastMigration({ transaction: 'each' });
    }
    return reverted;
  });
}

/** migrationStatus lists every known migration, oldest first, and whether it has been applied. */
export async function migrationStatus(ds: DataSource): Promise<MigrationState[]> {
  const exists = await ds.query(`SELECT to_regclass('schema_migration') IS NOT NULL AS present`);
  const applied = new Set<string>(
    exists[0].present ? (await ds.query('SELECT name FROM schema_migration')).map((r: { name: string }) => r.name) : [],
  );
  return ds.migrations.map((m) => ({ name: m.name ?? m.constructor.name, applied: applied.has(m.name ?? m.constructor.name) }));
}

/** schemaDrift returns the SQL that would make the database match the entities; empty means no drift. */
export async function schemaDrift(ds: DataSource): Promise<string[]> {
  const log = await ds.driver.createSchemaBuilder().log();
  return log.upQueries.map((q) => q.query);
}
