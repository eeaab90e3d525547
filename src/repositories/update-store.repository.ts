import path from 'node:path';
import type { TxContext } from '../db/unit-of-work';
import type { CategoryType, UpdateOrigin } from '../domain/update-kinds';
import type { UpdateDocument, UpdateIdentity } from '../domain/update-document';
import type { ChangeLogRepository } from './change-log.repository';

/** Serialises creation of category updates (companies, families, products) across processes. */
const CATEGORY_LOCK = 0x43617465;

/** A revision to store: its parsed facts and the document exactly as written or received. */
export interface RevisionToStore {
  doc: UpdateDocument;
  xml: string;
}

/** A stored revision's row, as the services need it. */
export interface StoredRevision {
  revisionId: number;
  updateId: string;
  revisionNumber: number;
  updateType: string;
  publicationState: string;
  isLatest: boolean;
  /** Who wrote the revision: published here, or imported from the parent. */
  origin: UpdateOrigin;
  xml: string;
}

/** What yieldToUpstream did with the local revisions of updates the parent now sends. */
export interface YieldedRevisions {
  /** Local revisions equal to the parent's document of the same identity, now recorded as the parent's. */
  adopted: UpdateIdentity[];
  /** Local revisions deleted because the parent's revision of the same identity differs, or because they would outrank it. */
  replaced: UpdateIdentity[];
}

/** A category row. */
export interface CategoryRow {
  categoryId: string;
  categoryType: CategoryType;
  title: string;
  parentCategoryId: string | null;
}

const fileExtension = (name: string) => {
  const ext = path.extname(name).toLowerCase();
  return /^\.[a-z0-9]{1,16}$/.test(ext) ? ext : '';
};

/**
 * UpdateStoreRepository reads and writes updates, revisions, their categories, relationships and
 * files, and appends the change-log rows those writes cause. Every method runs on the caller's
 * transaction (TxContext) so a use case decides it.
 */
export class UpdateStoreRepository {
  constructor(private readonly changeLog: ChangeLogRepository) {}

  /**
   * insertRevisions stores revisions idempotently (a revision already stored is skipped), keeps
   * is_latest and update.latest_revision_number right, projects category updates into `category`,
   * and logs one change per new revision. Revisions from the parent (origin 'upstream') make their
   * updates upstream-owned; call yieldToUpstream first so no local revision stands in their way.
   * Returns the identities actually inserted.
   */
  async insertRevisions(ctx: TxContext, revisions: RevisionToStore[], origin: UpdateOrigin = 'local'): Promise<UpdateIdentity[]> {
    if (!revisions.length) return [];
    const latest = new Map<string, { type: string; rev: number }>();
    for (const { doc } of revisions) {
      const cur = latest.get(doc.identity.updateId);
      if (!cur || cur.rev < doc.identity.revisionNumber)
        latest.set(doc.identity.updateId, { type: doc.updateType, rev: doc.identity.revisionNumber });
    }
    // Each update's latest revision number after this chunk, and whether it is new (xmax = 0: inserted, not updated).
    const upserted: Array<{ update_id: string; latest_revision_number: number; created: boolean }> = await ctx.tx.query(
      `INSERT INTO "update" (update_id, update_type, latest_revision_number, origin)
       SELECT u, t, r, $4 FROM unnest($1::uuid[], $2::varchar[], $3::int[]) AS v(u, t, r)
       ON CONFLICT (update_id) DO UPDATE SET latest_revision_number = GREATEST("update".latest_revision_number, EXCLUDED.latest_revision_number),
         origin = CASE WHEN EXCLUDED.origin = 'upstream' THEN 'upstream' ELSE "update".origin END
       RETURNING update_id, latest_revision_number, (xmax = 0) AS created`,
      [[...latest.keys()], [...latest.values()].map((v) => v.type), [...latest.values()].map((v) => v.rev), origin],
    );
    const latestOf = new Map(upserted.map((u) => [u.update_id, u]));
    const key = (r: RevisionToStore) => r.doc.identity.updateId.toLowerCase();
    const files = new Map<string, { sha256: string | null; size: number; ext: string }>();
    for (const { doc } of revisions) {
      for (const f of doc.files)
        files.set(f.sha1, { sha256: f.sha256 ?? files.get(f.sha1)?.sha256 ?? null, size: f.size, ext: fileExtension(f.fileName) });
    }
    if (files.size) {
      // No SHA-256 is stored where the metadata names none; one named later fills the gap.
      await ctx.tx.query(
        `INSERT INTO update_file (sha1, sha256, size, extension)
         SELECT * FROM unnest($1::char(40)[], $2::char(64)[], $3::bigint[], $4::varchar[])
         ON CONFLICT (sha1) DO UPDATE SET sha256 = EXCLUDED.sha256 WHERE update_file.sha256 IS NULL AND EXCLUDED.sha256 IS NOT NULL`,
        [
          [...files.keys()],
          [...files.values()].map((f) => f.sha256),
          [...files.values()].map((f) => f.size),
          [...files.values()].map((f) => f.ext),
        ],
      );
    }
    const col = <T>(fn: (r: RevisionToStore) => T) => revisions.map(fn);
    const inserted: Array<{ revision_id: number; update_id: string; revision_number: number }> = await ctx.tx.query(
      `INSERT INTO update_revision (update_id, revision_number, update_type, title, description, kb_article_id, msrc_severity,
                                    publication_state, creation_date, is_latest, xml, origin)
       SELECT u, r, t, ti, d, kb, sev, ps, cd, l, x, $12
       FROM unnest($1::uuid[], $2::int[], $3::varchar[], $4::varchar[], $5::text[], $6::varchar[], $7::varchar[], $8::varchar[],
                   $9::timestamptz[], $10::bool[], $11::text[]) AS v(u, r, t, ti, d, kb, sev, ps, cd, l, x)
       ON CONFLICT (update_id, revision_number) DO NOTHING
       RETURNING revision_id, update_id, revision_number`,
      [
        col((r) => r.doc.identity.updateId),
        col((r) => r.doc.identity.revisionNumber),
        col((r) => r.doc.updateType),
        col((r) => r.doc.title.slice(0, 1024)),
        col((r) => r.doc.description),
        col((r) => r.doc.kbArticleId?.slice(0, 32) ?? null),
        col((r) => r.doc.msrcSeverity?.slice(0, 16) ?? null),
        col((r) => r.doc.publicationState),
        col((r) => r.doc.creationDate),
        col((r) => r.doc.identity.revisionNumber === latestOf.get(key(r))!.latest_revision_number),
        col((r) => r.xml),
        origin,
      ],
    );
    if (!inserted.length) return [];
    const byIdentity = new Map(revisions.map((r) => [`${r.doc.identity.updateId}/${r.doc.identity.revisionNumber}`, r]));
    const rows = inserted.map((i) => ({ id: i.revision_id, rev: byIdentity.get(`${i.update_id}/${i.revision_number}`)! }));
    await this.insertLinks(ctx, rows);
    // New revisions were written with is_latest already right; only the latest revision of an update stored before
    // can be superseded. The lateral subquery (OFFSET 0 keeps the planner from flattening it into a join that scans
    // every latest row) makes one lookup on (update_id, revision_number) per such update, whatever the statistics.
    const superseding = [...new Set(inserted.map((i) => i.update_id))].map((u) => latestOf.get(u)!).filter((u) => !u.created);
    if (superseding.length) {
      await ctx.tx.query(
        `UPDATE update_revision SET is_latest = false WHERE revision_id = ANY(ARRAY(
           SELECT l.revision_id FROM unnest($1::uuid[], $2::int[]) AS v(u, n) CROSS JOIN LATERAL (
             SELECT revision_id FROM update_revision l WHERE l.update_id = v.u AND l.revision_number < v.n AND l.is_latest OFFSET 0) l))`,
        [superseding.map((u) => u.update_id), superseding.map((u) => u.latest_revision_number)],
      );
    }
    const categories = rows.filter((r) => r.rev.doc.updateType === 'Category' && r.rev.doc.categoryType).map((r) => r.rev.doc);
    for (const c of categories) {
      await ctx.tx.query(
        `INSERT INTO category (category_id, category_type, title, parent_category_id) VALUES ($1, $2, $3, $4)
         ON CONFLICT (category_id) DO UPDATE SET title = EXCLUDED.title, parent_category_id = EXCLUDED.parent_category_id`,
        [c.identity.updateId, c.categoryType, c.title.slice(0, 512), c.categoryIds[0] ?? null],
      );
    }
    await this.changeLog.appendRevisions(
      ctx,
      rows.map((r) => r.rev.doc),
    );
    return inserted.map((i) => ({ updateId: i.update_id, revisionNumber: i.revision_number }));
  }

  private async insertLinks(ctx: TxContext, rows: Array<{ id: number; rev: RevisionToStore }>): Promise<void> {
    const cat = rows.flatMap((r) => [...new Set(r.rev.doc.categoryIds)].map((c) => [r.id, c] as const));
    if (cat.length) {
      await ctx.tx.query(
        `INSERT INTO revision_category (revision_id, category_id) SELECT * FROM unnest($1::int[], $2::uuid[]) ON CONFLICT DO NOTHING`,
        [cat.map((c) => c[0]), cat.map((c) => c[1])],
      );
    }
    const rel = rows.flatMap((r) => [
      ...r.rev.doc.prerequisites.map((u) => [r.id, 'Prerequisite', u] as const),
      ...r.rev.doc.supersededUpdates.map((u) => [r.id, 'SupersededUpdate', u] as const),
      ...r.rev.doc.bundledUpdates.map((u) => [r.id, 'BundledUpdate', u] as const),
    ]);
    if (rel.length) {
      await ctx.tx.query(
        `INSERT INTO revision_relationship (revision_id, relationship_type, related_update_id)
         SELECT * FROM unnest($1::int[], $2::varchar[], $3::uuid[]) ON CONFLICT DO NOTHING`,
        [rel.map((x) => x[0]), rel.map((x) => x[1]), rel.map((x) => x[2])],
      );
    }
    const files = rows.flatMap((r) => r.rev.doc.files.map((f) => [r.id, f.sha1, f.fileName.slice(0, 260)] as const));
    if (files.length) {
      await ctx.tx.query(
        `INSERT INTO revision_file (revision_id, sha1, file_name) SELECT * FROM unnest($1::int[], $2::char(40)[], $3::varchar[]) ON CONFLICT DO NOTHING`,
        [files.map((x) => x[0]), files.map((x) => x[1]), files.map((x) => x[2])],
      );
    }
  }

  /** lockCategoryCreation serialises, until commit, the creation of category updates (companies, families, products) across processes. */
  async lockCategoryCreation(ctx: TxContext): Promise<void> {
    await ctx.tx.query('SELECT pg_advisory_xact_lock($1)', [CATEGORY_LOCK]);
  }

  /** analyze refreshes the planner's statistics after a bulk load, so it does not wait for autovacuum. */
  async analyze(ctx: TxContext): Promise<void> {
    await ctx.tx.query('ANALYZE update_revision, revision_category, change_log, update_file, revision_file');
  }

  /**
   * yieldToUpstream clears the way for revisions arriving from the parent, which owns their updates: a local
   * revision with the identity of an arriving one is adopted as the parent's when the documents are equal and
   * deleted otherwise, and local revisions numbered above an arriving one of their update are deleted, so the
   * parent's revision is the latest. Older local revisions stay as history. Run it in the import's transaction.
   */
  async yieldToUpstream(ctx: TxContext, revisions: RevisionToStore[]): Promise<YieldedRevisions> {
    if (!revisions.length) return { adopted: [], replaced: [] };
    // Only the few local revisions in the way come back with their document, so the chunk's documents are not sent.
    const paired: Array<{ revision_id: number; update_id: string; revision_number: number; xml: string | null }> = await ctx.tx.query(
      `SELECT l.revision_id, l.update_id, l.revision_number, CASE WHEN l.revision_number = v.n THEN l.xml END AS xml
       FROM unnest($1::uuid[], $2::int[]) AS v(u, n) CROSS JOIN LATERAL (
         SELECT revision_id, update_id, revision_number, xml FROM update_revision l
         WHERE l.update_id = v.u AND l.origin = 'local' AND l.revision_number >= v.n OFFSET 0) l`,
      [revisions.map((r) => r.doc.identity.updateId), revisions.map((r) => r.doc.identity.revisionNumber)],
    );
    const arriving = new Map(revisions.map((r) => [`${r.doc.identity.updateId.toLowerCase()}/${r.doc.identity.revisionNumber}`, r.xml]));
    const rows = paired.map((r) => ({ ...r, equal: r.xml !== null && r.xml === arriving.get(`${r.update_id}/${r.revision_number}`) }));
    // A local revision paired with several arriving ones is adopted when it equals the one with its own number.
    const byId = new Map<number, (typeof rows)[number]>();
    for (const r of rows) byId.set(r.revision_id, { ...r, equal: (byId.get(r.revision_id)?.equal ?? false) || r.equal });
    const adopted = [...byId.values()].filter((r) => r.equal);
    const replaced = [...byId.values()].filter((r) => !r.equal);
    if (adopted.length) {
      await ctx.tx.query(`UPDATE update_revision SET origin = 'upstream' WHERE revision_id = ANY($1::int[])`, [
        adopted.map((r) => r.revision_id),
      ]);
    }
    if (replaced.length) {
      const updateIds = [...new Set(replaced.map((r) => r.update_id))];
      await ctx.tx.query(`DELETE FROM update_revision WHERE revision_id = ANY($1::int[])`, [replaced.map((r) => r.revision_id)]);
      await ctx.tx.query(
        `UPDATE "update" u SET latest_revision_number = coalesce((SELECT max(r.revision_number) FROM update_revision r WHERE r.update_id = u.update_id), 0)
         WHERE u.update_id = ANY($1::uuid[])`,
        [updateIds],
      );
      await ctx.tx.query(
        `UPDATE update_revision r SET is_latest = (r.revision_number = u.latest_revision_number)
         FROM "update" u WHERE u.update_id = r.update_id AND r.update_id = ANY($1::uuid[])`,
        [updateIds],
      );
    }
    const identity = (r: { update_id: string; revision_number: number }) => ({ updateId: r.update_id, revisionNumber: r.revision_number });
    return { adopted: adopted.map(identity), replaced: replaced.map(identity) };
  }

  /**
   * lockLatestRevision takes the row lock of an update (so concurrent publishes of one UpdateID serialise) and
   * returns its latest revision with the update's owner.
   */
  async lockLatestRevision(ctx: TxContext, updateId: string): Promise<(StoredRevision & { owner: UpdateOrigin }) | undefined> {
    const locked = await ctx.tx.query(`SELECT latest_revision_number, origin FROM "update" WHERE update_id = $1 FOR UPDATE`, [updateId]);
    if (!locked.length) return undefined;
    const latest = await this.findRevision(ctx, { updateId, revisionNumber: locked[0].latest_revision_number });
    return latest && { ...latest, owner: locked[0].origin };
  }

  /** findRevision returns one revision by identity. */
  async findRevision(ctx: TxContext, id: UpdateIdentity): Promise<StoredRevision | undefined> {
    const rows = await ctx.tx.query(
      `SELECT revision_id, update_id, revision_number, update_type, publication_state, is_latest, origin, xml
       FROM update_revision WHERE update_id = $1 AND revision_number = $2`,
      [id.updateId, id.revisionNumber],
    );
    return rows.length ? toStored(rows[0]) : undefined;
  }

  /** findRevisions returns the stored revisions among the given identities, in no particular order. */
  async findRevisions(ctx: TxContext, ids: UpdateIdentity[]): Promise<StoredRevision[]> {
    if (!ids.length) return [];
    const rows = await ctx.tx.query(
      `SELECT r.revision_id, r.update_id, r.revision_number, r.update_type, r.publication_state, r.is_latest, r.origin, r.xml
       FROM unnest($1::uuid[], $2::int[]) AS q(u, n) JOIN update_revision r ON r.update_id = q.u AND r.revision_number = q.n`,
      [ids.map((i) => i.updateId), ids.map((i) => i.revisionNumber)],
    );
    return rows.map(toStored);
  }

  /** filesOfRevisions lists the payloads each revision names, with the facts needed for their URLs. */
  async filesOfRevisions(ctx: TxContext, revisionIds: number[]): Promise<Array<{ revisionId: number; sha1: string; extension: string }>> {
    if (!revisionIds.length) return [];
    const rows = await ctx.tx.query(
      // One index lookup per revision and per file (OFFSET 0 keeps the planner from hash-joining whole tables when it has
      // no statistics), so a GetUpdateData costs the same whatever the catalog's size.
      `SELECT q.id AS revision_id, rf.sha1, f.extension FROM unnest($1::int[]) AS q(id)
       CROSS JOIN LATERAL (SELECT sha1 FROM revision_file WHERE revision_id = q.id OFFSET 0) rf
       CROSS JOIN LATERAL (SELECT extension FROM update_file WHERE sha1 = rf.sha1 OFFSET 0) f
       ORDER BY 1, 2`,
      [revisionIds],
    );
    return rows.map((r: { revision_id: number; sha1: string; extension: string }) => ({
      revisionId: r.revision_id,
      sha1: r.sha1,
      extension: r.extension,
    }));
  }

  /**
   * missingIdentities returns, in order, the parent's identities this node must fetch: those it does not hold as
   * the parent's revisions, and those a local revision of the same update, at or above that number, collides with.
   */
  async missingIdentities(ctx: TxContext, ids: UpdateIdentity[]): Promise<UpdateIdentity[]> {
    if (!ids.length) return [];
    // Two branches rather than one OR. Each looks up one identity's rows through an index (OFFSET 0 keeps the
    // planner from turning the second into a hash join over every local revision), whatever the statistics.
    const rows = await ctx.tx.query(
      `WITH q AS (SELECT * FROM unnest($1::uuid[], $2::int[]) WITH ORDINALITY AS q(u, n, i))
       SELECT u, n FROM (
         SELECT q.u, q.n, q.i FROM q
         WHERE NOT EXISTS (SELECT 1 FROM update_revision r WHERE r.update_id = q.u AND r.revision_number = q.n AND r.origin = 'upstream')
         UNION
         SELECT q.u, q.n, q.i FROM q WHERE EXISTS (
           SELECT 1 FROM update_revision l WHERE l.update_id = q.u AND l.origin = 'local' AND l.revision_number >= q.n OFFSET 0)
       ) x ORDER BY i`,
      [ids.map((i) => i.updateId), ids.map((i) => i.revisionNumber)],
    );
    return rows.map((r: { u: string; n: number }) => ({ updateId: r.u, revisionNumber: r.n }));
  }

  /** unstoredFilesOf lists the payloads the given revisions name that this node does not hold yet. */
  async unstoredFilesOf(ctx: TxContext, ids: UpdateIdentity[]): Promise<string[]> {
    if (!ids.length) return [];
    const rows = await ctx.tx.query(
      `SELECT DISTINCT f.sha1 FROM unnest($1::uuid[], $2::int[]) AS q(u, n)
       JOIN update_revision r ON r.update_id = q.u AND r.revision_number = q.n
       JOIN revision_file rf ON rf.revision_id = r.revision_id JOIN update_file f ON f.sha1 = rf.sha1
       WHERE f.stored_at IS NULL ORDER BY f.sha1`,
      [ids.map((i) => i.updateId), ids.map((i) => i.revisionNumber)],
    );
    return rows.map((r: { sha1: string }) => r.sha1);
  }

  /** findCategory returns a category by id. */
  async findCategory(ctx: TxContext, categoryId: string): Promise<CategoryRow | undefined> {
    const rows = await ctx.tx.query(`SELECT * FROM category WHERE category_id = $1`, [categoryId]);
    return rows.length ? toCategory(rows[0]) : undefined;
  }

  /** findCategoryByTitle finds a category of a type by title (case-insensitive), optionally under a parent. */
  async findCategoryByTitle(ctx: TxContext, type: CategoryType, title: string, parentId?: string | null): Promise<CategoryRow | undefined> {
    const rows =
      parentId === undefined
        ? await ctx.tx.query(`SELECT * FROM category WHERE category_type = $1 AND lower(title) = lower($2) ORDER BY category_id LIMIT 1`, [
            type,
            title,
          ])
        : await ctx.tx.query(
            `SELECT * FROM category WHERE category_type = $1 AND lower(title) = lower($2) AND parent_category_id IS NOT DISTINCT FROM $3
                       ORDER BY category_id LIMIT 1`,
            [type, title, parentId],
          );
    return rows.length ? toCategory(rows[0]) : undefined;
  }

  /** listCategories returns every category (the catalog is small: hundreds, not millions). */
  async listCategories(ctx: TxContext): Promise<CategoryRow[]> {
    return (await ctx.tx.query(`SELECT * FROM category ORDER BY category_type, title`)).map(toCategory);
  }

  /** storedFiles returns which of the given SHA-1s this node holds in its content store. */
  async storedFiles(ctx: TxContext, sha1s: string[]): Promise<Set<string>> {
    const rows = await ctx.tx.query(`SELECT sha1 FROM update_file WHERE sha1 = ANY($1::char(40)[]) AND stored_at IS NOT NULL`, [sha1s]);
    return new Set(rows.map((r: { sha1: string }) => r.sha1));
  }

  /** fileFacts returns digests (no SHA-256 where none is known), size and extension of known files by SHA-1. */
  async fileFacts(ctx: TxContext, sha1s: string[]): Promise<Map<string, { sha256?: string; size: number; extension: string }>> {
    const rows = await ctx.tx.query(`SELECT sha1, sha256, size, extension FROM update_file WHERE sha1 = ANY($1::char(40)[])`, [sha1s]);
    return new Map(
      rows.map((r: { sha1: string; sha256: string | null; size: string; extension: string }) => [
        r.sha1,
        { sha256: r.sha256 ?? undefined, size: Number(r.size), extension: r.extension },
      ]),
    );
  }
}

function toStored(r: Record<string, unknown>): StoredRevision {
  return {
    revisionId: r.revision_id as number,
    updateId: r.update_id as string,
    revisionNumber: r.revision_number as number,
    updateType: r.update_type as string,
    publicationState: r.publication_state as string,
    isLatest: r.is_latest as boolean,
    origin: r.origin as UpdateOrigin,
    xml: r.xml as string,
  };
}

function toCategory(r: Record<string, unknown>): CategoryRow {
  return {
    categoryId: r.category_id as string,
    categoryType: r.category_type as CategoryType,
    title: r.title as string,
    parentCategoryId: (r.parent_category_id as string | null) ?? null,
  };
}
