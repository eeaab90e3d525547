import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** SoftwareProviderEntity is an account a software provider uses to upload and publish updates. Node-local. */
@Entity({ name: 'software_provider' })
export class SoftwareProviderEntity {
  @PrimaryGeneratedColumn({ name: 'provider_id', type: 'integer' })
  providerId!: number;

  @Column({ name: 'name', type: 'varchar', length: 128, unique: true })
  name!: string;

  /** scrypt hash of the password, "scrypt$N$r$p$salt$hash" (base64 parts). */
  @Column({ name: 'secret_hash', type: 'varchar', length: 256 })
  secretHash!: string;

  @Column({ name: 'disabled', type: 'boolean', default: false })
  disabled!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
