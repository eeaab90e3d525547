import type { Command } from 'commander';
import type { RuleTarget } from '../domain/availability';
import type { RequestContext } from '../db/unit-of-work';
import type { DownstreamServerService } from '../services/downstream-server.service';
import { UsageError } from './exit-codes';
import { withServices } from './with-database';

/** registerDownstreamCommands adds `cascade downstream …`: registering child nodes and setting what each may receive. */
export function registerDownstreamCommands(program: Command): void {
  const downstream = program.command('downstream').description('register child nodes (downstream servers) and set what they receive');

  downstream
    .command('add')
    .description('register a downstream server; prints its id and secret once')
    .requiredOption('--name <name>', 'DNS name or identifier of the child node')
    .option('--channel <channel>', 'downstream channel', 'Default')
    .action((o: { name: string; channel: string }) =>
      withServices(async ({ downstreamServers: servers, nodeIdentity }, ctx, config) => {
        // The URL the node last started with; this shell may lack the node's settings.
        const publicUrl = (await nodeIdentity.publicUrl(ctx)) ?? config.publicUrl;
        const s = await servers.add(ctx, o.name, o.channel);
        console.log(`added downstream server "${s.name}" in channel "${s.channel}"`);
        console.log(`server id: ${s.serverId}`);
        console.log(`secret:    ${s.secret}`);
        console.log('The secret is shown only now. On the child node set:');
        console.log(`  CASCADE_UPSTREAM_URL=${publicUrl}`);
        console.log(`  CASCADE_UPSTREAM_ID=${s.serverId}`);
        console.log(`  CASCADE_UPSTREAM_SECRET=${s.secret}`);
      }),
    );

  downstream
    .command('list')
    .description('list downstream servers')
    .action(() =>
      withServices(async ({ downstreamServers: servers }, ctx) => {
        const rows = (await servers.list(ctx)).map((s) => [
          s.serverId,
          s.name,
          s.channel,
          s.enabled ? 'yes' : 'no',
          s.lastSeenAt ? s.lastSeenAt.toISOString() : 'never',
        ]);
        if (rows.length === 0) console.log('no downstream servers');
        else printTable(['ID', 'NAME', 'CHANNEL', 'ENABLED', 'LAST SEEN'], rows);
      }),
    );

  for (const [verb, what] of [
    ['disable', 'stop a downstream server from syncing'],
    ['enable', 'let a disabled downstream server sync again'],
    ['remove', 'delete a downstream server and its own rule'],
  ] as const) {
    downstream
      .command(`${verb} <name-or-id>`)
      .description(what)
      .action((key: string) =>
        withServices(async ({ downstreamServers: servers }, ctx) => {
          const s = await servers[verb](ctx, key);
          console.log(`${verb}d downstream server "${s.name}" (${s.serverId})`);
        }),
      );
  }

  downstream
    .command('set-channel <name-or-id> <channel>')
    .description('move a downstream server to another downstream channel')
    .action((key: string, channel: string) =>
      withServices(async ({ downstreamServers: servers }, ctx) => {
        const s = await servers.setChannel(ctx, key, channel);
        console.log(`downstream server "${s.name}" is now in channel "${s.channel}"`);
      }),
    );

  downstream
    .command('allow [name-or-id]')
    .description('set which products and classifications a server or channel may receive')
    .option('--channel <channel>', 'set the rule of a downstream channel instead of one server')
    .requiredOption('--products <items...>', 'product, product family or company GUIDs or exact titles, or "all"')
    .requiredOption('--classifications <items...>', 'classification GUIDs or exact titles, or "all"')
    .action((key: string | undefined, o: { channel?: string; products: string[]; classifications: string[] }) =>
      withServices(async ({ downstreamServers: servers, availability }, ctx) => {
        const target = await ruleTarget(ctx, servers, key, o.channel);
        const products = isAll(o.products) ? 'all' : await availability.resolveCategories(ctx, o.products, 'products');
        const classifications = isAll(o.classifications)
          ? 'all'
          : await availability.resolveCategories(ctx, o.classifications, 'classifications');
        const { madeAvailable } = await availability.setRule(ctx, target, { products, classifications });
        const who = o.channel !== undefined ? `channel "${o.channel}"` : `server "${key}"`;
        console.log(`rule set for ${who}; ${madeAvailable} update(s) newly available`);
      }),
    );

  downstream
    .command('reset-rule [name-or-id]')
    .description('remove the rule of a server (it follows its channel) or of a channel (everything)')
    .option('--channel <channel>', 'remove the rule of a downstream channel')
    .action((key: string | undefined, o: { channel?: string }) =>
      withServices(async ({ downstreamServers: servers, availability }, ctx) => {
        const { madeAvailable } = await availability.removeRule(ctx, await ruleTarget(ctx, servers, key, o.channel));
        console.log(`rule removed; ${madeAvailable} update(s) newly available`);
      }),
    );

  downstream
    .command('rules')
    .description('list distribution rules')
    .action(() =>
      withServices(async ({ downstreamServers: servers, availability }, ctx) => {
        const rules = await availability.listRules(ctx);
        if (rules.length === 0) {
          console.log('no rules: every downstream server receives everything');
          return;
        }
        const names = new Map((await servers.list(ctx)).map((s) => [s.serverId, s.name]));
        const titles = new Map(
          (
            await availability.describeCategories(
              ctx,
              rules.flatMap((r) => [
                ...(r.products === 'all' ? [] : r.products),
                ...(r.classifications === 'all' ? [] : r.classifications),
              ]),
            )
          ).map((c) => [c.categoryId, c.title]),
        );
        const show = (ids: string[] | 'all') =>
          ids === 'all' ? 'all' : ids.length === 0 ? 'none' : ids.map((id) => titles.get(id) ?? id).join('; ');
        printTable(
          ['TARGET', 'PRODUCTS', 'CLASSIFICATIONS'],
          rules.map((r) => [
            r.target.kind === 'channel' ? `channel "${r.target.channel}"` : `server ${names.get(r.target.serverId) ?? r.target.serverId}`,
            show(r.products),
            show(r.classifications),
          ]),
        );
      }),
    );
}

async function ruleTarget(
  ctx: RequestContext,
  servers: DownstreamServerService,
  key: string | undefined,
  channel: string | undefined,
): Promise<RuleTarget> {
  if ((key === undefined) === (channel === undefined)) throw new UsageError('name one downstream server or one --channel, not both');
  return channel !== undefined ? { kind: 'channel', channel } : { kind: 'server', serverId: (await servers.get(ctx, key!)).serverId };
}

function isAll(items: string[]): boolean {
  return items.length === 1 && items[0].trim().toLowerCase() === 'all';
}

function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [head, ...rows])
    console.log(
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
}
