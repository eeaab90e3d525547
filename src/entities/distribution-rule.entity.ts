import { Column, Entity, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

/** Whether a distribution rule applies to one downstream server or to a downstream channel. */
export type RuleTargetKind = 'server' | 'channel';

/**
 * DistributionRuleEntity indicates which updates one downstream server or downstream channel may receive:
 * those in the selected products and classifications (design §3 "Availability"). No rule means
 * everything; a server's rule overrides its channel's. Products are kept as selected (Company,
 * ProductFamily or Product) and expanded when evaluated, so products added later under a selection count.
 */
@Entity({ name: 'distribution_rule' })
@Unique('uq_distribution_rule_target', ['targetKind', 'target'])
export class DistributionRuleEntity {
  @PrimaryGeneratedColumn({ name: 'rule_id', type: 'integer' })
  ruleId!: number;

  @Column({ name: 'target_kind', type: 'varchar', length: 8 })
  targetKind!: RuleTargetKind;

  /** The server id (as text) for a server rule, the channel name for a channel rule. */
  @Column({ name: 'target', type: 'varchar', length: 128 })
  target!: string;

  @Column({ name: 'all_products', type: 'boolean' })
  allProducts!: boolean;

  /** Selected Company, ProductFamily or Product category ids; ignored when allProducts. */
  @Column({ name: 'product_ids', type: 'uuid', array: true })
  productIds!: string[];

  @Column({ name: 'all_classifications', type: 'boolean' })
  allClassifications!: boolean;

  /** Selected UpdateClassification category ids; ignored when allClassifications. */
  @Column({ name: 'classification_ids', type: 'uuid', array: true })
  classificationIds!: string[];

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
