import type { TxContext } from '../db/unit-of-work';
import { DistributionRuleEntity, type RuleTargetKind } from '../entities/distribution-rule.entity';

/** The stored content of a rule, without its bookkeeping columns. */
export type DistributionRuleValues = Pick<
  DistributionRuleEntity,
  'targetKind' | 'target' | 'allProducts' | 'productIds' | 'allClassifications' | 'classificationIds'
>;

/** Advisory-lock key serialising availability changes, so each change compares against a settled "before". */
const RULE_CHANGE_LOCK = 0x43617372; // "Casr"

/** DistributionRuleRepository is the only code querying distribution_rule. */
export class DistributionRuleRepository {
  private repo(ctx: TxContext) {
    return ctx.tx.getRepository(DistributionRuleEntity);
  }

  /** lockChanges waits for, then holds until commit, the one lock every availability change takes. */
  async lockChanges(ctx: TxContext): Promise<void> {
    await ctx.tx.query('SELECT pg_advisory_xact_lock($1)', [RULE_CHANGE_LOCK]);
  }

  /**
   * find returns the rule of one target, or null. Every SOAP call of a downstream server asks for its rule, hence
   * plain SQL: the ORM's find cost the parent more CPU than the query itself.
   */
  async find(ctx: TxContext, targetKind: RuleTargetKind, target: string): Promise<DistributionRuleEntity | null> {
    const rows: Array<Record<string, unknown>> = await ctx.tx.query(
      `SELECT rule_id, target_kind, target, all_products, product_ids, all_classifications, classification_ids, updated_at
       FROM distribution_rule WHERE target_kind = $1 AND target = $2`,
      [targetKind, target],
    );
    if (!rows.length) return null;
    const r = rows[0];
    return Object.assign(new DistributionRuleEntity(), {
      ruleId: r.rule_id as number,
      targetKind: r.target_kind as RuleTargetKind,
      target: r.target as string,
      allProducts: r.all_products as boolean,
      productIds: r.product_ids as string[],
      allClassifications: r.all_classifications as boolean,
      classificationIds: r.classification_ids as string[],
      updatedAt: r.updated_at as Date,
    });
  }

  /** upsert creates or replaces the rule of a target. */
  async upsert(ctx: TxContext, v: DistributionRuleValues): Promise<void> {
    await ctx.tx.query(
      `INSERT INTO distribution_rule (target_kind, target, all_products, product_ids, all_classifications, classification_ids)
       VALUES ($1, $2, $3, $4::uuid[], $5, $6::uuid[])
       ON CONFLICT (target_kind, target) DO UPDATE SET all_products = EXCLUDED.all_products, product_ids = EXCLUDED.product_ids,
         all_classifications = EXCLUDED.all_classifications, classification_ids = EXCLUDED.classification_ids, updated_at = now()`,
      [v.targetKind, v.target, v.allProducts, v.productIds, v.allClassifications, v.classificationIds],
    );
  }

  /** delete removes the rule of a target; true when there was one. */
  async delete(ctx: TxContext, targetKind: RuleTargetKind, target: string): Promise<boolean> {
    return ((await this.repo(ctx).delete({ targetKind, target })).affected ?? 0) > 0;
  }

  /** list returns every rule, channel rules first, then by target. */
  list(ctx: TxContext): Promise<DistributionRuleEntity[]> {
    return this.repo(ctx).find({ order: { targetKind: 'ASC', target: 'ASC' } });
  }
}
