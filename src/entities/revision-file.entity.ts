import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UpdateFileEntity } from './update-file.entity';
import { UpdateRevisionEntity } from './update-revision.entity';

/** RevisionFileEntity names a payload in a revision's Files element, under the file name that revision gives it. */
@Entity({ name: 'revision_file' })
@Index('ix_revision_file_sha1', ['sha1'])
export class RevisionFileEntity {
  @PrimaryColumn({ name: 'revision_id', type: 'integer' })
  revisionId!: number;

  @ManyToOne(() => UpdateRevisionEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'revision_id', foreignKeyConstraintName: 'fk_revision_file_revision' })
  revision?: UpdateRevisionEntity;

  @PrimaryColumn({ name: 'sha1', type: 'char', length: 40 })
  sha1!: string;

  @ManyToOne(() => UpdateFileEntity, { onDelete: 'RESTRICT', nullable: false })
  @JoinColumn({ name: 'sha1', foreignKeyConstraintName: 'fk_revision_file_file' })
  file?: UpdateFileEntity;

  @Column({ name: 'file_name', type: 'varchar', length: 260 })
  fileName!: string;
}
