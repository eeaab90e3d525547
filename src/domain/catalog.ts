import type { CategoryType } from './update-kinds';
import type { CategorySelection, EffectiveRule } from './availability';

/** A category as the catalog logic needs it. */
export interface CatalogCategory {
  categoryId: string;
  categoryType: CategoryType;
  title: string;
  parentCategoryId: string | null;
}

/** A node of the catalog tree GetCatalog returns. */
export interface CatalogNode {
  id: string;
  categoryType: CategoryType;
  title: string;
  children: CatalogNode[];
}

/**
 * Catalog answers questions about the category tree (Company › ProductFamily › Product, and the flat
 * list of classifications). It is built from the whole category table, which holds hundreds of rows.
 */
export class Catalog {
  private readonly byId: Map<string, CatalogCategory>;
  private readonly children = new Map<string, CatalogCategory[]>();

  constructor(readonly categories: CatalogCategory[]) {
    this.byId = new Map(categories.map((c) => [c.categoryId, c]));
    for (const c of categories) {
      if (!c.parentCategoryId) continue;
      const list = this.children.get(c.parentCategoryId) ?? [];
      list.push(c);
      this.children.set(c.parentCategoryId, list);
    }
  }

  get(id: string): CatalogCategory | undefined {
    return this.byId.get(id);
  }

  /** productsUnder expands companies and families to every product beneath them (a product expands to itself). */
  productsUnder(ids: Iterable<string>): Set<string> {
    const out = new Set<string>();
    const walk = (id: string) => {
      const c = this.byId.get(id);
      if (!c) return;
      if (c.categoryType === 'Product') out.add(id);
      for (const child of this.children.get(id) ?? []) walk(child.categoryId);
    };
    for (const id of ids) walk(id);
    return out;
  }

  /** classifications returns the ids among `ids` that are classifications. */
  classificationsAmong(ids: Iterable<string>): Set<string> {
    return new Set([...ids].filter((id) => this.byId.get(id)?.categoryType === 'UpdateClassification'));
  }

  /** visibleProducts is every product a rule lets a downstream receive. */
  visibleProducts(rule: EffectiveRule): Set<string> {
    return this.productsUnder(selected(rule, 'productIds') ?? this.roots());
  }

  /** visibleClassifications is every classification a rule lets a downstream receive. */
  visibleClassifications(rule: EffectiveRule): Set<string> {
    return this.classificationsAmong(selected(rule, 'classificationIds') ?? this.byId.keys());
  }

  /** visibleCategoryIds is every category a rule lets a child see: its products, their ancestors, its classifications. */
  visibleCategoryIds(rule: EffectiveRule): Set<string> {
    if (rule.all) return new Set(this.byId.keys());
    const out = new Set(this.visibleClassifications(rule));
    for (const id of this.visibleProducts(rule)) {
      for (let c = this.byId.get(id); c && !out.has(c.categoryId); c = c.parentCategoryId ? this.byId.get(c.parentCategoryId) : undefined) {
        out.add(c.categoryId);
      }
    }
    return out;
  }

  /** productTree returns the Company › ProductFamily › Product tree limited to the visible categories. */
  productTree(visible: Set<string>): CatalogNode[] {
    const node = (c: CatalogCategory): CatalogNode => ({
      id: c.categoryId,
      categoryType: c.categoryType,
      title: c.title,
      children: (this.children.get(c.categoryId) ?? [])
        .filter((k) => visible.has(k.categoryId))
        .sort(byTitle)
        .map(node),
    });
    return this.roots()
      .map((id) => this.byId.get(id)!)
      .filter((c) => visible.has(c.categoryId) && c.categoryType !== 'UpdateClassification')
      .sort(byTitle)
      .map(node);
  }

  private roots(): string[] {
    return this.categories.filter((c) => !c.parentCategoryId).map((c) => c.categoryId);
  }
}

/** selected returns a rule's explicit selection of one dimension, or undefined for "all". */
function selected(rule: EffectiveRule, dimension: 'productIds' | 'classificationIds'): Iterable<string> | undefined {
  if (rule.all) return undefined;
  const s: CategorySelection = rule[dimension];
  return s === 'all' ? undefined : s;
}

const byTitle = (a: CatalogCategory, b: CatalogCategory) => a.title.localeCompare(b.title);
