import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** What a change-log row records. */
export type ChangeKind = 'RevisionPublished' | 'RevisionExpired' | 'MadeAvailable';

/**
 * ChangeLogEntity is one event that changes what some child may see. Its seq orders all events and is
 * the number inside an anchor. A row with no target concerns every downstream server; a targeted row
 * (an availability change) concerns one server or one downstream channel.
 */
@Entity({ name: 'change_log' })
@Index('ix_change_log_target', ['targetServerId', 'seq'], { where: 'target_server_id IS NOT NULL' })
export class ChangeLogEntity {
  @PrimaryGeneratedColumn({ name: 'seq', type: 'bigint' })
  seq!: string;

  @Column({ name: 'update_id', type: 'uuid' })
  updateId!: string;

  @Column({ name: 'revision_number', type: 'integer' })
  revisionNumber!: number;

  @Column({ name: 'change_kind', type: 'varchar', length: 24 })
  changeKind!: ChangeKind;

  @Column({ name: 'target_server_id', type: 'uuid', nullable: true })
  targetServerId!: string | null;

  @Column({ name: 'target_channel', type: 'varchar', length: 128, nullable: true })
  targetChannel!: string | null;

  @CreateDateColumn({ name: 'changed_at', type: 'timestamptz' })
  changedAt!: Date;
}
