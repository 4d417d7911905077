import { and, asc, eq, gte, lt, type SQL, sql } from 'drizzle-orm';
import { COMMENT_KINDS, COMMENT_STATUSES, type CommentKind, type CommentStatus } from './comments.js';
import type { Executor } from './db.js';
import { namedOfficerOfUnit, type Period, type RatingRow, ratingColumns } from './reports.js';
import { rollupsOver } from './rollups-over.js';
import { comments, expressionSummaries, hourlyRollups, officers, ratings } from './schema.js';

/**
 * What the monthly report (dashboard/src/reports) reads besides the evaluation tables: the
 * comments of the period by kind and follow-up state, the reasons citizens gave most, the ratings
 * that counted for nobody in a whole city, and the raw ratings for the exports, page by page.
 */

/** `unitId` null: every unit (the city's report). */
function ofUnit(column: Parameters<typeof eq>[0], unitId: string | null): SQL | undefined {
  return unitId === null ? undefined : eq(column, unitId);
}

export interface CommentSummary {
  total: number;
  /** `unmarked`: sent before the form asked complaint or praise. */
  byKind: Record<CommentKind | 'unmarked', number>;
  byStatus: Record<CommentStatus, number>;
}

/** The comments sent in the period, counted by kind and by follow-up state (one grouped query). */
export async function commentSummary(
  db: Executor,
  unitId: string | null,
  period: Period,
): Promise<CommentSummary> {
  const rows = await db
    .select({ kind: comments.kind, status: comments.status, n: sql<number>`count(*)::int` })
    .from(comments)
    .where(
      and(
        ofUnit(comments.unitId, unitId),
        gte(comments.createdAt, period.from),
        lt(comments.createdAt, period.to),
      ),
    )
    .groupBy(comments.kind, comments.status);
  const out: CommentSummary = {
    total: 0,
    byKind: { complaint: 0, praise: 0, unmarked: 0 },
    byStatus: { new: 0, handled: 0, replied: 0 },
  };
  for (const r of rows) {
    out.total += r.n;
    const kind = (COMMENT_KINDS as readonly string[]).includes(r.kind ?? '')
      ? (r.kind as CommentKind)
      : 'unmarked';
    out.byKind[kind] += r.n;
    // A state the store never writes is shown as new (as `recentComments` does): nobody handled it.
    const status = (COMMENT_STATUSES as readonly string[]).includes(r.status)
      ? (r.status as CommentStatus)
      : 'new';
    out.byStatus[status] += r.n;
  }
  return out;
}

/**
 * The reason codes citizens chose most often with their ratings in the period, most frequent
 * first: ratings that rate the unit (no misuse filter caught them), as the roll-ups count them
 * (`reasons`, judge/rollups.ts). Roll-ups only, at the unit grain: a year is 365 day rows per unit.
 */
export async function frequentReasons(
  db: Executor,
  unitId: string | null,
  period: Period,
  limit = 5,
): Promise<Array<{ reason: string; n: number }>> {
  const result = await db.execute(sql`
    select r.code as reason, sum(r.n::int)::int as n
    from ${rollupsOver(period, 'unitWeek', ['reasons'])} cross join lateral jsonb_each_text(${hourlyRollups.reasons}) as r(code, n)
    where ${and(ofUnit(hourlyRollups.unitId, unitId), gte(hourlyRollups.hour, period.from), lt(hourlyRollups.hour, period.to))}
    group by 1 having sum(r.n::int) > 0 order by 2 desc, 1 limit ${limit}`);
  // node-postgres and PGlite both return `{ rows }`.
  const { rows } = result as unknown as { rows: Array<{ reason: string; n: number | string }> };
  return rows.map((r) => ({ reason: r.reason, n: Number(r.n) }));
}

/** Ratings that counted for nobody in the period, over every unit: roll-ups only. */
export async function uncountedInCity(
  db: Executor,
  period: Period,
): Promise<{ unverified: number; filtered: number }> {
  const [row] = await db
    .select({
      unverified: sql<number>`coalesce(sum(${hourlyRollups.unverified}), 0)::int`,
      filtered: sql<number>`coalesce(sum(${hourlyRollups.filtered}), 0)::int`,
    })
    .from(rollupsOver(period, 'unitWeek'))
    .where(and(gte(hourlyRollups.hour, period.from), lt(hourlyRollups.hour, period.to)));
  return { unverified: row?.unverified ?? 0, filtered: row?.filtered ?? 0 };
}

/** A rating as the export writes it: the listed rating, its reasons and the camera's estimate. */
export interface ExportedRating extends RatingRow {
  reasons: string[];
  /** The counter device's satisfaction estimate (0–1) for the rating's visit; null: none. */
  cameraEstimate: number | null;
  /** Where this rating stands in the export's order: pass the last one's to read on. */
  cursor: RatingCursor;
}

/**
 * Where the previous page ended: the export reads on from there (keyset, never an offset). `at`
 * is the stored instant as text to the microsecond: a JS `Date` keeps milliseconds only, and a
 * cursor rounded down would read again every rating of the same millisecond.
 */
export interface RatingCursor {
  at: string;
  eventId: string;
}

/**
 * One page of a unit's placed ratings in the period, oldest first, after `cursor`. Keyset paging
 * over `ratings_unit_at_idx`: a year of a unit is read in constant memory and constant time per page.
 */
export async function ratingsPage(
  db: Executor,
  q: { unitId: string; period: Period; after: RatingCursor | null; limit: number },
): Promise<ExportedRating[]> {
  const after = q.after
    ? sql`(${ratings.at}, ${ratings.eventId}) > (${q.after.at}::timestamptz, ${q.after.eventId})`
    : undefined;
  return db
    .select({
      ...ratingColumns,
      reasons: ratings.reasons,
      cursorAt: sql<string>`to_char(${ratings.at} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
      cameraEstimate: sql<
        number | null
      >`(select ${expressionSummaries.satisfactionIndex} from ${expressionSummaries}
        where ${expressionSummaries.visitId} = ${ratings.visitId} order by ${expressionSummaries.endedAt} desc limit 1)`,
    })
    .from(ratings)
    .leftJoin(officers, namedOfficerOfUnit)
    .where(
      and(eq(ratings.unitId, q.unitId), gte(ratings.at, q.period.from), lt(ratings.at, q.period.to), after),
    )
    .orderBy(asc(ratings.at), asc(ratings.eventId))
    .limit(q.limit)
    .then((rows) =>
      rows.map(
        ({ cursorAt, ...r }) => ({ ...r, cursor: { at: cursorAt, eventId: r.eventId } }) as ExportedRating,
      ),
    );
}
