import type { OfficialCounts } from '@onestop/evaluation';
import { type AnyColumn, and, desc, eq, gt, gte, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import { namedOfficerOfUnit, type Period, type RatingRow, ratingColumns } from './reports.js';
import { rollupsOver } from './rollups-over.js';
import { rosterOfficer } from './roster.js';
import {
  comments,
  devices,
  expressionSummaries,
  hourlyRollups,
  officers,
  presenceIntervals,
  ratings,
} from './schema.js';
import type { Found } from './search.js';

/**
 * The drill-down's last step: the ratings themselves behind a figure, of one officer or one
 * counter of a unit, with what a leader needs beside each (reasons, the comment left on the same
 * dossier, the camera's estimate of the same visit). Every query runs on an index:
 * `ratings_officer_at_idx`, `ratings_unit_counter_at_idx`, `comments_dossier_idx`,
 * `expr_visit_idx`.
 */
export interface DrillQuery {
  /** The unit whose ratings are listed: an officer's ratings only in the unit the viewer may see. */
  unitId: string;
  officerId?: string;
  counterId?: string;
  period: Period;
  limit: number;
  offset: number;
}

/** A comment the citizen left naming the rating's dossier. */
export interface LinkedComment {
  id: number;
  dossierId: string;
  kind: string | null;
  body: string;
  createdAt: Date;
}

/** The camera's expression estimate of the rating's visit: apart, never in the official figure. */
export interface CameraEstimate {
  /** 0–100, the expression index of the visit. */
  index: number;
  confidence: number;
  /** The models that produced it (`birth.models` of its boot), null when unknown. */
  models: Array<{ name: string; sha256: string }> | null;
}

export type DrillRating = RatingRow & {
  reasons: string[];
  comments: LinkedComment[];
  camera: CameraEstimate | null;
};

function drillWhere(q: DrillQuery) {
  return and(
    eq(ratings.unitId, q.unitId),
    q.officerId === undefined ? undefined : eq(ratings.officerId, q.officerId),
    q.counterId === undefined ? undefined : eq(ratings.counterId, q.counterId),
    gte(ratings.at, q.period.from),
    lt(ratings.at, q.period.to),
  );
}

/**
 * One page of the placed ratings naming the officer (or made at the counter) in the period,
 * newest first, counted or not (an uncounted one says why on the page), and how many in all.
 */
export async function drillRatings(db: Executor, q: DrillQuery): Promise<Found<DrillRating>> {
  const where = drillWhere(q);
  const [rows, totals] = await Promise.all([
    db
      .select({ ...ratingColumns, reasons: ratings.reasons, visitId: ratings.visitId })
      .from(ratings)
      .leftJoin(officers, namedOfficerOfUnit)
      .where(where)
      .orderBy(desc(ratings.at), desc(ratings.eventId))
      .limit(q.limit)
      .offset(q.offset),
    db.select({ n: sql<number>`count(*)::int` }).from(ratings).where(where),
  ]);
  const dossiers = [...new Set(rows.flatMap((r) => r.dossierIds))];
  const visitIds = [...new Set(rows.flatMap((r) => (r.visitId ? [r.visitId] : [])))];
  const [linked, camera] = await Promise.all([
    dossiers.length === 0
      ? []
      : db
          .select({
            id: comments.id,
            dossierId: sql<string>`${comments.dossierId}`,
            officerId: comments.officerId,
            kind: comments.kind,
            body: comments.body,
            createdAt: comments.createdAt,
          })
          .from(comments)
          // Only the unit's own comments: the page is of this unit.
          .where(and(inArray(comments.dossierId, dossiers), eq(comments.unitId, q.unitId)))
          .orderBy(comments.createdAt, comments.id),
    visitIds.length === 0
      ? []
      : db
          .select({
            visitId: expressionSummaries.visitId,
            index: expressionSummaries.satisfactionIndex,
            confidence: expressionSummaries.confidence,
            models: expressionSummaries.models,
          })
          .from(expressionSummaries)
          .where(inArray(expressionSummaries.visitId, visitIds)),
  ]);
  const cameraOf = new Map(
    camera.map((c) => [c.visitId, { index: c.index, confidence: c.confidence, models: c.models }]),
  );
  return {
    total: totals[0]?.n ?? 0,
    rows: rows.map(({ visitId, ...r }) => ({
      ...r,
      // The comment on the rating's dossier, unless it names another officer (a dossier passes
      // through several counters: a complaint about a colleague is not about this rating).
      comments: linked
        .filter(
          (c) => r.dossierIds.includes(c.dossierId) && (c.officerId === null || c.officerId === r.officerId),
        )
        .map(({ officerId: _, ...c }) => c),
      camera: visitId ? (cameraOf.get(visitId) ?? null) : null,
    })),
  };
}

/** Longer sessions are not read back: a session left open for days is closed by the centre. */
const LONGEST_SESSION_MS = 24 * 3_600_000;

/**
 * How long the officer was signed in at a counter of the unit in the period, in milliseconds,
 * each session clipped to the period (an open one runs to `now`).
 */
export async function officerPresenceMs(
  db: Executor,
  q: { officerId: string; unitId: string; period: Period; now: Date },
): Promise<number> {
  const rows = await db
    .select({ startedAt: presenceIntervals.startedAt, endedAt: presenceIntervals.endedAt })
    .from(presenceIntervals)
    .where(
      and(
        eq(presenceIntervals.officerId, q.officerId),
        eq(presenceIntervals.kind, 'session'),
        eq(presenceIntervals.unitId, q.unitId),
        // Bounded below so that `presence_officer_started_idx` reads only the period's sessions.
        gte(presenceIntervals.startedAt, new Date(q.period.from.getTime() - LONGEST_SESSION_MS)),
        lt(presenceIntervals.startedAt, q.period.to),
        or(isNull(presenceIntervals.endedAt), gt(presenceIntervals.endedAt, q.period.from)),
      ),
    );
  const end = Math.min(q.period.to.getTime(), q.now.getTime());
  return rows.reduce((ms, r) => {
    const from = Math.max(r.startedAt.getTime(), q.period.from.getTime());
    const to = Math.min(r.endedAt?.getTime() ?? end, end, q.period.to.getTime());
    return ms + Math.max(0, to - from);
  }, 0);
}

/** An officer as the roster holds them (their current unit decides who may see their ratings). */
export async function findOfficer(db: Executor, officerId: string) {
  const [officer] = await db.select().from(officers).where(eq(officers.id, officerId)).limit(1);
  return officer ?? null;
}

/** Whether a device of the unit serves this counter (`devices_unit_counter_idx`). */
export async function counterOfUnit(db: Executor, unitId: string, counterId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: devices.id })
    .from(devices)
    .where(and(eq(devices.unitId, unitId), eq(devices.counterId, counterId)))
    .limit(1);
  return row !== undefined;
}

/** An officer credited with ratings at one counter in a period (from the roll-ups). */
export interface CounterOfficer extends OfficialCounts {
  officerId: string;
  /** Only from the unit's roster. */
  officerName: string | null;
}

/** Who was credited with counted ratings at the counter in the period, most ratings first. */
export async function counterOfficers(
  db: Executor,
  q: { unitId: string; counterId: string; period: Period },
): Promise<CounterOfficer[]> {
  const sum = (c: AnyColumn) => sql<number>`coalesce(sum(${c}), 0)::int`;
  return db
    .select({
      officerId: hourlyRollups.officerId,
      officerName: officers.name,
      verySatisfied: sum(hourlyRollups.verySatisfied),
      satisfied: sum(hourlyRollups.satisfied),
      unsatisfied: sum(hourlyRollups.unsatisfied),
    })
    .from(rollupsOver(q.period, 'counterMonth'))
    .leftJoin(officers, rosterOfficer(hourlyRollups.officerId, hourlyRollups.unitId))
    .where(
      and(
        eq(hourlyRollups.unitId, q.unitId),
        eq(hourlyRollups.counterId, q.counterId),
        // '' is the roll-up row of ratings credited to nobody: not an officer.
        ne(hourlyRollups.officerId, ''),
        gte(hourlyRollups.hour, q.period.from),
        lt(hourlyRollups.hour, q.period.to),
      ),
    )
    .groupBy(hourlyRollups.officerId, officers.name)
    .orderBy(
      desc(
        sql`sum(${hourlyRollups.verySatisfied} + ${hourlyRollups.satisfied} + ${hourlyRollups.unsatisfied})`,
      ),
      hourlyRollups.officerId,
    );
}
