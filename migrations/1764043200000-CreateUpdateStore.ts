import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why: the first schema of the update store. Updates and their revisions keep the WSUS update document
 * as written plus the columns derived from it; categories are the projection of category updates;
 * payloads are named by SHA-1 as WSUS names content; the change log orders every change a child may
 * need and drives anchors (design §3). The 16 WSUS update classifications exist from the start, as
 * category updates with revision 1 and a change-log row each, so children receive them like any update.
 */
export class CreateUpdateStore1764043200000 implements MigrationInterface {
  name = 'CreateUpdateStore1764043200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "category" ("category_id" uuid NOT NULL, "category_type" character varying(32) NOT NULL, "title" character varying(512) NOT NULL, "parent_category_id" uuid, CONSTRAINT "PK_cc7f32b7ab33c70b9e715afae84" PRIMARY KEY ("category_id"))`,
    );
    await q.query(`CREATE INDEX "ix_category_parent" ON "category"  ("parent_category_id") `);
    await q.query(
      `CREATE TABLE "change_log" ("seq" BIGSERIAL NOT NULL, "update_id" uuid NOT NULL, "revision_number" integer NOT NULL, "change_kind" character varying(24) NOT NULL, "target_server_id" uuid, "target_group" character varying(128), "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_8ddf0d4f5f0df5f2ae5a877e3ff" PRIMARY KEY ("seq"))`,
    );
    await q.query(`CREATE INDEX "ix_change_log_target" ON "change_log"  ("target_server_id", "seq") WHERE target_server_id IS NOT NULL`);
    await q.query(
      `CREATE TABLE "update" ("update_id" uuid NOT NULL, "update_type" character varying(16) NOT NULL, "latest_revision_number" integer NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_f4f1d36d5fb5c3bcbdd2109d250" PRIMARY KEY ("update_id"))`,
    );
    await q.query(
      `CREATE TABLE "update_revision" ("revision_id" SERIAL NOT NULL, "update_id" uuid NOT NULL, "revision_number" integer NOT NULL, "update_type" character varying(16) NOT NULL, "title" character varying(1024) NOT NULL, "description" text NOT NULL DEFAULT '', "kb_article_id" character varying(32), "msrc_severity" character varying(16), "publication_state" character varying(16) NOT NULL, "creation_date" TIMESTAMP WITH TIME ZONE NOT NULL, "is_latest" boolean NOT NULL, "xml" text NOT NULL, "imported_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_update_revision_identity" UNIQUE ("update_id", "revision_number"), CONSTRAINT "PK_5b3fee0e9639e1af74dfd4715f9" PRIMARY KEY ("revision_id"))`,
    );
    await q.query(`CREATE INDEX "ix_update_revision_latest" ON "update_revision"  ("is_latest") WHERE is_latest`);
    await q.query(
      `CREATE TABLE "revision_category" ("revision_id" integer NOT NULL, "category_id" uuid NOT NULL, CONSTRAINT "PK_50d5916fa7d8cf01e799d457486" PRIMARY KEY ("revision_id", "category_id"))`,
    );
    await q.query(`CREATE INDEX "ix_revision_category_category" ON "revision_category"  ("category_id", "revision_id") `);
    await q.query(
      `CREATE TABLE "update_file" ("sha1" character(40) NOT NULL, "sha256" character(64) NOT NULL, "size" bigint NOT NULL, "extension" character varying(32) NOT NULL DEFAULT '', "stored_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_9a33c9ed917a8a458ab1cc924fc" PRIMARY KEY ("sha1"))`,
    );
    await q.query(
      `CREATE TABLE "revision_file" ("revision_id" integer NOT NULL, "sha1" character(40) NOT NULL, "file_name" character varying(260) NOT NULL, CONSTRAINT "PK_74686372d3a554da61b2620b1cc" PRIMARY KEY ("revision_id", "sha1"))`,
    );
    await q.query(`CREATE INDEX "ix_revision_file_sha1" ON "revision_file"  ("sha1") `);
    await q.query(
      `CREATE TABLE "revision_relationship" ("revision_id" integer NOT NULL, "relationship_type" character varying(24) NOT NULL, "related_update_id" uuid NOT NULL, CONSTRAINT "PK_8495b4664dce733edeb42542afd" PRIMARY KEY ("revision_id", "relationship_type", "related_update_id"))`,
    );
    await q.query(`CREATE INDEX "ix_revision_relationship_related" ON "revision_relationship"  ("related_update_id") `);
    await q.query(
      `CREATE TABLE "software_provider" ("provider_id" SERIAL NOT NULL, "name" character varying(128) NOT NULL, "secret_hash" character varying(256) NOT NULL, "disabled" boolean NOT NULL DEFAULT false, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "UQ_1b046eb00a4498aa2f04ad09f38" UNIQUE ("name"), CONSTRAINT "PK_b2a2b34307b7a8ecf4e3c2d9d46" PRIMARY KEY ("provider_id"))`,
    );
    await q.query(
      `ALTER TABLE "update_revision" ADD CONSTRAINT "fk_update_revision_update" FOREIGN KEY ("update_id") REFERENCES "update"("update_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "revision_category" ADD CONSTRAINT "fk_revision_category_revision" FOREIGN KEY ("revision_id") REFERENCES "update_revision"("revision_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "revision_file" ADD CONSTRAINT "fk_revision_file_revision" FOREIGN KEY ("revision_id") REFERENCES "update_revision"("revision_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "revision_file" ADD CONSTRAINT "fk_revision_file_file" FOREIGN KEY ("sha1") REFERENCES "update_file"("sha1") ON DELETE RESTRICT ON UPDATE NO ACTION`,
    );
    await q.query(
      `ALTER TABLE "revision_relationship" ADD CONSTRAINT "fk_revision_relationship_revision" FOREIGN KEY ("revision_id") REFERENCES "update_revision"("revision_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    for (const [id, title] of CLASSIFICATIONS) {
      await q.query(`INSERT INTO "update" ("update_id", "update_type", "latest_revision_number") VALUES ($1, 'Category', 1)`, [id]);
      await q.query(
        `INSERT INTO "update_revision" ("update_id", "revision_number", "update_type", "title", "publication_state", "creation_date", "is_latest", "xml")
         VALUES ($1, 1, 'Category', $2, 'Published', $3, true, $4)`,
        [id, title, CREATED, classificationXml(id, title)],
      );
      await q.query(`INSERT INTO "category" ("category_id", "category_type", "title") VALUES ($1, 'UpdateClassification', $2)`, [
        id,
        title,
      ]);
      await q.query(`INSERT INTO "change_log" ("update_id", "revision_number", "change_kind") VALUES ($1, 1, 'RevisionPublished')`, [id]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "revision_relationship" DROP CONSTRAINT "fk_revision_relationship_revision"`);
    await q.query(`ALTER TABLE "revision_file" DROP CONSTRAINT "fk_revision_file_file"`);
    await q.query(`ALTER TABLE "revision_file" DROP CONSTRAINT "fk_revision_file_revision"`);
    await q.query(`ALTER TABLE "revision_category" DROP CONSTRAINT "fk_revision_category_revision"`);
    await q.query(`ALTER TABLE "update_revision" DROP CONSTRAINT "fk_update_revision_update"`);
    await q.query(`DROP TABLE "software_provider"`);
    await q.query(`DROP INDEX "public"."ix_revision_relationship_related"`);
    await q.query(`DROP TABLE "revision_relationship"`);
    await q.query(`DROP INDEX "public"."ix_revision_file_sha1"`);
    await q.query(`DROP TABLE "revision_file"`);
    await q.query(`DROP TABLE "update_file"`);
    await q.query(`DROP INDEX "public"."ix_revision_category_category"`);
    await q.query(`DROP TABLE "revision_category"`);
    await q.query(`DROP INDEX "public"."ix_update_revision_latest"`);
    await q.query(`DROP TABLE "update_revision"`);
    await q.query(`DROP TABLE "update"`);
    await q.query(`DROP INDEX "public"."ix_change_log_target"`);
    await q.query(`DROP TABLE "change_log"`);
    await q.query(`DROP INDEX "public"."ix_category_parent"`);
    await q.query(`DROP TABLE "category"`);
  }
}

/** The WSUS update classifications and their public GUIDs. */
const CLASSIFICATIONS: Array<[string, string]> = [
  ['5c9376ab-8ce6-464a-b136-22113dd69801', 'Applications'],
  ['434de588-ed14-48f5-8eed-a15e09a991f6', 'Connectors'],
  ['e6cf1350-c01b-414d-a61f-263d14d133b4', 'Critical Updates'],
  ['e0789628-ce08-4437-be74-2495b842f43b', 'Definition Updates'],
  ['e140075d-8433-45c3-ad87-e72345b36078', 'Developer Kits'],
  ['ebfc1fc5-71a4-4f7b-9aca-3b9a503104a0', 'Drivers'],
  ['77835c8d-62a7-41f5-82ad-f28d1af1e3b1', 'Driver Sets'],
  ['b54e7d24-7add-428f-8b75-90a396fa584f', 'Feature Packs'],
  ['9511d615-35b2-47bb-927f-f73d8e9260bb', 'Guidance'],
  ['0fa1201d-4330-4fa8-8ae9-b877473b6441', 'Security Updates'],
  ['68c5b0a3-d1a6-4553-ae49-01d3a7827828', 'Service Packs'],
  ['b4832bd8-e735-4761-8daf-37f882276dab', 'Tools'],
  ['28bc880e-0592-4cbf-8f95-c79b17911d5f', 'Update Rollups'],
  ['cd5ffd1e-e932-4e3a-bf74-18bf0b1bbd83', 'Updates'],
  ['3689bdc8-b205-4af4-8d4a-a63924c5e9d5', 'Upgrades'],
  ['051f8713-e600-4bee-b7b7-690d43c78948', 'WSUS Infrastructure Updates'],
];

const CREATED = '2026-11-25T00:00:00.000Z';

/** The category update document of a classification, frozen here so this migration never changes. */
function classificationXml(id: string, title: string): string {
  return (
    '<upd:Update xmlns:upd="http://schemas.microsoft.com/msus/2002/12/Update" ' +
    'xmlns:cat="http://schemas.microsoft.com/msus/2002/12/UpdateHandlers/Category">' +
    `<upd:UpdateIdentity UpdateID="${id}" RevisionNumber="1"/>` +
    `<upd:Properties UpdateType="Category" PublicationState="Published" CreationDate="${CREATED}"/>` +
    `<upd:LocalizedPropertiesCollection><upd:LocalizedProperties><upd:Language>en</upd:Language><upd:Title>${title}</upd:Title>` +
    '</upd:LocalizedProperties></upd:LocalizedPropertiesCollection>' +
    '<upd:HandlerSpecificData type="cat:Category"><cat:CategoryInformation CategoryType="UpdateClassification"/></upd:HandlerSpecificData>' +
    '</upd:Update>'
  );
}
