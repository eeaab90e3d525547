import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why: a WSUS update document may name a file with no AdditionalDigest, so no SHA-256 is known for it. Such a
 * file was stored with a SHA-256 of zeros, and every just-in-time fetch of it then failed verification as
 * corrupt. update_file.sha256 is now NULL where the metadata names none; the zeros written so far become NULL
 * (no payload has that SHA-256). `down` writes zeros back, as the schema before this one required a value.
 */
export class MakeFileSha256Optional1796066100000 implements MigrationInterface {
  name = 'MakeFileSha256Optional1796066100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "update_file" ALTER COLUMN "sha256" DROP NOT NULL`);
    await q.query(`UPDATE update_file SET sha256 = NULL WHERE sha256 = repeat('0', 64)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE update_file SET sha256 = repeat('0', 64) WHERE sha256 IS NULL`);
    await q.query(`ALTER TABLE "update_file" ALTER COLUMN "sha256" SET NOT NULL`);
  }
}
