import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * NodeSettingEntity is one node-wide value every process of the node must agree on (its node id, its cookie
 * key). Node-local; kept in the database because several processes may share it.
 */
@Entity({ name: 'node_setting' })
export class NodeSettingEntity {
  @PrimaryColumn({ name: 'key', type: 'varchar', length: 64 })
  key!: string;

  @Column({ name: 'value', type: 'text' })
  value!: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
