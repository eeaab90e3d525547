import { open, seal } from '../crypto/cookie-seal';
import type { RequestContext } from '../db/unit-of-work';
import type { DownstreamServer } from '../domain/downstream-server';
import { DomainError, invalidParameters } from '../domain/errors';
import type { AvailabilityService } from './availability.service';
import type { DownstreamServerService } from './downstream-server.service';
import type { NodeIdentityService } from './node-identity.service';
import type { DownstreamContext } from './server-sync.service';

/** The opaque part of a ServerSync Cookie as it arrives on the wire. */
export interface WireCookie {
  encryptedData: Buffer;
}

/** The protocol major version Cascade speaks (MS-WSUSSS 1.7: other majors are incompatible). */
const PROTOCOL_MAJOR = 1;

/**
 * DownstreamSessionService issues and checks the tokens of MS-WSUSSS authorization: the
 * AuthorizationCookie (after HTTP Basic with the downstream's credentials), the Cookie every later call
 * carries, and the DownstreamContext a valid Cookie stands for. Both tokens are AES-256-GCM sealed with
 * this node's key, so another node's or a forged token never opens.
 */
export class DownstreamSessionService {
  private readonly started = new Date();

  constructor(
    private readonly identity: NodeIdentityService,
    private readonly servers: DownstreamServerService,
    private readonly availability: AvailabilityService,
    private readonly lifetimeMinutes: number,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** authConfigLastChange is when this node's authorization setup last changed: its start. */
  authConfigLastChange(_ctx: RequestContext): Date {
    return this.started;
  }

  /** issueAuthorizationCookie seals an AuthorizationCookie for a downstream server HTTP Basic has admitted. */
  async issueAuthorizationCookie(ctx: RequestContext, server: DownstreamServer, accountGuid: string | undefined): Promise<Buffer> {
    if (accountGuid && accountGuid.toLowerCase() !== server.serverId) {
      throw invalidParameters(`accountGuid ${accountGuid} is not the downstream server id of these credentials`);
    }
    const { nodeId, cookieKey } = await this.identity.getNodeIdentity(ctx);
    return seal(
      { kind: 'auth', serverId: server.serverId, channel: server.channel, issuerNodeId: nodeId, expiresAt: this.expiry() },
      cookieKey,
    );
  }

  /** issueCookie exchanges an AuthorizationCookie for a Cookie, no longer lived than the AuthorizationCookie (N29). */
  async issueCookie(
    ctx: RequestContext,
    authorizationCookie: Buffer,
    protocolVersion: string,
  ): Promise<{ expiration: Date; encryptedData: Buffer }> {
    const m = /^(\d{1,5})\.(\d{1,5})$/.exec(protocolVersion.trim());
    if (!m) throw invalidParameters(`protocolVersion "${protocolVersion}" is not of the form major.minor`);
    const { nodeId, cookieKey } = await this.identity.getNodeIdentity(ctx);
    const auth = open(authorizationCookie, 'auth', { key: cookieKey, nodeId, now: this.clock().getTime() });
    if (Number(m[1]) !== PROTOCOL_MAJOR) {
      throw new DomainError(
        'IncompatibleProtocolVersion',
        `protocol ${protocolVersion} is not supported; this server speaks ${PROTOCOL_MAJOR}.x`,
      );
    }
    const server = await this.enabledServer(ctx, auth.serverId, 'InvalidAuthorizationCookie');
    await this.servers.touch(ctx, server.serverId, `${Number(m[1])}.${Number(m[2])}`);
    const expiresAt = Math.min(auth.expiresAt, this.expiry());
    const encryptedData = seal(
      {
        kind: 'cookie',
        serverId: server.serverId,
        channel: server.channel,
        protocolVersion: `${Number(m[1])}.${Number(m[2])}`,
        issuerNodeId: nodeId,
        expiresAt,
      },
      cookieKey,
    );
    return { expiration: new Date(expiresAt), encryptedData };
  }

  /** context opens a Cookie and returns the context of the downstream server asking, with what it may receive now; InvalidCookie otherwise. */
  async context(ctx: RequestContext, cookie: WireCookie): Promise<DownstreamContext> {
    const { nodeId, cookieKey } = await this.identity.getNodeIdentity(ctx);
    const c = open(cookie.encryptedData, 'cookie', { key: cookieKey, nodeId, now: this.clock().getTime() });
    const server = await this.enabledServer(ctx, c.serverId, 'InvalidCookie');
    // The channel as stored now, not as sealed: a moved server must see its new channel's changes.
    const rule = await this.availability.effectiveRule(ctx, server);
    return {
      ...ctx,
      actor: { kind: 'downstream-server', serverId: server.serverId },
      downstream: { serverId: server.serverId, channel: server.channel, rule },
    };
  }

  private async enabledServer(
    ctx: RequestContext,
    serverId: string,
    code: 'InvalidCookie' | 'InvalidAuthorizationCookie',
  ): Promise<DownstreamServer> {
    // Only "no such server" is the cookie's fault; any other failure (the database gone) propagates as a server fault.
    const server = await this.servers.get(ctx, serverId).catch((err: unknown) => {
      if (err instanceof DomainError && err.code === 'NotFound') return undefined;
      throw err;
    });
    if (!server || !server.enabled) throw new DomainError(code, 'the downstream server of this cookie is unknown or disabled');
    return server;
  }

  private expiry(): number {
    return this.clock().getTime() + this.lifetimeMinutes * 60_000;
  }
}
