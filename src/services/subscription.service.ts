import type { CategoryType } from '../domain/update-kinds';
import type { RequestContext, UnitOfWork } from '../db/unit-of-work';
import { invalidParameters } from '../domain/errors';
import { isGuid } from '../domain/update-document';
import type { Subscription, UpstreamSubscriptionRepository } from '../repositories/upstream-subscription.repository';
import type { UpstreamCategory } from '../clients/upstream-client';

/** The parent's offer, as GetCatalog returned it. */
export interface OfferedCatalog {
  products: UpstreamCategory[];
  classifications: UpstreamCategory[];
}

/**
 * SubscriptionService chooses, from what the parent's GetCatalog offers, the products and
 * classifications this node syncs (claim 18 b). A newly chosen one is synced with its whole history.
 */
export class SubscriptionService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly subscriptions: UpstreamSubscriptionRepository,
  ) {}

  list(ctx: RequestContext): Promise<Subscription[]> {
    return this.uow.run(ctx, (tx) => this.subscriptions.list(tx));
  }

  /** set replaces the subscription; each term is a GUID or an exact title (any case); "all" means no restriction in that dimension. */
  async set(ctx: RequestContext, offered: OfferedCatalog, products: string[], classifications: string[]): Promise<Subscription[]> {
    const chosen = [
      ...resolve(products, flatten(offered.products), 'product'),
      ...resolve(classifications, offered.classifications, 'classification'),
    ];
    return this.uow.run(ctx, async (tx) => {
      await this.subscriptions.replace(tx, chosen);
      return this.subscriptions.list(tx);
    });
  }
}

function flatten(tree: UpstreamCategory[]): UpstreamCategory[] {
  return tree.flatMap((c) => [c, ...flatten(c.children)]);
}

function resolve(terms: string[], offered: UpstreamCategory[], what: string) {
  if (terms.length === 1 && terms[0].toLowerCase() === 'all') return [];
  return terms.map((term) => {
    const key = term.toLowerCase();
    const byId = isGuid(term);
    const found = offered.find((c) => (byId ? c.id === key : c.title.toLowerCase() === key));
    if (!found)
      throw invalidParameters(`the parent offers no ${what} "${term}"; offered: ${offered.map((c) => c.title).join(', ') || 'none'}`);
    return { categoryId: found.id, categoryType: found.categoryType as CategoryType, title: found.title };
  });
}
