/** CategorySelection indicates a set of category ids, or every category of that dimension. */
export type CategorySelection = 'all' | ReadonlySet<string>;

/**
 * EffectiveRule indicates which updates one downstream server may receive right now. productIds holds the
 * selection expanded to every descendant category (so a Product under a selected family is in it).
 */
export type EffectiveRule = { all: true } | { all: false; productIds: CategorySelection; classificationIds: CategorySelection };

/** RuleTarget names what a distribution rule applies to: one downstream server or one downstream channel. */
export type RuleTarget = { kind: 'server'; serverId: string } | { kind: 'channel'; channel: string };

/** EVERYTHING is the rule of a server with no rule of its own or of its channel. */
export const EVERYTHING: EffectiveRule = Object.freeze({ all: true });
