import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { PublicationState, UpdateOrigin, UpdateType } from '../domain/update-kinds';
import { UpdateEntity } from './update.entity';

/**
 * UpdateRevisionEntity is one revision (UpdateID + RevisionNumber) with the update document as written
 * (`xml`) and the columns derived from it. revisionId is the node-local integer id clients use (MS-WUSP).
 */
@Entity({ name: 'update_revision' })
@Unique('uq_update_revision_identity', ['updateId', 'revisionNumber'])
@Index('ix_update_revision_local', ['updateId'], { where: "origin = 'local'" })
export class UpdateRevisionEntity {
  @PrimaryGeneratedColumn({ name: 'revision_id', type: 'integer' })
  revisionId!: number;

  @Column({ name: 'update_id', type: 'uuid' })
  updateId!: string;

  @ManyToOne(() => UpdateEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'update_id', foreignKeyConstraintName: 'fk_update_revision_update' })
  update?: UpdateEntity;

  @Column({ name: 'revision_number', type: 'integer' })
  revisionNumber!: number;

  @Column({ name: 'update_type', type: 'varchar', length: 16 })
  updateType!: UpdateType;

  @Column({ name: 'title', type: 'varchar', length: 1024 })
  title!: string;

  @Column({ name: 'description', type: 'text', default: '' })
  description!: string;

  @Column({ name: 'kb_article_id', type: 'varchar', length: 32, nullable: true })
  kbArticleId!: string | null;

  @Column({ name: 'msrc_severity', type: 'varchar', length: 16, nullable: true })
  msrcSeverity!: string | null;

  @Column({ name: 'publication_state', type: 'varchar', length: 16 })
  publicationState!: PublicationState;

  @Column({ name: 'creation_date', type: 'timestamptz' })
  creationDate!: Date;

  /** True for the highest revision of its update; GetRevisionIdList serves only these (MS-WSUSSS 3.1.4.5). */
  @Index('ix_update_revision_latest', { where: 'is_latest' })
  @Column({ name: 'is_latest', type: 'boolean' })
  isLatest!: boolean;

  /** The update document (namespace http://schemas.microsoft.com/msus/2002/12/Update), kept as written. */
  @Column({ name: 'xml', type: 'text' })
  xml!: string;

  /** Who wrote this revision: 'local' (published here) or 'upstream' (imported from the parent). */
  @Column({ name: 'origin', type: 'varchar', length: 8, default: 'local' })
  origin!: UpdateOrigin;

  @CreateDateColumn({ name: 'imported_at', type: 'timestamptz' })
  importedAt!: Date;
}
