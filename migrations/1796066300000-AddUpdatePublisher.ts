import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why: any software provider could publish a new revision of, or expire, another provider's update, and publish
 * into another company's products. `update.published_by` names the provider that first published an update
 * (for a Company category: the provider that created the company, whose products it then owns);
 * `provider_grant` holds what an administrator grants beyond that (`cascade providers grant`).
 *
 * Existing rows keep published_by NULL: nothing recorded who published them, and guessing from titles would
 * hand an update to whichever account happens to share a name. A NULL update belongs to whoever may publish
 * into its company, and a company with no recorded owner to the provider account of the same name (every
 * publish without --company uses the provider's own name) or to providers an administrator grants it to.
 * Updates synced from a parent stay NULL too; they were already closed to local providers by `update.origin`.
 */
export class AddUpdatePublisher1796066300000 implements MigrationInterface {
  name = 'AddUpdatePublisher1796066300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "update" ADD "published_by" character varying(128)`);
    await q.query(
      `CREATE TABLE "provider_grant" ("provider_name" character varying(128) NOT NULL, "company_id" uuid NOT NULL,
       "granted_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
       CONSTRAINT "pk_provider_grant" PRIMARY KEY ("provider_name", "company_id"))`,
    );
    await q.query(
      `ALTER TABLE "provider_grant" ADD CONSTRAINT "fk_provider_grant_provider" FOREIGN KEY ("provider_name")
       REFERENCES "software_provider"("name") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "provider_grant" ADD CONSTRAINT "fk_provider_grant_company" FOREIGN KEY ("company_id")
       REFERENCES "category"("category_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "provider_grant"`);
    await q.query(`ALTER TABLE "update" DROP COLUMN "published_by"`);
  }
}
