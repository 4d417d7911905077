import { desc, eq, type SQL, sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import { comments } from './schema.js';

/**
 * What a citizen marks a comment as on the form: `complaint` (Góp ý / Phản ánh) or `praise`
 * (Khen). Comments carry no sentiment otherwise, so only this mark tells a complaint from thanks.
 */
export const COMMENT_KINDS = ['complaint', 'praise'] as const;
export type CommentKind = (typeof COMMENT_KINDS)[number];
/** Inlined, not bound, so that even a generic plan matches `comments_complaint_dossier_idx`. */
const COMPLAINT: CommentKind = 'complaint';

/**
 * THE rule for "this dossier was complained about" (Decision 766): a comment of the unit naming
 * the dossier that the citizen marked as a complaint, whenever it was sent. Unmarked comments and
 * praise do not count. Comments are not verified yet (anyone with the QR link can send one);
 * when they are (issue #13), this is the one place to require it.
 */
export function complaintAbout(unitId: SQL, dossierId: SQL): SQL {
  return sql`exists (select 1 from ${comments} where ${comments.unitId} = ${unitId}
    and ${comments.dossierId} = ${dossierId} and ${comments.kind} = ${sql.raw(`'${COMPLAINT}'`)})`;
}

export interface NewComment {
  unitId: string;
  counterId: string | null;
  officerId: string | null;
  dossierId: string | null;
  kind: CommentKind | null;
  body: string;
  contact: string | null;
}

export async function addComment(db: Executor, c: NewComment): Promise<number> {
  const [row] = await db.insert(comments).values(c).returning({ id: comments.id });
  return row!.id;
}

export async function recentComments(db: Executor, unitId: string, limit = 20) {
  return db
    .select()
    .from(comments)
    .where(eq(comments.unitId, unitId))
    .orderBy(desc(comments.createdAt))
    .limit(limit);
}
