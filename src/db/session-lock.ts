import type { DataSource } from 'typeorm';

/** Advisory lock held for the whole of a sync: one sync at a time per node, across processes. */
export const SYNC_LOCK = 0x53796e63; // "Sync"

/**
 * trySessionLock takes a Postgres advisory lock held by one dedicated connection until released, so it
 * spans many transactions (a whole sync). Returns its release, or undefined when another session holds it.
 */
export async function trySessionLock(ds: DataSource, key: number): Promise<(() => Promise<void>) | undefined> {
  const runner = ds.createQueryRunner();
  try {
    await runner.connect();
    const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [key]);
    if (!locked) {
      await runner.release();
      return undefined;
    }
  } catch (err) {
    await runner.release();
    throw err;
  }
  return async () => {
    try {
      await runner.query('SELECT pg_advisory_unlock($1)', [key]);
    } finally {
      await runner.release();
    }
  };
}
