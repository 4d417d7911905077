import { and, desc, eq, gte, isNull, lt, or, sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import { vietnamHourOfDaySql } from './projections/vietnam-time-sql.js';
import { devices, hourlyRollups, officers, presenceIntervals, ratings, units } from './schema.js';

export interface Period {
  from: Date;
  to: Date;
}

export interface RatingRow {
  eventId: string;
  unitId: string;
  counterId: string;
  officerId: string | null;
  officerName: string | null;
  scale: string;
  level: number;
  official: string;
  score: number;
  source: string;
  dossierIds: string[];
  ticket: string | null;
  deviceTs: Date;
  serverTs: Date;
}

const ratingColumns = {
  eventId: ratings.eventId,
  unitId: ratings.unitId,
  counterId: ratings.counterId,
  officerId: ratings.officerId,
  officerName: officers.name,
  scale: ratings.scale,
  level: ratings.level,
  official: ratings.official,
  score: ratings.score,
  source: ratings.source,
  dossierIds: ratings.dossierIds,
  ticket: ratings.ticket,
  deviceTs: ratings.deviceTs,
  serverTs: ratings.serverTs,
};

/** Newest first. `storedSince` re-reads a window so that late-committing batches are not missed. */
export async function recentRatings(
  db: Executor,
  q: { unitId?: string | undefined; limit: number; storedSince?: Date | undefined },
): Promise<RatingRow[]> {
  const where = and(
    q.unitId ? eq(ratings.unitId, q.unitId) : undefined,
    q.storedSince ? gte(ratings.serverTs, q.storedSince) : undefined,
  );
  return db
    .select(ratingColumns)
    .from(ratings)
    .leftJoin(officers, eq(officers.id, ratings.officerId))
    .where(where)
    .orderBy(desc(ratings.serverTs), desc(ratings.eventId))
    .limit(q.limit);
}

export interface OfficerSummary {
  officerId: string | null;
  officerName: string | null;
  ratings: number;
  /** Count per pressed level, keyed `scale:level` since devices may differ. */
  levels: Record<string, number>;
  unsatisfied: number;
  /** Share not rated unsatisfied (Decision 766 wording), 0–1; null with no ratings. */
  satisfiedShare: number | null;
  meanScore: number | null;
  expression: ExpressionStats;
}

export interface ExpressionStats {
  /** Camera-observed visits behind the figure: shown beside it, never mixed into ratings. */
  samples: number;
  mean: number | null;
  /** Half-width of the 95 % confidence interval of the mean (normal approximation). */
  ci95: number | null;
}

export function expressionStats(n: number, sum: number, sqSum: number): ExpressionStats {
  if (n === 0) return { samples: 0, mean: null, ci95: null };
  const mean = sum / n;
  if (n < 2) return { samples: n, mean, ci95: null };
  const variance = Math.max(0, (sqSum - n * mean * mean) / (n - 1));
  return { samples: n, mean, ci95: 1.96 * Math.sqrt(variance / n) };
}

/** Per-officer evaluation of one unit in a period. Null officer = nobody signed in. */
export async function officerSummaries(
  db: Executor,
  unitId: string,
  period: Period,
): Promise<OfficerSummary[]> {
  // Roll-ups only, never the raw events: one row per officer (and hour) however many ratings.
  const rows = await db
    .select({
      officerId: hourlyRollups.officerId,
      officerName: officers.name,
      levels: hourlyRollups.levels,
      ratings: hourlyRollups.ratings,
      unsatisfied: hourlyRollups.unsatisfied,
      scoreSum: hourlyRollups.scoreSum,
      expressions: hourlyRollups.expressions,
      exprSum: hourlyRollups.expressionIndexSum,
      exprSq: hourlyRollups.expressionIndexSqSum,
    })
    .from(hourlyRollups)
    .leftJoin(officers, eq(officers.id, hourlyRollups.officerId))
    .where(
      and(
        eq(hourlyRollups.unitId, unitId),
        gte(hourlyRollups.hour, period.from),
        lt(hourlyRollups.hour, period.to),
      ),
    );

  type Acc = OfficerSummary & { scoreSum: number; exprN: number; exprSum: number; exprSq: number };
  const byOfficer = new Map<string, Acc>();
  for (const r of rows) {
    let e = byOfficer.get(r.officerId);
    if (!e) {
      e = {
        officerId: r.officerId === '' ? null : r.officerId,
        officerName: r.officerName,
        ratings: 0,
        levels: {},
        unsatisfied: 0,
        satisfiedShare: null,
        meanScore: null,
        expression: expressionStats(0, 0, 0),
        scoreSum: 0,
        exprN: 0,
        exprSum: 0,
        exprSq: 0,
      };
      byOfficer.set(r.officerId, e);
    }
    e.ratings += r.ratings;
    e.unsatisfied += r.unsatisfied;
    e.scoreSum += r.scoreSum;
    for (const [k, n] of Object.entries(r.levels)) e.levels[k] = (e.levels[k] ?? 0) + n;
    e.exprN += r.expressions;
    e.exprSum += r.exprSum;
    e.exprSq += r.exprSq;
  }
  return [...byOfficer.values()]
    .map(({ scoreSum, exprN, exprSum, exprSq, ...e }) => ({
      ...e,
      satisfiedShare: e.ratings > 0 ? (e.ratings - e.unsatisfied) / e.ratings : null,
      meanScore: e.ratings > 0 ? scoreSum / e.ratings : null,
      expression: expressionStats(exprN, exprSum, exprSq),
    }))
    .sort((a, b) => b.ratings - a.ratings || String(a.officerId).localeCompare(String(b.officerId)));
}

export interface UnitComparison {
  unitId: string;
  unitName: string;
  province: string;
  ratings: number;
  satisfiedShare: number | null;
  verySatisfiedShare: number | null;
  meanScore: number | null;
  visits: number;
  unratedVisits: number;
  expression: ExpressionStats;
}

/** The city centre's one screen: every unit side by side, from roll-ups only. */
export async function compareUnits(db: Executor, period: Period): Promise<UnitComparison[]> {
  const rows = await db
    .select({
      unitId: units.id,
      unitName: units.name,
      province: units.province,
      ratings: sql<number>`coalesce(sum(${hourlyRollups.ratings}), 0)::int`,
      verySatisfied: sql<number>`coalesce(sum(${hourlyRollups.verySatisfied}), 0)::int`,
      unsatisfied: sql<number>`coalesce(sum(${hourlyRollups.unsatisfied}), 0)::int`,
      scoreSum: sql<number>`coalesce(sum(${hourlyRollups.scoreSum}), 0)::int`,
      visits: sql<number>`coalesce(sum(${hourlyRollups.visits}), 0)::int`,
      unrated: sql<number>`coalesce(sum(${hourlyRollups.unratedVisits}), 0)::int`,
      exprN: sql<number>`coalesce(sum(${hourlyRollups.expressions}), 0)::int`,
      exprSum: sql<number>`coalesce(sum(${hourlyRollups.expressionIndexSum}), 0)::float8`,
      exprSq: sql<number>`coalesce(sum(${hourlyRollups.expressionIndexSqSum}), 0)::float8`,
    })
    .from(units)
    .leftJoin(
      hourlyRollups,
      and(
        eq(hourlyRollups.unitId, units.id),
        gte(hourlyRollups.hour, period.from),
        lt(hourlyRollups.hour, period.to),
      ),
    )
    .groupBy(units.id, units.name, units.province)
    .orderBy(units.id);
  return rows.map((r) => ({
    unitId: r.unitId,
    unitName: r.unitName,
    province: r.province,
    ratings: r.ratings,
    satisfiedShare: r.ratings > 0 ? (r.ratings - r.unsatisfied) / r.ratings : null,
    verySatisfiedShare: r.ratings > 0 ? r.verySatisfied / r.ratings : null,
    meanScore: r.ratings > 0 ? r.scoreSum / r.ratings : null,
    visits: r.visits,
    unratedVisits: r.unrated,
    expression: expressionStats(r.exprN, r.exprSum, r.exprSq),
  }));
}

/** One device with everything a technician looks at: state, birth, last telemetry. */
export async function deviceDetail(db: Executor, deviceId: string) {
  const [row] = await db.select().from(devices).where(eq(devices.id, deviceId)).limit(1);
  if (!row) return null;
  const { passwordHash: _secret, ...visible } = row;
  return visible;
}

export async function unitDevices(db: Executor, unitId: string | null) {
  return db
    .select({
      deviceId: devices.id,
      unitId: devices.unitId,
      counterId: devices.counterId,
      status: devices.status,
      lastSeenAt: devices.lastSeenAt,
      revokedAt: devices.revokedAt,
      agentVersion: devices.agentVersion,
      appliedConfigVersion: devices.appliedConfigVersion,
      telemetry: devices.telemetry,
    })
    .from(devices)
    .where(unitId ? eq(devices.unitId, unitId) : undefined)
    .orderBy(devices.unitId, devices.counterId, devices.id);
}

export async function listUnits(db: Executor) {
  return db.select().from(units).orderBy(units.id);
}

export async function findUnit(db: Executor, unitId: string) {
  const [unit] = await db.select().from(units).where(eq(units.id, unitId)).limit(1);
  return unit ?? null;
}

/** Who was signed in at which counter when: the basis every attribution can be checked against. */
export async function presenceIntervalsOf(db: Executor, unitId: string, period: Period) {
  return db
    .select({
      counterId: presenceIntervals.counterId,
      officerId: presenceIntervals.officerId,
      officerName: officers.name,
      startedAt: presenceIntervals.startedAt,
      endedAt: presenceIntervals.endedAt,
    })
    .from(presenceIntervals)
    .leftJoin(officers, eq(officers.id, presenceIntervals.officerId))
    .where(
      and(
        eq(presenceIntervals.unitId, unitId),
        eq(presenceIntervals.kind, 'session'),
        lt(presenceIntervals.startedAt, period.to),
        or(isNull(presenceIntervals.endedAt), gte(presenceIntervals.endedAt, period.from)),
      ),
    )
    .orderBy(presenceIntervals.counterId, desc(presenceIntervals.startedAt))
    .limit(200);
}

/** Unsatisfied ratings with the dossiers and reasons behind them, for follow-up. */
export async function unsatisfiedRatings(db: Executor, unitId: string, period: Period, limit = 100) {
  return db
    .select({ ...ratingColumns, reasons: ratings.reasons })
    .from(ratings)
    .leftJoin(officers, eq(officers.id, ratings.officerId))
    .where(
      and(
        eq(ratings.unitId, unitId),
        eq(ratings.official, 'unsatisfied'),
        gte(ratings.deviceTs, period.from),
        lt(ratings.deviceTs, period.to),
      ),
    )
    .orderBy(desc(ratings.deviceTs))
    .limit(limit);
}

/** An officer's own record: their ratings and how they spread over the hours of the day. */
export async function officerRecord(db: Executor, officerId: string, period: Period) {
  const [officer] = await db.select().from(officers).where(eq(officers.id, officerId)).limit(1);
  if (!officer) return null;
  const [summary] = (await officerSummaries(db, officer.unitId, period)).filter(
    (s) => s.officerId === officerId,
  );
  const byHour = await db
    .select({
      hour: vietnamHourOfDaySql(hourlyRollups.hour),
      ratings: sql<number>`sum(${hourlyRollups.ratings})::int`,
      unsatisfied: sql<number>`sum(${hourlyRollups.unsatisfied})::int`,
    })
    .from(hourlyRollups)
    .where(
      and(
        eq(hourlyRollups.officerId, officerId),
        // Only the officer's time in their current unit: whoever may see this unit sees that.
        eq(hourlyRollups.unitId, officer.unitId),
        gte(hourlyRollups.hour, period.from),
        lt(hourlyRollups.hour, period.to),
      ),
    )
    .groupBy(sql`1`)
    .orderBy(sql`1`);
  const latest = await db
    .select(ratingColumns)
    .from(ratings)
    .leftJoin(officers, eq(officers.id, ratings.officerId))
    .where(
      and(
        eq(ratings.officerId, officerId),
        eq(ratings.unitId, officer.unitId),
        gte(ratings.deviceTs, period.from),
        lt(ratings.deviceTs, period.to),
      ),
    )
    .orderBy(desc(ratings.deviceTs))
    .limit(50);
  return { officer, summary: summary ?? null, byHour, latest };
}
