import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UpdateRevisionEntity } from './update-revision.entity';

/** RevisionCategoryEntity links a revision to each category it belongs to (its products and classification). */
@Entity({ name: 'revision_category' })
@Index('ix_revision_category_category', ['categoryId', 'revisionId'])
export class RevisionCategoryEntity {
  @PrimaryColumn({ name: 'revision_id', type: 'integer' })
  revisionId!: number;

  @ManyToOne(() => UpdateRevisionEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'revision_id', foreignKeyConstraintName: 'fk_revision_category_revision' })
  revision?: UpdateRevisionEntity;

  @PrimaryColumn({ name: 'category_id', type: 'uuid' })
  categoryId!: string;
}
