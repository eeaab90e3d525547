import type { EntityManager } from 'typeorm';
import { NodeSettingEntity } from '../entities/node-setting.entity';

/** NodeSettingRepository reads and writes node-wide settings shared by every process of the node. */
export class NodeSettingRepository {
  constructor(private readonly db: EntityManager) {}

  /** insertIfAbsent stores a value unless the key already has one; concurrent callers never overwrite each other. */
  async insertIfAbsent(key: string, value: string): Promise<void> {
    await this.db.query(`INSERT INTO node_setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [key, value]);
  }

  /** set stores a value, replacing any earlier one. */
  async set(key: string, value: string): Promise<void> {
    await this.db.query(`INSERT INTO node_setting (key, value) VALUES ($1, $2)
      ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`, [key, value]);
  }

  /** delete removes a key. */
  async delete(key: string): Promise<void> {
    await this.db.query(`DELETE FROM node_setting WHERE key = $1`, [key]);
  }

  /** withManager gives the same repository bound to a transaction's manager. */
  withManager(db: EntityManager): NodeSettingRepository {
    return new NodeSettingRepository(db);
  }

  /** get returns the value of a key, or undefined. */
  async get(key: string): Promise<string | undefined> {
    const row = await this.db.getRepository(NodeSettingEntity).findOneBy({ key });
    return row?.value;
  }
}
