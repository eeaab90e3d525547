import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

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
