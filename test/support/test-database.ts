import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/db/data-source';
import { migrateUp } from '../../src/db/migrator';

/** The Postgres server tests use; each test suite gets its own fresh database on it. */
export const TEST_PG_URL = process.env.CASCADE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A throwaway database: its URL and how to drop it. */
export interface TestDatabase { url: string; name: string; drop(): Promise<void> }

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** createTestDatabase makes an empty database named cascade_t_<random> on the test server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `cascade_t_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(TEST_PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
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
