import type { RequestContext, TxContext, UnitOfWork } from '../db/unit-of-work';
import { EVERYTHING, type EffectiveRule, type RuleTarget } from '../domain/availability';
import { normalizeChannelName } from '../domain/downstream-server';
import { DomainError, invalidParameters } from '../domain/errors';
import type { CategoryType } from '../domain/update-kinds';
import type { DistributionRuleEntity } from '../entities/distribution-rule.entity';
import { isUuid } from '../lib/uuid';
import type { AvailabilityRepository, CategoryRef } from '../repositories/availability.repository';
import type { ChangeLogRepository } from '../repositories/change-log.repository';
import type { DistributionRuleRepository } from '../repositories/distribution-rule.repository';
import type { DownstreamServerRepository } from '../repositories/downstream-server.repository';

/** RuleSelection indicates what an admin allows: product categories (Company, ProductFamily or Product) and classifications. */
export interface RuleSelection {
  products: readonly string[] | 'all';
  classifications: readonly string[] | 'all';
}

/** DistributionRule indicates one stored rule as the admin set it (products not expanded). */
export interface DistributionRule {
  target: RuleTarget;
  products: string[] | 'all';
  classifications: string[] | 'all';
  updatedAt: Date;
}

/** Which side of a rule a category may stand on. */
export type RuleDimension = 'products' | 'classifications';

const DIMENSION_TYPES: Record<RuleDimension, readonly CategoryType[]> = {
  products: ['Company', 'ProductFamily', 'Product'],
  classifications: ['UpdateClassification'],
};

/**
 * AvailabilityService is the child update module: it evaluates distribution rules (no rule: everything; a
 * server's rule overrides its channel's) and records every widening of their outcome in the change log.
 */
export class AvailabilityService {
  constructor(
    private readonly uow: UnitOfWork,
    private readonly rules: DistributionRuleRepository,
    private readonly catalog: AvailabilityRepository,
    private readonly servers: DownstreamServerRepository,
    private readonly changeLog: ChangeLogRepository,
  ) {}

  /** effectiveRule returns what one downstream server may receive now; product selections are expanded at this moment. */
  effectiveRule(ctx: RequestContext, server: { serverId: string; channel: string }): Promise<EffectiveRule> {
    return this.uow.run(ctx, async (tx) => {
      const own = await this.rules.find(tx, 'server', server.serverId);
      return this.toEffective(tx, own ?? (await this.rules.find(tx, 'channel', server.channel)));
    });
  }

  /**
   * effectiveRuleOf returns a server's rule using its channel as stored now. Prefer it to effectiveRule with a
   * cookie's channel: after a move the cookie names the old channel until it expires. NotFound if the server is gone.
   */
  effectiveRuleOf(ctx: RequestContext, serverId: string): Promise<EffectiveRule> {
    return this.uow.run(ctx, async (tx) => {
      const server = isUuid(serverId) ? await this.servers.findById(tx, serverId.toLowerCase()) : null;
      if (!server) throw new DomainError('NotFound', `no downstream server ${serverId}`);
      return this.effectiveRule(tx, { serverId: server.serverId, channel: server.channelName });
    });
  }

  /** filterAvailable keeps, in order, the revision ids the rule makes available (category revisions always). */
  filterAvailable(ctx: RequestContext, rule: EffectiveRule, revisionIds: readonly number[]): Promise<number[]> {
    if (rule.all) return Promise.resolve([...revisionIds]);
    return this.uow.run(ctx, (tx) => this.catalog.filterAvailable(tx, rule, revisionIds));
  }

  /** availableFiles returns which of these payloads (by SHA-1) belong to a revision the rule makes available. */
  availableFiles(ctx: RequestContext, rule: EffectiveRule, sha1s: readonly string[]): Promise<Set<string>> {
    return this.uow.run(ctx, (tx) => this.catalog.availableFiles(tx, rule, sha1s));
  }

  /**
   * setRule creates or replaces the rule of a server or channel and, in the same transaction, writes a MadeAvailable
   * change-log row for every update it newly makes available to that target. Returns how many rows.
   */
  async setRule(ctx: RequestContext, target: RuleTarget, selection: RuleSelection): Promise<{ madeAvailable: number }> {
    const t = normalizeTarget(target);
    const products = selection.products === 'all' ? 'all' : uniqueIds(selection.products, 'product');
    const classifications = selection.classifications === 'all' ? 'all' : uniqueIds(selection.classifications, 'classification');
    return this.uow.run(ctx, async (tx) => {
      await this.checkCategories(tx, 'products', products);
      await this.checkCategories(tx, 'classifications', classifications);
      const madeAvailable = await this.applyRuleChange(tx, t, () =>
        this.rules.upsert(tx, {
          targetKind: t.kind,
          target: targetKey(t),
          allProducts: products === 'all',
          productIds: products === 'all' ? [] : products,
          allClassifications: classifications === 'all',
          classificationIds: classifications === 'all' ? [] : classifications,
        }),
      );
      return { madeAvailable };
    });
  }

  /** removeRule deletes the rule of a server or channel (it falls back to its channel's rule, or everything); NotFound if none. */
  async removeRule(ctx: RequestContext, target: RuleTarget): Promise<{ madeAvailable: number }> {
    const t = normalizeTarget(target);
    return this.uow.run(ctx, async (tx) => {
      const madeAvailable = await this.applyRuleChange(tx, t, async () => {
        if (!(await this.rules.delete(tx, t.kind, targetKey(t)))) throw new DomainError('NotFound', `no rule for ${describe(t)}`);
      });
      return { madeAvailable };
    });
  }

  /**
   * applyRuleChange runs `change` inside the caller's unit of work and records, for the target, the updates
   * that change made available. Every availability change goes through here, one at a time.
   */
  async applyRuleChange(tx: TxContext, target: RuleTarget, change: () => Promise<void>): Promise<number> {
    await this.rules.lockChanges(tx);
    const before = await this.effectiveFor(tx, target);
    await change();
    const after = await this.effectiveFor(tx, target);
    // Nothing can become newly available when everything already was, or when nothing changed outcome-wise.
    if (before.all || (!after.all && sameRule(before, after))) return 0;
    return this.changeLog.insertMadeAvailable(tx, target, before, after);
  }

  /** listRules returns every stored rule. */
  async listRules(ctx: RequestContext): Promise<DistributionRule[]> {
    return (await this.uow.run(ctx, (tx) => this.rules.list(tx))).map((r) => ({
      target: r.targetKind === 'server' ? { kind: 'server', serverId: r.target } : { kind: 'channel', channel: r.target },
      products: r.allProducts ? 'all' : r.productIds,
      classifications: r.allClassifications ? 'all' : r.classificationIds,
      updatedAt: r.updatedAt,
    }));
  }

  /**
   * resolveCategories turns GUIDs or exact titles into category ids of one dimension. A term that matches nothing
   * and contains commas is read as a comma-separated list. Unknown, ambiguous or wrong-kind terms: InvalidParameters.
   */
  resolveCategories(ctx: RequestContext, terms: readonly string[], dimension: RuleDimension): Promise<string[]> {
    return this.uow.run(ctx, (tx) => this.resolveTerms(tx, terms, dimension));
  }

  private async resolveTerms(tx: TxContext, terms: readonly string[], dimension: RuleDimension): Promise<string[]> {
    const ids: string[] = [];
    for (const term of terms.map((t) => t.trim()).filter((t) => t.length > 0)) {
      const found = await this.matchTerm(tx, term, dimension);
      if (found) ids.push(found);
      else if (term.includes(',')) ids.push(...(await this.resolveTerms(tx, term.split(','), dimension)));
      else throw invalidParameters(`unknown ${singular(dimension)} "${term}": give a GUID or an exact title`);
    }
    return [...new Set(ids)];
  }

  /** describeCategories returns the categories with the given ids, for display. */
  describeCategories(ctx: RequestContext, ids: readonly string[]): Promise<CategoryRef[]> {
    return this.uow.run(ctx, (tx) => this.catalog.findCategories(tx, ids, []));
  }

  private async matchTerm(tx: TxContext, term: string, dimension: RuleDimension): Promise<string | undefined> {
    const matches = await this.catalog.findCategories(tx, isUuid(term) ? [term.toLowerCase()] : [], [term]);
    if (matches.length === 0) return undefined;
    const fitting = matches.filter((m) => DIMENSION_TYPES[dimension].includes(m.categoryType));
    if (fitting.length === 0) throw invalidParameters(`"${term}" is a ${matches[0].categoryType}, not a ${singular(dimension)}`);
    if (fitting.length > 1) {
      throw invalidParameters(`"${term}" matches several ${dimension} (${fitting.map((m) => m.categoryId).join(', ')}): give a GUID`);
    }
    return fitting[0].categoryId;
  }

  private async checkCategories(tx: TxContext, dimension: RuleDimension, ids: string[] | 'all'): Promise<void> {
    if (ids === 'all' || ids.length === 0) return;
    const found = new Map((await this.catalog.findCategories(tx, ids, [])).map((c) => [c.categoryId, c]));
    for (const id of ids) {
      const c = found.get(id);
      if (!c) throw invalidParameters(`unknown ${singular(dimension)} ${id}`);
      if (!DIMENSION_TYPES[dimension].includes(c.categoryType)) {
        throw invalidParameters(`${id} ("${c.title}") is a ${c.categoryType}, not a ${singular(dimension)}`);
      }
    }
  }

  /** effectiveFor reads a target's rule as the transaction sees it; a server's channel is read too, as it may be changing. */
  private async effectiveFor(tx: TxContext, target: RuleTarget): Promise<EffectiveRule> {
    if (target.kind === 'channel') return this.toEffective(tx, await this.rules.find(tx, 'channel', target.channel));
    const server = await this.servers.findById(tx, target.serverId, true);
    if (!server) throw new DomainError('NotFound', `no downstream server ${target.serverId}`);
    const own = await this.rules.find(tx, 'server', server.serverId);
    return this.toEffective(tx, own ?? (await this.rules.find(tx, 'channel', server.channelName)));
  }

  private async toEffective(tx: TxContext, rule: DistributionRuleEntity | null): Promise<EffectiveRule> {
    if (!rule || (rule.allProducts && rule.allClassifications)) return EVERYTHING;
    return {
      all: false,
      productIds: rule.allProducts ? 'all' : await this.catalog.expandProducts(tx, rule.productIds),
      classificationIds: rule.allClassifications ? 'all' : new Set(rule.classificationIds),
    };
  }
}

function normalizeTarget(target: RuleTarget): RuleTarget {
  if (target.kind === 'channel') return { kind: 'channel', channel: normalizeChannelName(target.channel) };
  if (!isUuid(target.serverId)) throw invalidParameters(`not a server id: ${target.serverId}`);
  return { kind: 'server', serverId: target.serverId.toLowerCase() };
}

function targetKey(t: RuleTarget): string {
  return t.kind === 'server' ? t.serverId : t.channel;
}

function describe(t: RuleTarget): string {
  return t.kind === 'server' ? `downstream server ${t.serverId}` : `downstream channel "${t.channel}"`;
}

function singular(d: RuleDimension): string {
  return d === 'products' ? 'product' : 'classification';
}

function uniqueIds(ids: readonly string[], what: string): string[] {
  for (const id of ids) if (!isUuid(id)) throw invalidParameters(`not a ${what} id: ${id}`);
  return [...new Set(ids.map((id) => id.toLowerCase()))];
}

function sameRule(a: EffectiveRule & { all: false }, b: EffectiveRule & { all: false }): boolean {
  const same = (x: 'all' | ReadonlySet<string>, y: 'all' | ReadonlySet<string>) =>
    x === 'all' || y === 'all' ? x === y : x.size === y.size && [...x].every((id) => y.has(id));
  return same(a.productIds, b.productIds) && same(a.classificationIds, b.classificationIds);
}
