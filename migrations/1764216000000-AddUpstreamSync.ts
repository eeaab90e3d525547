import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why: a node with a parent syncs from it. It remembers which of the parent's products and
 * classifications it chose (upstream_subscription, with whether each one's whole history has arrived)
 * and keeps a history of sync runs for the admin. Anchors and the upstream settings live in
 * node_setting, written in the same transaction as the data they cover.
 */
export class AddUpstreamSync1764216000000 implements MigrationInterface {
  name = 'AddUpstreamSync1764216000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "sync_run" ("run_id" SERIAL NOT NULL, "started_at" TIMESTAMP WITH TIME ZONE NOT NULL, "finished_at" TIMESTAMP WITH TIME ZONE, "result" character varying(16) NOT NULL, "trigger" character varying(16) NOT NULL, "error" text, "revisions_listed" integer NOT NULL DEFAULT '0', "revisions_transferred" integer NOT NULL DEFAULT '0', "revisions_imported" integer NOT NULL DEFAULT '0', "files_prefetched" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_3da8b612cbb67cd1f6606a58fd1" PRIMARY KEY ("run_id"))`,
    );
    await q.query(`CREATE INDEX "ix_sync_run_started" ON "sync_run" ("started_at")`);
    await q.query(
      `CREATE TABLE "upstream_subscription" ("category_id" uuid NOT NULL, "category_type" character varying(32) NOT NULL, "title" character varying(512) NOT NULL, "full_sync_done" boolean NOT NULL DEFAULT false, "added_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_0f612e091a3c0913b18a053c3be" PRIMARY KEY ("category_id"))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "upstream_subscription"`);
    await q.query(`DROP INDEX "public"."ix_sync_run_started"`);
    await q.query(`DROP TABLE "sync_run"`);
  }
}
