import type { UpstreamConfig } from '../config/config';
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
  constructor(private readonly settings: NodeSettingRepository, private readonly fromEnvironment: UpstreamConfig | undefined) {}

  async current(): Promise<UpstreamConfig | undefined> {
    if (this.fromEnvironment) return this.fromEnvironment;
    const [url, serverId, secret] = await Promise.all([this.settings.get(KEYS.url), this.settings.get(KEYS.serverId), this.settings.get(KEYS.secret)]);
    return url && serverId && secret ? { url, serverId, secret } : undefined;
  }

  /** store validates and keeps an upstream for `cascade upstream set`. */
  async store(u: UpstreamConfig): Promise<UpstreamConfig> {
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
    await this.settings.set(KEYS.url, clean.url);
    await this.settings.set(KEYS.serverId, clean.serverId);
    await this.settings.set(KEYS.secret, clean.secret);
    return clean;
  }

  /** clear forgets the stored upstream (the node becomes a root unless the environment names one). */
  async clear(): Promise<void> {
    for (const key of Object.values(KEYS)) await this.settings.delete(key);
  }

  /** fromEnvironmentVariables tells whether the environment decides (then `upstream set` has no effect). */
  get fromEnvironmentVariables(): boolean {
    return this.fromEnvironment !== undefined;
  }
}
