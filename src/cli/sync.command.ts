import { MultiBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { UpstreamClient } from '../clients/upstream-client';
import { createLogger } from '../lib/logger';
import { withServices } from './with-database';

/** registerSyncCommands adds `cascade sync`, `cascade upstream …` and `cascade subscription …`, the child side. */
export function registerSyncCommands(program: Command): void {
  const sync = program
    .command('sync')
    .description('sync now from the parent node (exits non-zero with the reason on failure)')
    // Warnings (local revisions replaced by the parent's, payloads not prefetched) reach the operator on stderr.
    .action(() =>
      withServices(
        async ({ syncWorker }, ctx) => {
          const progress = progressBars();
          try {
            const { runId, counts } = await syncWorker.syncNow(ctx, 'manual', progress.update);
            progress.stop();
            console.log(
              `sync ${runId} succeeded: ${counts.revisionsListed} revisions listed, ${counts.revisionsTransferred} transferred, ` +
                `${counts.revisionsImported} new, ${counts.filesPrefetched} payloads prefetched`,
            );
          } finally {
            progress.stop();
          }
        },
        { logLevel: 'warn' },
      ),
    );
  sync
    .command('history')
    .description('list recent sync runs')
    .option('--limit <n>', 'how many', (v) => Number(v), 20)
    .action((opts: { limit: number }) =>
      withServices(async ({ syncWorker }, ctx) => {
        const runs = await syncWorker.history(ctx, opts.limit);
        for (const r of runs) {
          console.log(
            `${r.runId}\t${r.startedAt.toISOString()}\t${r.result}\t${r.trigger}\tlisted ${r.revisionsListed}\t` +
              `transferred ${r.revisionsTransferred}\tnew ${r.revisionsImported}${r.error ? `\t${r.error}` : ''}`,
          );
        }
      }),
    );

  const upstream = program.command('upstream').description('the parent node this node syncs from');
  upstream
    .command('set')
    .description("store the parent and this node's downstream credentials there")
    .requiredOption('--url <url>', 'the parent, e.g. http://root:8530')
    .requiredOption('--id <guid>', 'downstream server id the parent issued')
    .requiredOption('--secret <secret>', 'the secret the parent issued')
    .action((opts: { url: string; id: string; secret: string }) =>
      withServices(async (m, ctx) => {
        const stored = await m.upstream.store(ctx, { url: opts.url, serverId: opts.id, secret: opts.secret });
        console.log(`upstream set to ${stored.url} as ${stored.serverId}`);
        if (m.upstream.fromEnvironmentVariables) console.log('note: CASCADE_UPSTREAM_* is set and takes precedence over this setting');
      }),
    );
  upstream
    .command('show')
    .description('show the parent this node syncs from')
    .action(() =>
      withServices(async (m, ctx) => {
        const u = await m.upstream.current(ctx);
        console.log(u ? `${u.url} as ${u.serverId}` : 'no upstream: this node is a root');
      }),
    );

  const subscription = program.command('subscription').description("which of the parent's products and classifications this node syncs");
  subscription
    .command('show')
    .description('list what the parent offers, marking what is chosen')
    .action(() =>
      withServices(async (m, ctx) => {
        const offered = await offeredCatalog(await m.upstream.current(ctx));
        const chosen = new Set((await m.subscriptions.list(ctx)).map((s) => s.categoryId));
        const print = (c: { id: string; categoryType: string; title: string; children: (typeof c)[] }, depth: number) => {
          console.log(`${chosen.has(c.id) ? '[x]' : '[ ]'} ${'  '.repeat(depth)}${c.title}  (${c.categoryType} ${c.id})`);
          c.children.forEach((k) => print(k, depth + 1));
        };
        console.log('Products:');
        offered.products.forEach((c) => print(c, 0));
        console.log('Classifications:');
        offered.classifications.forEach((c) => print(c, 0));
        if (!chosen.size) console.log('(nothing chosen: every product and classification offered is synced)');
      }),
    );
  subscription
    .command('set')
    .description("choose products (or families, companies) and classifications from the parent's catalog")
    .requiredOption('--products <items...>', 'GUIDs or exact titles, or "all"')
    .requiredOption('--classifications <items...>', 'GUIDs or exact titles, or "all"')
    .action((opts: { products: string[]; classifications: string[] }) =>
      withServices(async (m, ctx) => {
        const chosen = await m.subscriptions.set(
          ctx,
          await offeredCatalog(await m.upstream.current(ctx)),
          opts.products,
          opts.classifications,
        );
        console.log(
          chosen.length
            ? chosen.map((s) => `${s.categoryType}\t${s.title}\t${s.categoryId}`).join('\n')
            : 'subscribed to everything offered',
        );
      }),
    );
}

async function offeredCatalog(upstream: Parameters<typeof UpstreamClient.connect>[0] | undefined) {
  if (!upstream) throw new Error('this node has no upstream: set CASCADE_UPSTREAM_URL/ID/SECRET or run `cascade upstream set`');
  const client = await UpstreamClient.connect(upstream, { log: createLogger('warn') });
  try {
    await client.authorize();
    return await client.getCatalog();
  } finally {
    await client.close();
  }
}

/** progressBars shows one bar per sync step on a terminal, and nothing elsewhere. */
function progressBars() {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const bars = new MultiBar(
    { format: '{step} [{bar}] {value}/{total}', clearOnComplete: false, stream: process.stderr },
    Presets.shades_classic,
  );
  const byStep = new Map<string, ReturnType<MultiBar['create']>>();
  let stopped = false;
  return {
    update: (step: string, done: number, total: number) => {
      let bar = byStep.get(step);
      if (!bar) byStep.set(step, (bar = bars.create(Math.max(total, 1), 0, { step: step.padEnd(10) })));
      bar.setTotal(Math.max(total, 1));
      bar.update(done, { step: step.padEnd(10) });
    },
    stop: () => {
      if (!stopped) bars.stop();
      stopped = true;
    },
  };
}
