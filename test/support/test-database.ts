import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { migrateDown, migrateUp } from '../../src/db/migrator';
import { RUN_DATABASE_PREFIX, staleRun } from './test-run';

/** The Postgres server tests use; each test suite gets its own fresh database on it. */
export const TEST_PG_URL = process.env.CASCADE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A throwaway database: its URL and how to drop it. */
export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** The databases this process made and has not dropped yet. */
const undropped = new Set<string>();

const dropDatabase = async (name: string) => {
  await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  undropped.delete(name);
};

/** createTestDatabase makes an empty database named cascade_t_<run>_<random> on the test server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `${RUN_DATABASE_PREFIX}${randomBytes(4).toString('hex')}`;
  undropped.add(name);
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), name, drop: () => dropDatabase(name) };
}

/** dropLeftoverDatabases drops what this process made and a test did not drop (its `before` failed, say), returning their names. */
export async function dropLeftoverDatabases(): Promise<string[]> {
  const left = [...undropped];
  for (const name of left) await dropDatabase(name);
  return left;
}

/**
 * sweepDatabases drops every test database whose name starts with prefix (the whole run's, at its end), or with
 * no prefix those of runs on this machine whose mocha process is gone. It returns the names dropped.
 */
export async function sweepDatabases(prefix?: string): Promise<string[]> {
  const names = await admin(async (c) =>
    (await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'cascade\\_t\\_%'`)).rows.map((r) => r.datname),
  );
  const doomed = names.filter((n) => (prefix ? n.startsWith(prefix) : staleRun(n)));
  for (const name of doomed) await dropDatabase(name);
  return doomed;
}

/** sql runs one statement on a database by URL and returns its rows. */
export async function sql<T = Record<string, unknown>>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** createMigratedDatabase makes a throwaway database with every migration applied, and a DataSource on it. */
export async function createMigratedDatabase(): Promise<{ db: TestDatabase; ds: DataSource }> {
  const db = await createTestDatabase();
  const ds = await createDataSource({ url: db.url }).initialize();
  await migrateUp(ds);
  return { db, ds };
}

/** migrateDownTo reverts migrations until the named one is reverted too, however many came after it. */
export async function migrateDownTo(ds: DataSource, name: string): Promise<void> {
  const index = ds.migrations.findIndex((m) => m.name === name);
  if (index < 0) throw new Error(`no migration named ${name}`);
  await migrateDown(ds, ds.migrations.length - index);
}
