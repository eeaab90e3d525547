import path from 'node:path';
import { Cron } from 'croner';
import { z } from 'zod';

/** Config is the node's validated settings; only this module reads process.env. */
export interface Config {
  /** TCP port the update web services listen on (WSUS default 8530). */
  port: number;
  /** Address the HTTP server binds to. */
  host: string;
  /** Folder holding the embedded database, the content store and the node's lock. */
  dataDir: string;
  /** Content store folder: payloads under <XX>/<SHA1HEX>.<ext>. */
  contentDir: string;
  /** URL clients and child nodes use to reach this node (soap:address, payload URLs). */
  publicUrl: string;
  /** External Postgres; undefined means the embedded database in dataDir. */
  databaseUrl: string | undefined;
  /** Largest payload accepted by PUT /Upload, in bytes. */
  uploadMaxBytes: number;
  /** Largest SOAP request body, in bytes (after inflation). */
  soapMaxBytes: number;
  /** Lifetime of downstream-server cookies, in minutes (WSUS: 240). */
  cookieLifetimeMinutes: number;
  /** pino-style level for the access and error log. */
  logLevel: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  /** The parent this node syncs from; undefined for a root (or when set with `cascade upstream set`). */
  upstream: UpstreamConfig | undefined;
  /** When to sync: a cron expression or an interval ("30m", "6h", "1d"); undefined = manual only. */
  syncSchedule: string | undefined;
  /** When payloads are fetched from the parent. */
  contentPolicy: ContentPolicy;
  /** How a child retries a call its parent failed transiently: attempts, and time from the first failure. */
  syncRetry: { maxAttempts: number; maxElapsedMs: number };
  /**
   * How much sync work this node takes on for its children: heavy ServerSync calls (GetRevisionIdList,
   * GetUpdateData) run at once and wait in line; beyond that it answers ServerBusy. Undefined = derived
   * from the database pool.
   */
  serverSyncLimit: { maxConcurrent: number | undefined; maxQueued: number | undefined };
}

/** ContentPolicy says when a child fetches payloads: on first request, during sync, or during sync if approved (WSUS LazySync). */
export type ContentPolicy = 'on-demand' | 'immediate' | 'approved-only';

/** UpstreamConfig names the parent node and this node's downstream credentials there. */
export interface UpstreamConfig {
  url: string;
  serverId: string;
  secret: string;
}

/** ConfigError indicates that one or more environment variables are invalid; its message names every one. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

const intInRange = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

const byteSize = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?\s*([kmgt]i?b?)?$/i, 'must be a size such as 4096, 512MB or 2GiB')
  .transform(parseByteSize);

/** A URL of one of the given protocols; one message per variable, never the parser's bare "Invalid URL". */
const url = (protocols: RegExp, wrongProtocol: string) =>
  z
    .string()
    .trim()
    .superRefine((s, ctx) => {
      const parsed = URL.canParse(s) ? new URL(s) : undefined;
      if (!parsed) ctx.addIssue({ code: 'custom', message: 'must be a URL' });
      else if (!protocols.test(parsed.protocol)) ctx.addIssue({ code: 'custom', message: wrongProtocol });
    });

const schema = z.object({
  CASCADE_PORT: intInRange(0, 65535).default(8530),
  CASCADE_HOST: z.string().trim().min(1).default('0.0.0.0'),
  CASCADE_DATA_DIR: z.string().trim().min(1).default('./data'),
  CASCADE_CONTENT_DIR: z.string().trim().min(1).optional(),
  CASCADE_PUBLIC_URL: url(/^https?:$/, 'must be http(s)').optional(),
  DATABASE_URL: url(/^postgres(ql)?:$/, 'must be a postgres:// URL').optional(),
  CASCADE_UPLOAD_MAX_BYTES: byteSize.default(parseByteSize('4GiB')),
  CASCADE_SOAP_MAX_BYTES: byteSize.default(parseByteSize('4MiB')),
  CASCADE_COOKIE_LIFETIME_MINUTES: intInRange(1, 7 * 24 * 60).default(240),
  CASCADE_LOG_LEVEL: z.enum(['silent', 'error', 'warn', 'info', 'debug']).default('info'),
  CASCADE_UPSTREAM_URL: url(/^https?:$/, 'must be http(s)').optional(),
  CASCADE_UPSTREAM_ID: z
    .string()
    .trim()
    .regex(
      /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
      'must be the downstream server id (a GUID) the parent issued',
    )
    .optional(),
  CASCADE_UPSTREAM_SECRET: z.string().trim().min(1).optional(),
  CASCADE_SYNC_SCHEDULE: z.string().trim().refine(isSchedule, 'must be a cron expression or an interval such as 30m, 6h or 1d').optional(),
  CASCADE_CONTENT_POLICY: z.enum(['on-demand', 'immediate', 'approved-only']).default('on-demand'),
  CASCADE_SYNC_RETRY_ATTEMPTS: intInRange(1, 100).default(6),
  CASCADE_SYNC_RETRY_SECONDS: intInRange(0, 24 * 3600).default(120),
  CASCADE_SYNC_MAX_CONCURRENT: intInRange(1, 10_000).optional(),
  CASCADE_SYNC_MAX_QUEUED: intInRange(0, 100_000).optional(),
});

/** isSchedule accepts an interval ("90s", "30m", "6h", "1d") or a 5- or 6-field cron expression croner can run. */
export function isSchedule(text: string): boolean {
  if (/^\d+[smhd]$/.test(text)) return true;
  if (!/^(\S+\s+){4,5}\S+$/.test(text)) return false;
  try {
    new Cron(text, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}

/** parseByteSize reads "512MB", "2GiB", "4096" (binary multiples either way). */
export function parseByteSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)/i.exec(text.trim());
  if (!m) throw new Error(`not a size: ${text}`);
  const power = ' kmgt'.indexOf((m[2] || ' ').toLowerCase());
  return Math.floor(Number(m[1]) * 1024 ** power);
}

/** loadConfig validates the environment once and returns a frozen Config, or throws ConfigError. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(
    Object.keys(schema.shape)
      .filter((k) => env[k] !== undefined && env[k] !== '')
      .map((k) => [k, env[k]]),
  );
  const parsed = schema.safeParse(input);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => {
        const name = String(i.path[0]);
        return `${name}: ${i.message} (got "${name.includes('SECRET') ? '***' : env[name]}")`;
      });
  const upstreamVars = ['CASCADE_UPSTREAM_URL', 'CASCADE_UPSTREAM_ID', 'CASCADE_UPSTREAM_SECRET'];
  if (upstreamVars.some((k) => k in input)) {
    for (const k of upstreamVars) if (!(k in input)) problems.push(`${k}: is required when any CASCADE_UPSTREAM_* variable is set`);
  }
  if (problems.length || !parsed.success) throw new ConfigError(problems);
  const v = parsed.data;
  const dataDir = path.resolve(v.CASCADE_DATA_DIR);
  const port = v.CASCADE_PORT;
  return Object.freeze({
    port,
    host: v.CASCADE_HOST,
    dataDir,
    contentDir: path.resolve(v.CASCADE_CONTENT_DIR ?? path.join(dataDir, 'content')),
    publicUrl: (v.CASCADE_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    databaseUrl: v.DATABASE_URL,
    uploadMaxBytes: v.CASCADE_UPLOAD_MAX_BYTES,
    soapMaxBytes: v.CASCADE_SOAP_MAX_BYTES,
    cookieLifetimeMinutes: v.CASCADE_COOKIE_LIFETIME_MINUTES,
    logLevel: v.CASCADE_LOG_LEVEL,
    upstream:
      v.CASCADE_UPSTREAM_URL && v.CASCADE_UPSTREAM_ID && v.CASCADE_UPSTREAM_SECRET
        ? {
            url: v.CASCADE_UPSTREAM_URL.replace(/\/+$/, ''),
            serverId: v.CASCADE_UPSTREAM_ID.toLowerCase(),
            secret: v.CASCADE_UPSTREAM_SECRET,
          }
        : undefined,
    syncSchedule: v.CASCADE_SYNC_SCHEDULE,
    contentPolicy: v.CASCADE_CONTENT_POLICY,
    syncRetry: { maxAttempts: v.CASCADE_SYNC_RETRY_ATTEMPTS, maxElapsedMs: v.CASCADE_SYNC_RETRY_SECONDS * 1000 },
    serverSyncLimit: { maxConcurrent: v.CASCADE_SYNC_MAX_CONCURRENT, maxQueued: v.CASCADE_SYNC_MAX_QUEUED },
  });
}

/** cliEnv gives the CLI the few variables it reads directly (credentials for commands that call another node). */
export function cliCredentials(env: NodeJS.ProcessEnv = process.env): { user?: string; password?: string } {
  return { user: env.CASCADE_USER || undefined, password: env.CASCADE_PASSWORD || undefined };
}
