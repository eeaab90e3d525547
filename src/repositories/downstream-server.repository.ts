import type { TxContext } from '../db/unit-of-work';
import { DownstreamServerEntity } from '../entities/downstream-server.entity';

/** A new downstream server row. */
export interface NewDownstreamServer {
  serverId: string;
  name: string;
  channelName: string;
  secretHash: string;
}

/** DownstreamServerRepository is the only code querying downstream_server. */
export class DownstreamServerRepository {
  private repo(ctx: TxContext) {
    return ctx.tx.getRepository(DownstreamServerEntity);
  }

  /** insert adds a server; false means the name is taken (checked by the unique constraint, so races are safe). */
  async insert(ctx: TxContext, s: NewDownstreamServer): Promise<boolean> {
    const rows = await ctx.tx.query(
      `INSERT INTO downstream_server (server_id, name, channel_name, secret_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO NOTHING RETURNING server_id`,
      [s.serverId, s.name, s.channelName, s.secretHash],
    );
    return rows.length === 1;
  }

  /** findById returns a server; `lock` holds its row until the transaction ends. */
  findById(ctx: TxContext, serverId: string, lock = false): Promise<DownstreamServerEntity | null> {
    return this.repo(ctx).findOne({ where: { serverId }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  /** findByName returns a server by its (lower-case) name. */
  findByName(ctx: TxContext, name: string): Promise<DownstreamServerEntity | null> {
    return this.repo(ctx).findOneBy({ name });
  }

  /** list returns every server, by name. */
  list(ctx: TxContext): Promise<DownstreamServerEntity[]> {
    return this.repo(ctx).find({ order: { name: 'ASC' } });
  }

  /** setEnabled turns a server on or off. */
  async setEnabled(ctx: TxContext, serverId: string, enabled: boolean): Promise<void> {
    await this.repo(ctx).update({ serverId }, { enabled });
  }

  /** setChannel moves a server to another downstream channel. */
  async setChannel(ctx: TxContext, serverId: string, channelName: string): Promise<void> {
    await this.repo(ctx).update({ serverId }, { channelName });
  }

  /** touch records that the server just talked to this node, with the protocol version it uses. */
  async touch(ctx: TxContext, serverId: string, protocolVersion: string): Promise<void> {
    await ctx.tx.query(`UPDATE downstream_server SET last_seen_at = now(), protocol_version = $2 WHERE server_id = $1`, [
      serverId,
      protocolVersion,
    ]);
  }

  /** delete removes a server. */
  async delete(ctx: TxContext, serverId: string): Promise<void> {
    await this.repo(ctx).delete({ serverId });
  }
}
