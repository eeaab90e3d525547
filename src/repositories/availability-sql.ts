import type { EffectiveRule } from '../domain/availability';

/** availableSql renders "revision <alias> is available under rule" as SQL, appending its parameters to params. */
export function availableSql(rule: EffectiveRule, alias: string, params: unknown[]): string {
  if (rule.all) return 'TRUE';
  const parts: string[] = [];
  for (const selection of [rule.productIds, rule.classificationIds]) {
    if (selection === 'all') continue;
    params.push([...selection]);
    parts.push(`EXISTS (SELECT 1 FROM revision_category rc
      WHERE rc.revision_id = ${alias}.revision_id AND rc.category_id = ANY($${params.length}::uuid[]))`);
  }
  return parts.length ? `(${parts.join(' AND ')})` : 'TRUE';
}
