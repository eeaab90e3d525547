import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { CategoryType } from '../../src/domain/update-kinds';

/** Anything that runs SQL: a DataSource or a transaction's manager. */
export type Queryable = Pick<DataSource | EntityManager, 'query'>;

/** Ids of some of the 16 classifications the first migration creates. */
export const CLASSIFICATION = {
  critical: 'e6cf1350-c01b-414d-a61f-263d14d133b4',
  definition: 'e0789628-ce08-4437-be74-2495b842f43b',
  security: '0fa1201d-4330-4fa8-8ae9-b877473b6441',
  updates: 'cd5ffd1e-e932-4e3a-bf74-18bf0b1bbd83',
} as const;

/** What insertCategory needs; the id defaults to a fresh uuid. */
export interface CategoryInput {
  type: CategoryType;
  title: string;
  parentId?: string;
  categoryId?: string;
}

/** What insertUpdate needs; a known updateId with a higher revisionNumber adds a revision to that update. */
export interface UpdateInput {
  productId?: string;
  productIds?: string[];
  classificationId?: string;
  title?: string;
  updateId?: string;
  revisionNumber?: number;
  updateType?: 'Software' | 'Driver' | 'Detectoid';
  publicationState?: 'Published' | 'Expired';
}

/** A stored revision. */
export interface InsertedRevision {
  updateId: string;
  revisionNumber: number;
  revisionId: number;
}

/**
 * insertCategory stores a category as the update store keeps one: a Category update with revision 1, its
 * category row, and a RevisionPublished change-log row. Returns its id.
 */
export async function insertCategory(db: Queryable, c: CategoryInput): Promise<string> {
  const id = c.categoryId ?? randomUUID();
  await insertRevision(db, id, 1, 'Category', c.title);
  await db.query(`INSERT INTO category (category_id, category_type, title, parent_category_id) VALUES ($1, $2, $3, $4)`, [
    id,
    c.type,
    c.title,
    c.parentId ?? null,
  ]);
  await db.query(`INSERT INTO change_log (update_id, revision_number, change_kind) VALUES ($1, 1, 'RevisionPublished')`, [id]);
  return id;
}

/** insertProduct stores a Product category, optionally under a Company or ProductFamily. */
export function insertProduct(db: Queryable, p: { title: string; parentId?: string; categoryId?: string }): Promise<string> {
  return insertCategory(db, { type: 'Product', ...p });
}

/** insertProductTree stores Company › ProductFamily › Product named after `name`; returns the three ids. */
export async function insertProductTree(db: Queryable, name: string): Promise<{ companyId: string; familyId: string; productId: string }> {
  const companyId = await insertCategory(db, { type: 'Company', title: `${name} Corp` });
  const familyId = await insertCategory(db, { type: 'ProductFamily', title: `${name} Family`, parentId: companyId });
  const productId = await insertProduct(db, { title: `${name} Product`, parentId: familyId });
  return { companyId, familyId, productId };
}

/**
 * insertUpdate stores a software update revision in its products and classification: update, update_revision
 * (the latest of its update), revision_category rows and a RevisionPublished change-log row.
 */
export async function insertUpdate(db: Queryable, u: UpdateInput): Promise<InsertedRevision> {
  const updateId = u.updateId ?? randomUUID();
  const revisionNumber = u.revisionNumber ?? 1;
  const revisionId = await insertRevision(
    db,
    updateId,
    revisionNumber,
    u.updateType ?? 'Software',
    u.title ?? `Update ${updateId.slice(0, 8)}`,
    u.publicationState ?? 'Published',
  );
  const categories = [...(u.productIds ?? []), ...(u.productId ? [u.productId] : []), ...(u.classificationId ? [u.classificationId] : [])];
  for (const categoryId of new Set(categories)) {
    await db.query(`INSERT INTO revision_category (revision_id, category_id) VALUES ($1, $2)`, [revisionId, categoryId]);
  }
  await db.query(`INSERT INTO change_log (update_id, revision_number, change_kind) VALUES ($1, $2, 'RevisionPublished')`, [
    updateId,
    revisionNumber,
  ]);
  return { updateId, revisionNumber, revisionId };
}

async function insertRevision(
  db: Queryable,
  updateId: string,
  revisionNumber: number,
  updateType: string,
  title: string,
  publicationState = 'Published',
): Promise<number> {
  await db.query(
    `INSERT INTO "update" (update_id, update_type, latest_revision_number) VALUES ($1, $2, $3)
     ON CONFLICT (update_id) DO UPDATE SET latest_revision_number = GREATEST("update".latest_revision_number, EXCLUDED.latest_revision_number)`,
    [updateId, updateType, revisionNumber],
  );
  await db.query(`UPDATE update_revision SET is_latest = false WHERE update_id = $1 AND revision_number < $2`, [updateId, revisionNumber]);
  const rows: Array<{ revision_id: number }> = await db.query(
    `INSERT INTO update_revision (update_id, revision_number, update_type, title, publication_state, creation_date, is_latest, xml)
     VALUES ($1, $2, $3, $4, $5, now(),
       NOT EXISTS (SELECT 1 FROM update_revision WHERE update_id = $1 AND revision_number > $2), $6)
     RETURNING revision_id`,
    [updateId, revisionNumber, updateType, title, publicationState, minimalXml(updateId, revisionNumber, updateType, publicationState)],
  );
  return rows[0].revision_id;
}

function minimalXml(updateId: string, revisionNumber: number, updateType: string, publicationState: string): string {
  return (
    '<upd:Update xmlns:upd="http://schemas.microsoft.com/msus/2002/12/Update">' +
    `<upd:UpdateIdentity UpdateID="${updateId}" RevisionNumber="${revisionNumber}"/>` +
    `<upd:Properties UpdateType="${updateType}" PublicationState="${publicationState}"/></upd:Update>`
  );
}
