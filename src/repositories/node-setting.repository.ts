import type { TxContext } from '../db/unit-of-work';
import { NodeSettingEntity } from '../entities/node-setting.entity';

/** NodeSettingRepository reads and writes node-wide settings shared by every process of the node. */
export class NodeSettingRepository {
  /** insertIfAbsent stores a value unless the key already has one; concurrent callers never overwrite each other. */
  async insertIfAbsent(ctx: TxContext, key: string, value: string): Promise<void> {
    await ctx.tx.query(`INSERT INTO node_setting (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [key, value]);
  }

  /** set stores a value, replacing any earlier one. */
  async set(ctx: TxContext, key: string, value: string): Promise<void> {
    await ctx.tx.query(
      `INSERT INTO node_setting (key, value) VALUES ($1, $2)
      ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [key, value],
    );
  }

  /** delete removes a key. */
  async delete(ctx: TxContext, key: string): Promise<void> {
    await ctx.tx.query(`DELETE FROM node_setting WHERE key = $1`, [key]);
  }

  /** get returns the value of a key, or undefined. */
  async get(ctx: TxContext, key: string): Promise<string | undefined> {
    const row = await ctx.tx.getRepository(NodeSettingEntity).findOneBy({ key });
    return row?.value;
  }
}
