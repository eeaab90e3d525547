import { randomUUID } from 'node:crypto';
import type { RequestContext, TxContext, UnitOfWork } from '../db/unit-of-work';
import { generateSecret, hashSecret } from '../crypto/secret-hash';
import { DEFAULT_CHANNEL, normalizeChannelName, normalizeServerName, type DownstreamServer } from '../domain/downstream-server';
import { DomainError, invalidParameters } from '../domain/errors';
import type { DownstreamServerEntity } from '../entities/downstream-server.entity';
import { isUuid } from '../lib/uuid';
import type { DownstreamServerRepository } from '../repositories/downstream-server.repository';
import type { DistributionRuleRepository } from '../repositories/distribution-rule.repository';
import type { AvailabilityService } from './availability.service';
import type { CredentialChecker } from './credential-checker';

/** AddedDownstreamServer indicates a newly registered server with its secret, which is never shown again. */
export interface AddedDownstreamServer extends DownstreamServer {
  secret: string;
}

const PROTOCOL_VERSION = /^\d{1,5}\.\d{1,5}$/;

/**
 * DownstreamServerService registers the child nodes (DSSs) allowed to sync from this node and checks their
 * credentials for GetAuthorizationCookie.
 */
export class DownstreamServerService {
  private dummyHash?: Promise<string>;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly servers: DownstreamServerRepository,
    private readonly rules: DistributionRuleRepository,
    private readonly availability: AvailabilityService,
    private readonly credentials: CredentialChecker,
  ) {}

  /** add registers a server under a DNS-style name; Conflict when the name is taken. */
  async add(ctx: RequestContext, name: string, channel: string = DEFAULT_CHANNEL): Promise<AddedDownstreamServer> {
    const n = normalizeServerName(name);
    const g = normalizeChannelName(channel);
    const secret = generateSecret();
    const serverId = randomUUID();
    const secretHash = await hashSecret(secret);
    return this.uow.run(ctx, async (tx) => {
      if (!(await this.servers.insert(tx, { serverId, name: n, channelName: g, secretHash }))) {
        throw new DomainError('Conflict', `a downstream server named "${n}" already exists`);
      }
      return { ...toServer((await this.servers.findById(tx, serverId))!), secret };
    });
  }

  /** list returns every registered server, by name. */
  async list(ctx: RequestContext): Promise<DownstreamServer[]> {
    return (await this.uow.run(ctx, (tx) => this.servers.list(tx))).map(toServer);
  }

  /** get finds a server by id or name; NotFound otherwise. */
  async get(ctx: RequestContext, nameOrId: string): Promise<DownstreamServer> {
    return toServer(await this.uow.run(ctx, (tx) => this.find(tx, nameOrId)));
  }

  /** disable stops a server from authenticating; its registration and rules stay. */
  async disable(ctx: RequestContext, nameOrId: string): Promise<DownstreamServer> {
    return this.setEnabled(ctx, nameOrId, false);
  }

  /** enable lets a disabled server authenticate again. */
  async enable(ctx: RequestContext, nameOrId: string): Promise<DownstreamServer> {
    return this.setEnabled(ctx, nameOrId, true);
  }

  /** remove deletes a server and its own distribution rule. */
  async remove(ctx: RequestContext, nameOrId: string): Promise<DownstreamServer> {
    return this.uow.run(ctx, async (tx) => {
      const server = await this.find(tx, nameOrId);
      await this.rules.delete(tx, 'server', server.serverId);
      await this.servers.delete(tx, server.serverId);
      return toServer(server);
    });
  }

  /** setChannel moves a server to another downstream channel, recording what the move makes available to it. */
  async setChannel(ctx: RequestContext, nameOrId: string, channel: string): Promise<DownstreamServer> {
    const g = normalizeChannelName(channel);
    return this.uow.run(ctx, async (tx) => {
      const { serverId } = await this.find(tx, nameOrId);
      await this.availability.applyRuleChange(tx, { kind: 'server', serverId }, () => this.servers.setChannel(tx, serverId, g));
      return toServer(await this.find(tx, serverId));
    });
  }

  /**
   * authenticate returns the enabled server whose id and secret these are, or undefined. Unknown ids cost the
   * same scrypt work as known ones, so timing does not reveal which ids exist. `source` (the caller's address)
   * counts toward the failure limits, which answer TooManyRequests once reached.
   */
  async authenticate(ctx: RequestContext, serverId: string, secret: string, source?: string): Promise<DownstreamServer | undefined> {
    const id = serverId.toLowerCase();
    const server = isUuid(id) ? await this.uow.run(ctx, (tx) => this.servers.findById(tx, id)) : null;
    const stored = server?.secretHash ?? (await this.dummy());
    const ok = await this.credentials.verify({ account: `downstream:${id}`, source, secret, stored });
    return server && ok && server.enabled ? toServer(server) : undefined;
  }

  /** touch records that a server just synced, with the protocol version ("1.20") it announced. */
  async touch(ctx: RequestContext, serverId: string, protocolVersion: string): Promise<void> {
    if (!isUuid(serverId)) throw invalidParameters(`not a server id: ${serverId}`);
    if (!PROTOCOL_VERSION.test(protocolVersion)) throw invalidParameters(`not a protocol version: ${protocolVersion}`);
    await this.uow.run(ctx, (tx) => this.servers.touch(tx, serverId.toLowerCase(), protocolVersion));
  }

  private setEnabled(ctx: RequestContext, nameOrId: string, enabled: boolean): Promise<DownstreamServer> {
    return this.uow.run(ctx, async (tx) => {
      const server = await this.find(tx, nameOrId);
      await this.servers.setEnabled(tx, server.serverId, enabled);
      return { ...toServer(server), enabled };
    });
  }

  private async find(tx: TxContext, nameOrId: string): Promise<DownstreamServerEntity> {
    const key = nameOrId.trim().toLowerCase();
    const server = isUuid(key) ? await this.servers.findById(tx, key) : await this.servers.findByName(tx, key);
    if (!server) throw new DomainError('NotFound', `no downstream server "${nameOrId}"`);
    return server;
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hashSecret(generateSecret());
    return this.dummyHash;
  }
}

function toServer(e: DownstreamServerEntity): DownstreamServer {
  return {
    serverId: e.serverId,
    name: e.name,
    channel: e.channelName,
    enabled: e.enabled,
    createdAt: e.createdAt,
    lastSeenAt: e.lastSeenAt,
    protocolVersion: e.protocolVersion,
  };
}
