import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why: nothing recorded which node owns an update, so a provider on a child could publish a revision of an
 * update its parent owns, and the parent's next revision with that number was then skipped forever.
 * `update.origin` says who owns an update: 'local' (published here) or 'upstream' (synced from the parent,
 * which alone may publish or expire it). `update_revision.origin` says who wrote each revision, so a sync
 * can find local revisions that collide with the parent's and replace them.
 *
 * Existing rows: a revision is 'upstream' when it was written during a sync run that ended on its own
 * (imported_at, the time of the import transaction, lies between the run's start and finish); the rest are
 * 'local', as is every row on a node that never synced. Runs closed as interrupted are skipped: their finish
 * time is when the next run began, so their window would also cover local publications. When in doubt a row
 * is 'local', which the next sync corrects: it fetches every revision the parent lists that is stored here as
 * local, adopts it as upstream when the documents are equal and replaces it otherwise. For that, a node that
 * has synced forgets its category and update anchors, so its next sync lists the parent's catalog once more.
 * An update is 'upstream' when any of its revisions is.
 */
export class AddUpdateOrigin1796066000000 implements MigrationInterface {
  name = 'AddUpdateOrigin1796066000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "update" ADD "origin" character varying(8) NOT NULL DEFAULT 'local'`);
    await q.query(`ALTER TABLE "update_revision" ADD "origin" character varying(8) NOT NULL DEFAULT 'local'`);
    await q.query(`CREATE INDEX "ix_update_revision_local" ON "update_revision" ("update_id") WHERE origin = 'local'`);
    await q.query(
      `UPDATE update_revision r SET origin = 'upstream'
       WHERE EXISTS (SELECT 1 FROM sync_run s WHERE s.finished_at IS NOT NULL AND coalesce(s.error, '') NOT LIKE 'interrupted:%'
                       AND r.imported_at BETWEEN s.started_at AND s.finished_at)`,
    );
    await q.query(
      `UPDATE "update" u SET origin = 'upstream' WHERE EXISTS (SELECT 1 FROM update_revision r WHERE r.update_id = u.update_id AND r.origin = 'upstream')`,
    );
    await q.query(
      `DELETE FROM node_setting WHERE key IN ('sync.category-anchor', 'sync.update-anchor') AND EXISTS (SELECT 1 FROM sync_run)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."ix_update_revision_local"`);
    await q.query(`ALTER TABLE "update_revision" DROP COLUMN "origin"`);
    await q.query(`ALTER TABLE "update" DROP COLUMN "origin"`);
  }
}
