import type { EntityManager } from 'typeorm';
import { DownstreamServerEntity } from '../entities/downstream-server.entity';

/** A new downstream server row. */
export interface NewDownstreamServer {
  serverId: string;
  name: string;
  groupName: string;
  secretHash: string;
}

/** DownstreamServerRepository is the only code querying downstream_server. */
export class DownstreamServerRepository {
  constructor(private readonly db: EntityManager) {}

  /** withManager gives the same repository bound to a transaction's manager. */
  withManager(db: EntityManager): DownstreamServerRepository {
    return new DownstreamServerRepository(db);
  }

  private get repo() {
    return this.db.getRepository(DownstreamServerEntity);
  }

  /** insert adds a server; false means the name is taken (checked by the unique constraint, so races are safe). */
  async insert(s: NewDownstreamServer): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO downstream_server (server_id, name, group_name, secret_hash) VALUES ($1, $2, $3, $4)
       ON CONFLICT (name) DO NOTHING RETURNING server_id`,
      [s.serverId, s.name, s.groupName, s.secretHash],
    );
    return rows.length === 1;
  }

  /** findById returns a server; `lock` holds its row until the transaction ends. */
  findById(serverId: string, lock = false): Promise<DownstreamServerEntity | null> {
    return this.repo.findOne({ where: { serverId }, ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}) });
  }

  /** findByName returns a server by its (lower-case) name. */
  findByName(name: string): Promise<DownstreamServerEntity | null> {
    return this.repo.findOneBy({ name });
  }

  /** list returns every server, by name. */
  list(): Promise<DownstreamServerEntity[]> {
    return this.repo.find({ order: { name: 'ASC' } });
  }

  /** setEnabled turns a server on or off. */
  async setEnabled(serverId: string, enabled: boolean): Promise<void> {
    await this.repo.update({ serverId }, { enabled });
  }

  /** setGroup moves a server to another downstream group. */
  async setGroup(serverId: string, groupName: string): Promise<void> {
    await this.repo.update({ serverId }, { groupName });
  }

  /** touch records that the server just talked to this node, with the protocol version it uses. */
  async touch(serverId: string, protocolVersion: string): Promise<void> {
    await this.db.query(`UPDATE downstream_server SET last_seen_at = now(), protocol_version = $2 WHERE server_id = $1`,
      [serverId, protocolVersion]);
  }

  /** delete removes a server. */
  async delete(serverId: string): Promise<void> {
    await this.repo.delete({ serverId });
  }
}
