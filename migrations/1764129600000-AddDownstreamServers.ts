import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why: a node serves its catalog to child nodes it has registered. node_setting holds the node id and the
 * cookie key every process of the node must share; downstream_server holds each child's credentials and
 * group; distribution_rule holds which products and classifications each child or group may receive
 * (design §3 "Availability"). All three are node-local: nothing here flows down the hierarchy.
 */
export class AddDownstreamServers1764129600000 implements MigrationInterface {
  name = 'AddDownstreamServers1764129600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "node_setting" ("key" character varying(64) NOT NULL, "value" text NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_3e87d9692cc36895d127e84a039" PRIMARY KEY ("key"))`,
    );
    await q.query(
      `CREATE TABLE "downstream_server" ("server_id" uuid NOT NULL, "name" character varying(255) NOT NULL, "group_name" character varying(128) NOT NULL DEFAULT 'Default', "secret_hash" character varying(256) NOT NULL, "enabled" boolean NOT NULL DEFAULT true, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_seen_at" TIMESTAMP WITH TIME ZONE, "protocol_version" character varying(16), CONSTRAINT "UQ_a832fcf5b85c0da1adeda2b7938" UNIQUE ("name"), CONSTRAINT "PK_f4e7d1e254d22fa68462f1f0146" PRIMARY KEY ("server_id"))`,
    );
    await q.query(
      `CREATE TABLE "distribution_rule" ("rule_id" SERIAL NOT NULL, "target_kind" character varying(8) NOT NULL, "target" character varying(128) NOT NULL, "all_products" boolean NOT NULL, "product_ids" uuid array NOT NULL, "all_classifications" boolean NOT NULL, "classification_ids" uuid array NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_distribution_rule_target" UNIQUE ("target_kind", "target"), CONSTRAINT "PK_afcfe5bdc9388ba2836bf5fddac" PRIMARY KEY ("rule_id"))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "distribution_rule"`);
    await q.query(`DROP TABLE "downstream_server"`);
    await q.query(`DROP TABLE "node_setting"`);
  }
}
