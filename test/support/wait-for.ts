import { setTimeout as sleep } from 'node:timers/promises';

/**
 * waitFor polls check until it returns something truthy and returns that; after timeoutMs it fails naming
 * what it waited for. Only for conditions no event announces (a row written by another process, a file
 * another process renames); await the event itself where there is one.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | Promise<T>,
  opts: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${opts.timeoutMs ?? 10_000} ms waiting for ${what}`);
    await sleep(opts.intervalMs ?? 25);
  }
}
