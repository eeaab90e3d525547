import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * UpdateFileEntity is one payload, named by its SHA-1 (lower-case hex) as WSUS names content.
 * storedAt is set once the bytes are in this node's content store and verified.
 */
@Entity({ name: 'update_file' })
export class UpdateFileEntity {
  @PrimaryColumn({ name: 'sha1', type: 'char', length: 40 })
  sha1!: string;

  /** SHA-256, lower-case hex; null when the update metadata names none (no AdditionalDigest). */
  @Column({ name: 'sha256', type: 'char', length: 64, nullable: true })
  sha256!: string | null;

  @Column({ name: 'size', type: 'bigint' })
  size!: string;

  /** Extension used in the content URL, with its dot (".exe"), or "" for none. */
  @Column({ name: 'extension', type: 'varchar', length: 32, default: '' })
  extension!: string;

  @Column({ name: 'stored_at', type: 'timestamptz', nullable: true })
  storedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
