import type { Command } from 'commander';
import { migrateDown, migrateUp, migrationStatus } from '../db/migrator';
import { withDatabase } from './with-database';

/** The migrate commands decide themselves what runs. */
const NO_MIGRATE = { migrate: false };

/** registerMigrateCommands adds `cascade migrate up|down|status`. */
export function registerMigrateCommands(program: Command): void {
  const migrate = program.command('migrate').description('apply, revert or list schema migrations');
  migrate
    .command('up')
    .description('apply every pending migration')
    .action(() =>
      withDatabase(async (ds) => {
        const applied = await migrateUp(ds);
        console.log(applied.length ? applied.map((n) => `applied ${n}`).join('\n') : 'schema is up to date');
      }, NO_MIGRATE),
    );
  migrate
    .command('down')
    .description('revert the most recent migrations')
    .option('--steps <n>', 'how many to revert', (v) => Number.parseInt(v, 10), 1)
    .action((opts: { steps: number }) =>
      withDatabase(async (ds) => {
        if (!Number.isInteger(opts.steps) || opts.steps < 1) throw new Error('--steps must be a positive whole number');
        console.log(`reverted ${await migrateDown(ds, opts.steps)} migration(s)`);
      }, NO_MIGRATE),
    );
  migrate
    .command('status')
    .description('list migrations and whether each is applied')
    .action(() =>
      withDatabase(async (ds) => {
        for (const m of await migrationStatus(ds)) console.log(`${m.applied ? 'applied' : 'pending'}  ${m.name}`);
      }, NO_MIGRATE),
    );
}
