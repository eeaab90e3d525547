import 'reflect-metadata';
import { Command } from 'commander';
import { registerDownstreamCommands } from './downstream.command';
import { ExitCode, exitCodeOf } from './exit-codes';
import { registerMigrateCommands } from './migrate.command';
import { registerProvidersCommands } from './providers.command';
import { registerPublishCommands } from './publish.command';
import { registerSeedCommand } from './seed.command';
import { registerSyncCommands } from './sync.command';
import { serve } from '../main';

/** run runs the `cascade` command on argv and, when it fails, prints the reason and sets the exit code (see ExitCode). */
export async function run(argv: string[]): Promise<void> {
  try {
    await main(argv);
  } catch (err) {
    process.stderr.write(`cascade: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(exitCodeOf(err));
  }
}

/** main builds the `cascade` command and runs it on argv. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('cascade')
    .description('Cascade: a hierarchical software-update server (WSUS-style)')
    .showHelpAfterError()
    .exitOverride((err) => {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') process.exit(0);
      process.exit(ExitCode.Usage);
    });
  program
    .command('serve')
    .description('run the node (the same as npm start)')
    .action(() => serve());
  registerMigrateCommands(program);
  registerProvidersCommands(program);
  registerPublishCommands(program);
  registerSeedCommand(program);
  registerDownstreamCommands(program);
  registerSyncCommands(program);
  await program.parseAsync(argv);
}
