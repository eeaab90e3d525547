import { Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UpdateRevisionEntity } from './update-revision.entity';

/** The relationship kinds of an update document's Relationships element. */
export type RelationshipType = 'Prerequisite' | 'SupersededUpdate' | 'BundledUpdate';

/** RevisionRelationshipEntity records that a revision names another update as prerequisite, superseded or bundled. */
@Entity({ name: 'revision_relationship' })
@Index('ix_revision_relationship_related', ['relatedUpdateId'])
export class RevisionRelationshipEntity {
  @PrimaryColumn({ name: 'revision_id', type: 'integer' })
  revisionId!: number;

  @ManyToOne(() => UpdateRevisionEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'revision_id', foreignKeyConstraintName: 'fk_revision_relationship_revision' })
  revision?: UpdateRevisionEntity;

  @PrimaryColumn({ name: 'relationship_type', type: 'varchar', length: 24 })
  relationshipType!: RelationshipType;

  @PrimaryColumn({ name: 'related_update_id', type: 'uuid' })
  relatedUpdateId!: string;
}
