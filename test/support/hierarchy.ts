import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { PublishingClient } from '../../src/clients/publishing-client';
import { addDownstream } from './downstream-client';
import { freePort, runCli, startNodeProcess, tempDir, type CliResult, type NodeProcess } from './node-process';
import { createTestDatabase, type TestDatabase } from './test-database';

/** A node of a test hierarchy: its process, database and the environment its CLI commands use. */
export interface TierNode {
  name: string;
  db: TestDatabase;
  dataDir: string;
  env: Record<string, string>;
  process?: NodeProcess;
  url: string;
}

/** startTier starts a node process on a fresh database; with `parent`, registers it there and points it upstream. */
export async function startTier(name: string, parent?: TierNode, extraEnv: Record<string, string> = {}): Promise<TierNode> {
  const db = await createTestDatabase();
  const dataDir = tempDir(`casc-${name}-`);
  // A fixed port, so a restarted tier keeps the URL its children know it by.
  const env: Record<string, string> = {
    DATABASE_URL: db.url,
    CASCADE_DATA_DIR: dataDir,
    CASCADE_PORT: String(await freePort()),
    ...extraEnv,
  };
  if (parent) {
    const creds = await addDownstream(parent.env, `${name}.example`);
    Object.assign(env, { CASCADE_UPSTREAM_URL: parent.url, CASCADE_UPSTREAM_ID: creds.id, CASCADE_UPSTREAM_SECRET: creds.secret });
  }
  const tier: TierNode = { name, db, dataDir, env, url: '' };
  await restartTier(tier);
  return tier;
}

/** restartTier (re)starts a tier's node process on its database and data folder. */
export async function restartTier(tier: TierNode): Promise<void> {
  tier.process = await startNodeProcess(tier.env);
  tier.url = tier.process.url;
}

/** stopTier stops a tier's process and removes its database and folder. */
export async function dropTier(tier: TierNode | undefined): Promise<void> {
  if (!tier) return;
  await tier.process?.stop();
  await tier.db.drop();
  fs.rmSync(tier.dataDir, { recursive: true, force: true });
}

/** syncTier runs `cascade sync` for a tier and fails loudly when it fails. */
export async function syncTier(tier: TierNode): Promise<CliResult & { counts: Record<string, number> }> {
  const r = await runCli(['sync'], tier.env);
  if (r.code !== 0) throw new Error(`sync of ${tier.name} failed (${r.code}): ${r.stderr}${r.stdout}`);
  const m = /(\d+) revisions listed, (\d+) transferred, (\d+) new, (\d+) payloads prefetched/.exec(r.stdout);
  const counts: Record<string, number> = m ? { listed: +m[1], transferred: +m[2], imported: +m[3], prefetched: +m[4] } : {};
  return { ...r, counts };
}

/** query runs SQL on a tier's database. */
export async function query<T = Record<string, unknown>>(tier: TierNode, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: tier.db.url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** catalogDigest is a canonical SHA-256 of every revision a tier stores: identity, state and document. */
export async function catalogDigest(tier: TierNode): Promise<{ digest: string; revisions: number }> {
  const rows = await query<{ update_id: string; revision_number: number; publication_state: string; is_latest: boolean; xml: string }>(
    tier,
    `SELECT update_id, revision_number, publication_state, is_latest, xml FROM update_revision ORDER BY update_id, revision_number`,
  );
  const h = createHash('sha256');
  for (const r of rows) h.update(`${r.update_id}\n${r.revision_number}\n${r.publication_state}\n${r.is_latest}\n${r.xml}\n`);
  return { digest: h.digest('hex'), revisions: rows.length };
}

/**
 * A software provider on a tier, publishing with payloads the way `cascade publish` does (PUT /Upload, then
 * PublishUpdate) but from the test process: the hierarchy tests publish often, and the CLI has tests of its own.
 */
export async function addProvider(
  tier: TierNode,
  name = 'contoso',
): Promise<{
  publish: (title: string, opts?: { bytes?: number; product?: string }) => Promise<{ updateId: string; file: string; payload: Buffer }>;
}> {
  const added = await runCli(['providers', 'add', name], tier.env);
  const password = /password:\s*(\S+)/.exec(added.stdout)?.[1];
  if (!password) throw new Error(`providers add failed: ${added.stderr}`);
  const client = new PublishingClient(tier.url, { user: name, password });
  const dir = tempDir('casc-payload-');
  let n = 0;
  return {
    publish: async (title, opts = {}) => {
      const payload = randomBytes(opts.bytes ?? 64 * 1024);
      const file = path.join(dir, `payload-${++n}.cab`);
      fs.writeFileSync(file, payload);
      const uploaded = await client.upload(file);
      const { updateId } = await client.publish({
        title,
        product: opts.product ?? 'Contoso Suite',
        classification: 'Security Updates',
        files: [{ sha1: uploaded.sha1, fileName: uploaded.fileName }],
      });
      return { updateId, file, payload };
    },
  };
}
