import { and, count, desc, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import { inTransaction } from './notify.js';
import { rosterOfficer } from './roster.js';
import { auditLog, comments, officers, staffAccounts } from './schema.js';

/**
 * What a citizen marks a comment as on the form: `complaint` (Góp ý / Phản ánh) or `praise`
 * (Khen). Comments carry no sentiment otherwise, so only this mark tells a complaint from thanks.
 */
export const COMMENT_KINDS = ['complaint', 'praise'] as const;
export type CommentKind = (typeof COMMENT_KINDS)[number];
/** Inlined, not bound, so that even a generic plan matches `comments_complaint_dossier_idx`. */
const COMPLAINT: CommentKind = 'complaint';

/**
 * Follow-up of a comment by the unit's leaders: `new` as sent; `handled` (looked into, nothing
 * sent back); `replied` (the unit answered the citizen, the answer is kept). A comment only moves
 * forward: new → handled → replied, or new → replied.
 */
export const COMMENT_STATUSES = ['new', 'handled', 'replied'] as const;
export type CommentStatus = (typeof COMMENT_STATUSES)[number];
const NEXT: Record<CommentStatus, readonly CommentStatus[]> = {
  new: ['handled', 'replied'],
  handled: ['replied'],
  replied: [],
};
/** Inlined, not bound, so that the badge count matches `comments_new_unit_idx`. */
const NEW: CommentStatus = 'new';

/**
 * THE rule for "this dossier was complained about" (Decision 766): a comment of the unit naming
 * the dossier that the citizen marked as a complaint, whenever it was sent. Unmarked comments and
 * praise do not count. Since migration 0029 a comment names a dossier only through a visit's
 * signed comment code (comment-codes.ts), a dossier the counter's device saw at that visit;
 * comments from before it (`visit_id` null) named theirs in a form anyone could fill, and still
 * count here: excluding them would change figures already reported.
 */
export function complaintAbout(unitId: SQL, dossierId: SQL): SQL {
  return sql`exists (select 1 from ${comments} where ${comments.unitId} = ${unitId}
    and ${comments.dossierId} = ${dossierId} and ${comments.kind} = ${sql.raw(`'${COMPLAINT}'`)})`;
}

/**
 * The reference number a citizen is given when they send a comment: `GY-` (góp ý), the comment's
 * id in at least six digits, `-`, and a Luhn check digit, e.g. `GY-000042-4`. Read out over the
 * phone, a mistyped digit or two swapped neighbours fail the check instead of naming another
 * comment. It is the id, so it is never stored apart: `commentIdOfReference` reads it back.
 */
export function commentReference(id: number): string {
  const digits = String(id).padStart(6, '0');
  return `GY-${digits}-${luhnDigit(digits)}`;
}

/** The id a reference names, or null when it is not one (spaces, case and dashes are forgiven). */
export function commentIdOfReference(reference: string): number | null {
  const m = /^GY-?(\d{1,15})-?(\d)$/i.exec(reference.replace(/\s+/g, ''));
  if (!m) return null;
  const [, digits, check] = m as unknown as [string, string, string];
  if (luhnDigit(digits) !== Number(check)) return null;
  const id = Number(digits);
  return id > 0 && Number.isSafeInteger(id) ? id : null;
}

function luhnDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    // From the right, every other digit (starting with the last) is doubled.
    let d = Number(digits[digits.length - 1 - i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

export interface NewComment {
  unitId: string;
  counterId: string | null;
  officerId: string | null;
  dossierId: string | null;
  kind: CommentKind | null;
  body: string;
  contact: string | null;
  /** The visit and device of the verified comment code (comment-codes.ts); absent for a poster's. */
  visitId?: string | null;
  deviceId?: string | null;
}

/**
 * Comments one visit's code takes. More than one: the code is shown on a screen, and whoever
 * scans it first (the officer, someone in the queue) must not silence the citizen's complaint.
 * Few: a code still cannot flood a ward with comments "from a real visit".
 */
export const MAX_COMMENTS_PER_VISIT = 3;

/**
 * Stores a comment and gives its reference; null when its visit's code has taken
 * `MAX_COMMENTS_PER_VISIT` already (a replay or a double tap past that stores nothing).
 */
export async function addComment(
  db: Executor,
  c: NewComment,
): Promise<{ id: number; reference: string } | null> {
  const insert = async (visitCommentNo: number | null) => {
    // The only unique key a new row can meet besides its serial id is `comments_visit_idx`.
    const [row] = await db
      .insert(comments)
      .values({ ...c, visitCommentNo })
      .onConflictDoNothing()
      .returning({ id: comments.id });
    return row ? { id: row.id, reference: commentReference(row.id) } : null;
  };
  if (!c.visitId) return insert(null);
  const taken = await commentsOnVisit(db, c.deviceId ?? null, c.visitId);
  // Each place is taken once by the unique index: concurrent posts move on to the next place.
  for (let no = taken + 1; no <= MAX_COMMENTS_PER_VISIT; no++) {
    const stored = await insert(no);
    if (stored) return stored;
  }
  return null;
}

/** How many comments a visit's code has brought so far. */
export async function commentsOnVisit(
  db: Executor,
  deviceId: string | null,
  visitId: string,
): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(comments)
    .where(
      and(
        eq(comments.visitId, visitId),
        deviceId === null ? isNull(comments.deviceId) : eq(comments.deviceId, deviceId),
      ),
    );
  return row?.n ?? 0;
}

/**
 * What a citizen may see of their comment by its reference: the stage it is at and when it was
 * sent and last moved, nothing of its text, contact, unit or answer. References are consecutive
 * numbers, so anyone may try one: the stage of another's comment is all they learn.
 */
export async function commentStatusOf(
  db: Executor,
  reference: string,
): Promise<{ reference: string; status: CommentStatus; createdAt: Date; handledAt: Date | null } | null> {
  const id = commentIdOfReference(reference);
  if (id === null) return null;
  const [row] = await db
    .select({ status: comments.status, createdAt: comments.createdAt, handledAt: comments.handledAt })
    .from(comments)
    .where(eq(comments.id, id));
  return row ? { reference: commentReference(id), ...row, status: row.status as CommentStatus } : null;
}

export interface CommentRow {
  id: number;
  reference: string;
  createdAt: Date;
  counterId: string | null;
  officerId: string | null;
  /** Only an officer on this unit's roster is named; another unit's officer stays an ID. */
  officerName: string | null;
  dossierId: string | null;
  kind: string | null;
  body: string;
  /** What the citizen left to be reached at: the caller decides who may see it. */
  contact: string | null;
  status: CommentStatus;
  handledBy: string | null;
  handledByName: string | null;
  handledAt: Date | null;
  reply: string | null;
}

/** Which of a unit's comments a list shows. */
export interface CommentFilter {
  limit?: number;
  offset?: number;
  /** Only these (a search by reference). */
  ids?: readonly number[];
  /** Only comments in this follow-up state (the leader's "still to handle" list). */
  status?: CommentStatus;
}

function commentsWhere(unitId: string, f: CommentFilter) {
  return and(
    eq(comments.unitId, unitId),
    f.ids ? inArray(comments.id, [...f.ids]) : undefined,
    f.status ? eq(comments.status, f.status) : undefined,
  );
}

/** The unit's comments, newest first, narrowed by `filter`. */
export async function recentComments(
  db: Executor,
  unitId: string,
  filter: CommentFilter = {},
): Promise<CommentRow[]> {
  const { limit = 20, offset = 0 } = filter;
  const rows = await db
    .select({
      id: comments.id,
      createdAt: comments.createdAt,
      counterId: comments.counterId,
      officerId: comments.officerId,
      officerName: officers.name,
      dossierId: comments.dossierId,
      kind: comments.kind,
      body: comments.body,
      contact: comments.contact,
      status: comments.status,
      handledBy: comments.handledBy,
      handledByName: staffAccounts.displayName,
      handledAt: comments.handledAt,
      reply: comments.reply,
    })
    .from(comments)
    .leftJoin(officers, rosterOfficer(comments.officerId, comments.unitId))
    .leftJoin(staffAccounts, eq(staffAccounts.username, comments.handledBy))
    .where(commentsWhere(unitId, filter))
    .orderBy(desc(comments.createdAt), desc(comments.id))
    .limit(limit)
    .offset(offset);
  return rows.map((r) => ({ ...r, reference: commentReference(r.id), status: statusOf(r.status) }));
}

/** How many comments a list shows in all: the total behind its pages. */
export function countComments(db: Executor, unitId: string, filter: CommentFilter = {}): Promise<number> {
  return db.$count(comments, commentsWhere(unitId, filter));
}

function statusOf(s: string): CommentStatus {
  return (COMMENT_STATUSES as readonly string[]).includes(s) ? (s as CommentStatus) : 'new';
}

/** The ward leader's badge: comments of the unit nobody has handled or replied to yet. */
export async function newCommentCount(db: Executor, unitId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(comments)
    .where(and(eq(comments.unitId, unitId), sql`${comments.status} = ${sql.raw(`'${NEW}'`)}`));
  return row?.n ?? 0;
}

export type FollowUpResult = 'done' | 'not-found' | 'not-allowed';

/**
 * A leader moves a comment of `unitId` on (a comment of another unit is "not found": the unit
 * comes from the leader's scope, never from the comment). Who and when are stamped, and the
 * audit log gets `comment.follow-up` in the same transaction.
 */
export async function followUpComment(
  db: Executor,
  input: {
    unitId: string;
    commentId: number;
    status: Exclude<CommentStatus, 'new'>;
    reply: string | null;
    username: string;
    actor: string;
    at?: Date;
  },
): Promise<FollowUpResult> {
  return inTransaction(db, async (tx) => {
    const [row] = await tx
      .select({ status: comments.status })
      .from(comments)
      .where(and(eq(comments.id, input.commentId), eq(comments.unitId, input.unitId)))
      .for('update');
    if (!row) return 'not-found';
    const from = statusOf(row.status);
    if (!NEXT[from].includes(input.status)) return 'not-allowed';
    const reply = input.status === 'replied' ? input.reply : null;
    await tx
      .update(comments)
      .set({ status: input.status, handledBy: input.username, handledAt: input.at ?? new Date(), reply })
      .where(eq(comments.id, input.commentId));
    await tx.insert(auditLog).values({
      actor: input.actor,
      action: 'comment.follow-up',
      target: commentReference(input.commentId),
      details: { unitId: input.unitId, from, to: input.status, ...(reply ? { reply } : {}) },
    });
    return 'done';
  });
}
