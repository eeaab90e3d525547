import type { Command } from 'commander';
import { withServices } from './with-database';

/** registerProvidersCommands adds `cascade providers add|list|disable|grant|revoke`: the accounts software providers upload with. */
export function registerProvidersCommands(program: Command): void {
  const providers = program.command('providers').description('manage software-provider accounts (PUT /Upload, PublishingService)');
  providers
    .command('add')
    .argument('<name>', 'account name: letters, digits, ".", "_", "-"')
    .description('add an account and print its generated password')
    .action((name: string) =>
      withServices(async ({ providerAccounts }, ctx) => {
        const { account, password } = await providerAccounts.add(ctx, name);
        console.log(`provider: ${account.name}`);
        console.log(`password: ${password}`);
        console.log('This password will not be shown again: store it now.');
      }),
    );
  providers
    .command('list')
    .description('list accounts')
    .action(() =>
      withServices(async ({ providerAccounts }, ctx) => {
        const all = await providerAccounts.list(ctx);
        if (all.length === 0) {
          console.log('no software providers');
          return;
        }
        for (const a of all) console.log(`${a.name}\t${a.disabled ? 'disabled' : 'enabled'}\t${a.createdAt.toISOString()}`);
      }),
    );
  providers
    .command('disable')
    .argument('<name>')
    .description('stop an account from authenticating')
    .action((name: string) =>
      withServices(async ({ providerAccounts }, ctx) => {
        await providerAccounts.disable(ctx, name);
        console.log(`provider ${name} disabled`);
      }),
    );
  for (const [verb, granted] of [
    ['grant', true],
    ['revoke', false],
  ] as const) {
    providers
      .command(verb)
      .argument('<name>')
      .requiredOption('--company <title>', 'the company, by its exact title')
      .description(
        granted
          ? "let a provider publish into a company's products and publish or expire its updates, whoever published them"
          : 'take back what grant gave',
      )
      .action((name: string, opts: { company: string }) =>
        withServices(async ({ providerAccounts }, ctx) => {
          const n = await providerAccounts.grantCompany(ctx, name, opts.company, granted);
          console.log(
            `${granted ? 'granted' : 'revoked'} company "${opts.company}"${n > 1 ? ` (${n} companies)` : ''} for provider ${name}`,
          );
        }),
      );
  }
}
