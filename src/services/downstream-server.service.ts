import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { generateSecret, hashSecret, verifySecret } from '../auth/secret-hash';
import { DEFAULT_GROUP, normalizeGroupName, normalizeServerName, type DownstreamServer } from '../domain/downstream-server';
import { DomainError, invalidParameters } from '../domain/errors';
import type { DownstreamServerEntity } from '../entities/downstream-server.entity';
import { isUuid } from '../lib/uuid';
import type { DownstreamServerRepository } from '../repositories/downstream-server.repository';
import type { DistributionRuleRepository } from '../repositories/distribution-rule.repository';
import type { AvailabilityService } from './availability.service';

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
    private readonly ds: DataSource,
    private readonly servers: DownstreamServerRepository,
    private readonly rules: DistributionRuleRepository,
    private readonly availability: AvailabilityService,
  ) {}

  /** add registers a server under a DNS-style name; Conflict when the name is taken. */
  async add(name: string, group: string = DEFAULT_GROUP): Promise<AddedDownstreamServer> {
    const n = normalizeServerName(name);
    const g = normalizeGroupName(group);
    const secret = generateSecret();
    const serverId = randomUUID();
    if (!(await this.servers.insert({ serverId, name: n, groupName: g, secretHash: await hashSecret(secret) }))) {
      throw new DomainError('Conflict', `a downstream server named "${n}" already exists`);
    }
    return { ...toServer((await this.servers.findById(serverId))!), secret };
  }

  /** list returns every registered server, by name. */
  async list(): Promise<DownstreamServer[]> {
    return (await this.servers.list()).map(toServer);
  }

  /** get finds a server by id or name; NotFound otherwise. */
  async get(nameOrId: string): Promise<DownstreamServer> {
    return toServer(await this.find(nameOrId));
  }

  /** disable stops a server from authenticating; its registration and rules stay. */
  async disable(nameOrId: string): Promise<DownstreamServer> {
    return this.setEnabled(nameOrId, false);
  }

  /** enable lets a disabled server authenticate again. */
  async enable(nameOrId: string): Promise<DownstreamServer> {
    return this.setEnabled(nameOrId, true);
  }

  /** remove deletes a server and its own distribution rule. */
  async remove(nameOrId: string): Promise<DownstreamServer> {
    const server = await this.find(nameOrId);
    await this.ds.transaction(async (tx) => {
      await this.rules.withManager(tx).delete('server', server.serverId);
      await this.servers.withManager(tx).delete(server.serverId);
    });
    return toServer(server);
  }

  /** setGroup moves a server to another downstream group, recording what the move makes available to it. */
  async setGroup(nameOrId: string, group: string): Promise<DownstreamServer> {
    const g = normalizeGroupName(group);
    const { serverId } = await this.find(nameOrId);
    await this.ds.transaction(async (tx) => {
      await this.availability.applyRuleChange(tx, { kind: 'server', serverId }, () => this.servers.withManager(tx).setGroup(serverId, g));
    });
    return this.get(serverId);
  }

  /**
   * authenticate returns the enabled server whose id and secret these are, or undefined. Unknown ids cost the
   * same scrypt work as known ones, so timing does not reveal which ids exist.
   */
  async authenticate(serverId: string, secret: string): Promise<DownstreamServer | undefined> {
    const server = isUuid(serverId) ? await this.servers.findById(serverId.toLowerCase()) : null;
    const ok = await verifySecret(secret, server?.secretHash ?? await this.dummy());
    return server && ok && server.enabled ? toServer(server) : undefined;
  }

  /** touch records that a server just synced, with the protocol version ("1.20") it announced. */
  async touch(serverId: string, protocolVersion: string): Promise<void> {
    if (!isUuid(serverId)) throw invalidParameters(`not a server id: ${serverId}`);
    if (!PROTOCOL_VERSION.test(protocolVersion)) throw invalidParameters(`not a protocol version: ${protocolVersion}`);
    await this.servers.touch(serverId.toLowerCase(), protocolVersion);
  }

  private async setEnabled(nameOrId: string, enabled: boolean): Promise<DownstreamServer> {
    const server = await this.find(nameOrId);
    await this.servers.setEnabled(server.serverId, enabled);
    return { ...toServer(server), enabled };
  }

  private async find(nameOrId: string): Promise<DownstreamServerEntity> {
    const key = nameOrId.trim().toLowerCase();
    const server = isUuid(key) ? await this.servers.findById(key) : await this.servers.findByName(key);
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
    serverId: e.serverId, name: e.name, group: e.groupName, enabled: e.enabled,
    createdAt: e.createdAt, lastSeenAt: e.lastSeenAt, protocolVersion: e.protocolVersion,
  };
}
