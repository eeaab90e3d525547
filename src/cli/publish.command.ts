import fs from 'node:fs';
import path from 'node:path';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { PublishingClient, type ProviderCredentials } from '../clients/publishing-client';
import { cliCredentials } from '../config/config';
import { DomainError } from '../domain/errors';
import { validatePublishUpdate, type PublishUpdateInput } from '../domain/publish-update';
import { UsageError } from './exit-codes';

interface PublishOptions {
  url: string;
  user?: string;
  password?: string;
  title: string;
  product: string;
  classification: string;
  company?: string;
  family?: string;
  description?: string;
  kb?: string;
  severity?: string;
  updateId?: string;
  supersedes: string[];
  prerequisite: string[];
  files: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function credentials(opts: { user?: string; password?: string }): ProviderCredentials {
  const env = cliCredentials();
  const user = opts.user ?? env.user;
  const password = opts.password ?? env.password;
  if (!user || !password)
    throw new UsageError('provider credentials are required: --user and --password, or CASCADE_USER and CASCADE_PASSWORD');
  return { user, password };
}

/** usage runs a check of the arguments, reporting its InvalidParameters as a usage error (nothing was sent yet). */
function usage(check: () => unknown): void {
  try {
    check();
  } catch (err) {
    throw err instanceof DomainError && err.code === 'InvalidParameters' ? new UsageError(err.message) : err;
  }
}

/** registerPublishCommands adds `cascade publish` and `cascade expire`, the software provider's side. */
export function registerPublishCommands(program: Command): void {
  program
    .command('publish')
    .description('upload payload files to a node and publish an update naming them')
    .argument('[files...]', 'payload files to upload')
    .requiredOption('--url <url>', 'the node, e.g. http://localhost:8530')
    .option('--user <name>', 'software provider account (or CASCADE_USER)')
    .option('--password <password>', 'its password (or CASCADE_PASSWORD)')
    .requiredOption('--title <title>', 'update title')
    .requiredOption('--product <product>', 'product name (created under its company if new)')
    .requiredOption('--classification <name>', 'classification title or GUID, e.g. "Security Updates"')
    .option('--company <company>', 'company of the product (default: the provider account name)')
    .option('--family <family>', 'product family between company and product')
    .option('--description <text>', 'update description')
    .option('--kb <number>', 'KB article number')
    .option('--severity <severity>', 'MSRC severity: Critical, Important, Moderate, Low, Unspecified')
    .option('--update-id <guid>', 'publish a new revision of this UpdateID')
    .option('--supersedes <guid>', 'an UpdateID this update supersedes (repeatable)', collect, [])
    .option('--prerequisite <guid>', 'an UpdateID this update requires (repeatable)', collect, [])
    .option('--no-files', "publish the new revision with no files (without files and this flag, a new revision keeps the previous one's)")
    .action(async (files: string[], opts: PublishOptions) => {
      if (!opts.files && files.length) throw new UsageError("--no-files removes the update's files: name no files with it");
      const update: PublishUpdateInput = {
        updateId: opts.updateId,
        title: opts.title,
        description: opts.description,
        kbArticleId: opts.kb,
        msrcSeverity: opts.severity,
        company: opts.company,
        productFamily: opts.family,
        product: opts.product,
        classification: opts.classification,
        supersededUpdates: opts.supersedes,
        prerequisites: opts.prerequisite,
      };
      // The node's own checks, before a byte goes up: a bad value must not cost a whole upload.
      usage(() => validatePublishUpdate(update));
      for (const f of files) if (!fs.statSync(f, { throwIfNoEntry: false })?.isFile()) throw new UsageError(`not a file: ${f}`);
      const client = new PublishingClient(opts.url.replace(/\/+$/, ''), credentials(opts));
      const uploaded = [];
      for (const file of files) uploaded.push(await uploadWithProgress(client, file));
      // No files and no --no-files: the new revision keeps the previous one's.
      const id = await client.publish({
        ...update,
        files: opts.files && !uploaded.length ? undefined : uploaded.map((u) => ({ sha1: u.sha1, fileName: u.fileName })),
      });
      console.log(`published ${id.updateId} revision ${id.revisionNumber}`);
      for (const u of uploaded) console.log(`  ${u.fileName}  sha1 ${u.sha1}  ${u.url}`);
    });

  program
    .command('expire')
    .description('expire an update: publish its next revision as Expired')
    .argument('<updateId>', 'the UpdateID')
    .requiredOption('--url <url>', 'the node, e.g. http://localhost:8530')
    .option('--user <name>', 'software provider account (or CASCADE_USER)')
    .option('--password <password>', 'its password (or CASCADE_PASSWORD)')
    .action(async (updateId: string, opts: { url: string; user?: string; password?: string }) => {
      const id = await new PublishingClient(opts.url.replace(/\/+$/, ''), credentials(opts)).expire(updateId);
      console.log(`expired ${id.updateId} as revision ${id.revisionNumber}`);
    });
}

/** uploadWithProgress shows a progress bar on a terminal (cli-progress prints nothing elsewhere). */
async function uploadWithProgress(client: PublishingClient, file: string) {
  const size = fs.statSync(file).size;
  const bar = new SingleBar(
    { format: `${path.basename(file)} [{bar}] {percentage}% {value}/{total} bytes`, noTTYOutput: false },
    Presets.shades_classic,
  );
  const tty = process.stderr.isTTY;
  if (tty) bar.start(size, 0);
  try {
    return await client.upload(file, (sent) => tty && bar.update(sent));
  } finally {
    if (tty) bar.stop();
  }
}
