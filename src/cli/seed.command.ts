import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { withServices } from './with-database';

const positive = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number`);
  return n;
};

/** registerSeedCommand adds `cascade seed`, which fills the node's store with a synthetic catalog. */
export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description('add a synthetic catalog (for benchmarks and demos)')
    .option('--revisions <n>', 'software revisions to add', positive('--revisions'), 10000)
    .option('--products <n>', 'products to spread them over', positive('--products'), 20)
    .action((opts: { revisions: number; products: number }) =>
      withServices(async ({ seed }, ctx) => {
        const bar = new SingleBar({ format: 'seeding [{bar}] {value}/{total} revisions' }, Presets.shades_classic);
        if (process.stderr.isTTY) bar.start(opts.revisions, 0);
        const started = Date.now();
        const result = await seed.seed(ctx, { ...opts, onProgress: (n) => process.stderr.isTTY && bar.update(n) });
        if (process.stderr.isTTY) bar.stop();
        console.log(
          `seeded ${result.revisions} revisions over ${result.products.length} products in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
      }),
    );
}
