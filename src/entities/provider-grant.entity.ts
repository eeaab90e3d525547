import { CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { CategoryEntity } from './category.entity';
import { SoftwareProviderEntity } from './software-provider.entity';

/**
 * ProviderGrantEntity lets a software provider publish into a company's products and publish or expire that
 * company's updates, beyond what it published itself; an administrator grants it. Node-local.
 */
@Entity({ name: 'provider_grant' })
export class ProviderGrantEntity {
  @PrimaryColumn({ name: 'provider_name', type: 'varchar', length: 128, primaryKeyConstraintName: 'pk_provider_grant' })
  providerName!: string;

  @ManyToOne(() => SoftwareProviderEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'provider_name', referencedColumnName: 'name', foreignKeyConstraintName: 'fk_provider_grant_provider' })
  provider?: SoftwareProviderEntity;

  @PrimaryColumn({ name: 'company_id', type: 'uuid', primaryKeyConstraintName: 'pk_provider_grant' })
  companyId!: string;

  @ManyToOne(() => CategoryEntity, { onDelete: 'CASCADE', nullable: false })
  @JoinColumn({ name: 'company_id', foreignKeyConstraintName: 'fk_provider_grant_company' })
  company?: CategoryEntity;

  @CreateDateColumn({ name: 'granted_at', type: 'timestamptz' })
  grantedAt!: Date;
}
