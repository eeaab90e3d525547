import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * DownstreamServerEntity is a child node (a DSS) this node's admin registered: its credentials for
 * GetAuthorizationCookie, its downstream channel, and when it last synced. Node-local.
 */
@Entity({ name: 'downstream_server' })
export class DownstreamServerEntity {
  @PrimaryColumn({ name: 'server_id', type: 'uuid' })
  serverId!: string;

  /** DNS-style name, stored in lower case. */
  @Column({ name: 'name', type: 'varchar', length: 255, unique: true })
  name!: string;

  @Column({ name: 'channel_name', type: 'varchar', length: 128, default: 'Default' })
  channelName!: string;

  /** scrypt hash of the secret, "scrypt$N$r$p$salt$hash" (base64 parts). */
  @Column({ name: 'secret_hash', type: 'varchar', length: 256 })
  secretHash!: string;

  @Column({ name: 'enabled', type: 'boolean', default: true })
  enabled!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'last_seen_at', type: 'timestamptz', nullable: true })
  lastSeenAt!: Date | null;

  /** Protocol version the child sent in its last GetCookie ("1.20"). */
  @Column({ name: 'protocol_version', type: 'varchar', length: 16, nullable: true })
  protocolVersion!: string | null;
}
