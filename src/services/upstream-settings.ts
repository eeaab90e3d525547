import type { UpstreamConfig } from '../config/config';
import type { RequestContext, UnitOfWork } from '../db/unit-of-work';
import { invalidParameters } from '../domain/errors';
import { isGuid } from '../domain/update-document';
import type { NodeSettingRepository } from '../repositories/node-setting.repository';

const KEYS = { url: 'upstream.url', serverId: 'upstream.server-id', secret: 'upstream.secret' } as const;

/**
 * UpstreamSettings says which parent this node syncs from: CASCADE_UPSTREAM_* when set, else what
 * `cascade upstream set` stored in the database (so every process of the node agrees). The secret is
 * stored as given: the node must present it to its parent.
 */
export class UpstreamSettings {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly settings: NodeSettingRepository,
    private readonly fromEnvironment: UpstreamConfig | undefined,
  ) {}

  async current(ctx: RequestContext): Promise<UpstreamConfig | undefined> {
    if (this.fromEnvironment) return this.fromEnvironment;
    const [url, serverId, secret] = await this.uow.run(ctx, async (tx) => [
      await this.settings.get(tx, KEYS.url),
      await this.settings.get(tx, KEYS.serverId),
      await this.settings.get(tx, KEYS.secret),
    ]);
    return url && serverId && secret ? { url, serverId, secret } : undefined;
  }

  /** store validates and keeps an upstream for `cascade upstream set`. */
  async store(ctx: RequestContext, u: UpstreamConfig): Promise<UpstreamConfig> {
    let url: URL;
    try {
      url = new URL(u.url);
    } catch {
      throw invalidParameters(`--url "${u.url}" is not a URL`);
    }
    if (!/^https?:$/.test(url.protocol)) throw invalidParameters('--url must be http(s)');
    if (!isGuid(u.serverId)) throw invalidParameters('--id must be the downstream server id (a GUID) the parent issued');
    if (!u.secret.trim()) throw invalidParameters('--secret is required');
    const clean = { url: u.url.replace(/\/+$/, ''), serverId: u.serverId.toLowerCase(), secret: u.secret.trim() };
    await this.uow.run(ctx, async (tx) => {
      await this.settings.set(tx, KEYS.url, clean.url);
      await this.settings.set(tx, KEYS.serverId, clean.serverId);
      await this.settings.set(tx, KEYS.secret, clean.secret);
    });
    return clean;
  }

  /** clear forgets the stored upstream (the node becomes a root unless the environment names one). */
  async clear(ctx: RequestContext): Promise<void> {
    await this.uow.run(ctx, async (tx) => {
      for (const key of Object.values(KEYS)) await this.settings.delete(tx, key);
    });
  }

  /** fromEnvironmentVariables tells whether the environment decides (then `upstream set` has no effect). */
  get fromEnvironmentVariables(): boolean {
    return this.fromEnvironment !== undefined;
  }
}
