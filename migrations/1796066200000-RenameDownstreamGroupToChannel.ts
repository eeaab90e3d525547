import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why: downstream servers that share a distribution rule were a "downstream group", a name easily confused with
 * WSUS computer target groups, which hold client computers. They are now a "channel" (as in update channels):
 * the columns and the distribution-rule target kind are renamed; values and rules are kept as they are.
 */
export class RenameDownstreamGroupToChannel1796066200000 implements MigrationInterface {
  name = 'RenameDownstreamGroupToChannel1796066200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "downstream_server" RENAME COLUMN "group_name" TO "channel_name"`);
    await q.query(`ALTER TABLE "change_log" RENAME COLUMN "target_group" TO "target_channel"`);
    await q.query(`UPDATE "distribution_rule" SET target_kind = 'channel' WHERE target_kind = 'group'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE "distribution_rule" SET target_kind = 'group' WHERE target_kind = 'channel'`);
    await q.query(`ALTER TABLE "change_log" RENAME COLUMN "target_channel" TO "target_group"`);
    await q.query(`ALTER TABLE "downstream_server" RENAME COLUMN "channel_name" TO "group_name"`);
  }
}
