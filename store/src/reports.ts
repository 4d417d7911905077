import {
  type AttributionReason,
  addCounts,
  type CameraSums,
  type DossierSatisfaction,
  type FilterReason,
  NO_RATINGS,
  type OfficialCounts,
  type RatingFigures,
  ratingFigures,
  ratingsIn,
  satisfiedShare,
} from '@onestop/evaluation';
import { type AnyColumn, and, desc, eq, gte, isNull, lt, or, sql } from 'drizzle-orm';
import { unionAll } from 'drizzle-orm/pg-core';
import { countsForOfficer } from './counted.js';
import type { Executor } from './db.js';
import {
  type DossierSatisfactionRow,
  dossierSatisfactionOver,
  noDossiers,
  type OverdueDossierSource,
} from './dossiers.js';
import { type FleetStatus, fleetWhere } from './fleet.js';
import { vietnamHourOfDaySql } from './projections/vietnam-time-sql.js';
import { rollupsOver } from './rollups-over.js';
import { rosterOfficer } from './roster.js';
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
  /** Only for an officer on this unit's roster: a page never names another unit's officer. */
  officerName: string | null;
  scale: string;
  level: number;
  official: string;
  score: number;
  source: string;
  dossierIds: string[];
  ticket: string | null;
  deviceTs: Date;
  /** The placed time (null: quarantined); periods and pages use it, never `deviceTs`. */
  at: Date | null;
  serverTs: Date;
  /** The centre's verdict: `verified` | `unverified` | `pending` (not judged yet, or quarantined). */
  attribution: string;
  attributionReason: AttributionReason | null;
  filterReason: FilterReason | null;
  /** Whether it counts in its officer's figures (`countsForOfficer`). */
  counted: boolean;
}

/** A rating as pages list it (`RatingRow`); the query joins `officers` on `namedOfficerOfUnit`. */
export const ratingColumns = {
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
  at: ratings.at,
  serverTs: ratings.serverTs,
  attribution: ratings.attribution,
  attributionReason: sql<AttributionReason | null>`${ratings.attributionReason}`,
  filterReason: sql<FilterReason | null>`${ratings.filterReason}`,
  counted: sql<boolean>`${countsForOfficer()}`.mapWith(Boolean),
};
/** The officer a rating names, joined only from the rating's unit's roster (`rosterOfficer`). */
export const namedOfficerOfUnit = rosterOfficer(ratings.officerId, ratings.unitId);

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
    .leftJoin(officers, namedOfficerOfUnit)
    .where(where)
    .orderBy(desc(ratings.serverTs), desc(ratings.eventId))
    .limit(q.limit);
}

/** What every roll-up based report reads of an hour: counted ratings, visits, camera sums. */
const rollupSums = {
  verySatisfied: hourlyRollups.verySatisfied,
  satisfied: hourlyRollups.satisfied,
  unsatisfied: hourlyRollups.unsatisfied,
  levels: hourlyRollups.levels,
  visits: hourlyRollups.visits,
  unratedVisits: hourlyRollups.unratedVisits,
  expressions: hourlyRollups.expressions,
  expressionSum: hourlyRollups.expressionIndexSum,
  expressionSqSum: hourlyRollups.expressionIndexSqSum,
};
type RollupRow = { [K in keyof typeof rollupSums]: (typeof rollupSums)[K]['_']['data'] };

interface Sums {
  official: OfficialCounts;
  levels: Record<string, number>;
  camera: CameraSums;
  visits: number;
  unratedVisits: number;
}

function emptySums(): Sums {
  return {
    official: NO_RATINGS,
    levels: {},
    camera: { samples: 0, sum: 0, sqSum: 0 },
    visits: 0,
    unratedVisits: 0,
  };
}

function addRow(s: Sums, r: RollupRow): void {
  s.official = addCounts(s.official, r);
  for (const [k, n] of Object.entries(r.levels)) s.levels[k] = (s.levels[k] ?? 0) + n;
  s.camera = {
    samples: s.camera.samples + r.expressions,
    sum: s.camera.sum + r.expressionSum,
    sqSum: s.camera.sqSum + r.expressionSqSum,
  };
  s.visits += r.visits;
  s.unratedVisits += r.unratedVisits;
}

/** Roll-up rows of a unit in the period, grouped by `keyOf`, summed in first-seen order. */
function sumBy<R extends RollupRow>(
  rows: readonly R[],
  keyOf: (r: R) => string,
): Map<string, { first: R; sums: Sums }> {
  const out = new Map<string, { first: R; sums: Sums }>();
  for (const r of rows) {
    const key = keyOf(r);
    let e = out.get(key);
    if (!e) {
      e = { first: r, sums: emptySums() };
      out.set(key, e);
    }
    addRow(e.sums, r);
  }
  return out;
}

function inPeriod(unitId: string, period: Period) {
  return and(
    eq(hourlyRollups.unitId, unitId),
    gte(hourlyRollups.hour, period.from),
    lt(hourlyRollups.hour, period.to),
  );
}

/**
 * One officer's evaluation in a period. The rating figures come from the roll-ups, whose rating
 * columns hold counted ratings only (`countsForOfficer`): `ratings` is the count credited to
 * this officer. Null officer: the row of ratings and camera samples with nobody signed in.
 */
export interface OfficerSummary extends RatingFigures {
  officerId: string | null;
  officerName: string | null;
  /** Count per pressed level, keyed `scale:level` since devices may differ. */
  levels: Record<string, number>;
  /** Decision 766, per dossier: the dossiers whose counted rating is credited to this officer. */
  dossierSatisfaction: DossierSatisfaction;
}

export interface ReportOptions {
  overdue?: OverdueDossierSource;
}

/** Per-officer evaluation of one unit in a period, most ratings first. */
export async function officerSummaries(
  db: Executor,
  unitId: string,
  period: Period,
  opts: ReportOptions = {},
): Promise<OfficerSummary[]> {
  const [tables] = await unitTables(db, unitId, [period], opts);
  return tables?.officers ?? [];
}

/** One counter's evaluation in a period: every counted rating made there, whoever was credited. */
export interface CounterSummary extends RatingFigures {
  counterId: string;
  levels: Record<string, number>;
  visits: number;
  unratedVisits: number;
}

export async function counterSummaries(
  db: Executor,
  unitId: string,
  period: Period,
): Promise<CounterSummary[]> {
  const [rows] = await unitRollups(db, unitId, [period]);
  return countersOf(rows ?? []);
}

/** A unit's officer and counter tables of one period (`officerSummaries`, `counterSummaries`). */
export interface UnitTables {
  officers: OfficerSummary[];
  counters: CounterSummary[];
}

/**
 * A unit's officer and counter tables for each period (a page's period and its previous one):
 * both tables from the same roll-up rows, every period's rows in one statement and every period's
 * dossier figures in another. On PGlite a page's statements run one after another, so a ward page
 * pays two reads here where it paid six.
 */
export async function unitTables<const P extends readonly Period[]>(
  db: Executor,
  unitId: string,
  periods: P,
  opts: ReportOptions = {},
): Promise<{ [K in keyof P]: UnitTables }> {
  const [rows, dossiers] = await Promise.all([
    unitRollups(db, unitId, periods),
    dossierSatisfactionOver(db, { unitId, by: 'officer' }, periods, opts.overdue),
  ]);
  return periods.map((_, i) => ({
    officers: officersOf(rows[i] ?? [], dossiers[i] ?? [], opts),
    counters: countersOf(rows[i] ?? []),
  })) as { [K in keyof P]: UnitTables };
}

type UnitRollupRow = RollupRow & { officerId: string; officerName: string | null; counterId: string };

/** A unit's roll-up rows of each period (whole months, days, edge hours), in one statement. */
async function unitRollups(
  db: Executor,
  unitId: string,
  periods: readonly Period[],
): Promise<UnitRollupRow[][]> {
  const [first, second, ...more] = periods.map((period, i) =>
    db
      .select({
        ...rollupSums,
        p: sql<number>`${sql.raw(String(i))}`.as('p'),
        officerId: hourlyRollups.officerId,
        officerName: officers.name,
        counterId: hourlyRollups.counterId,
      })
      // Roll-ups only for the counts: one row per officer, counter and month, day or hour.
      .from(rollupsOver(period, 'counterMonth', ['levels']))
      .leftJoin(officers, eq(officers.id, hourlyRollups.officerId))
      .where(inPeriod(unitId, period)),
  );
  if (!first) return [];
  const rows = await (second ? unionAll(first, second, ...more) : first);
  return periods.map((_, i) => rows.filter((r) => Number(r.p) === i));
}

function officersOf(
  rows: readonly UnitRollupRow[],
  dossiers: readonly DossierSatisfactionRow[],
  opts: ReportOptions,
): OfficerSummary[] {
  const dossiersOf = new Map(dossiers.map((d) => [d.officerId, d]));
  return [...sumBy(rows, (r) => r.officerId).values()]
    .map(({ first, sums }) => {
      const officerId = first.officerId === '' ? null : first.officerId;
      return {
        officerId,
        officerName: first.officerName,
        ...ratingFigures(sums.official, sums.camera),
        levels: sums.levels,
        dossierSatisfaction: dossiersOf.get(officerId) ?? noDossiers(opts.overdue),
      };
    })
    .sort((a, b) => b.ratings - a.ratings || String(a.officerId).localeCompare(String(b.officerId)));
}

function countersOf(rows: readonly UnitRollupRow[]): CounterSummary[] {
  return [...sumBy(rows, (r) => r.counterId).values()]
    .map(({ first, sums }) => ({
      counterId: first.counterId,
      ...ratingFigures(sums.official, sums.camera),
      levels: sums.levels,
      visits: sums.visits,
      unratedVisits: sums.unratedVisits,
    }))
    .sort((a, b) => a.counterId.localeCompare(b.counterId));
}

export interface UnitComparison extends RatingFigures {
  unitId: string;
  unitName: string;
  province: string;
  visits: number;
  unratedVisits: number;
  /** Decision 766, per dossier, over the unit's counted ratings and visits. */
  dossierSatisfaction: DossierSatisfaction;
}

/**
 * The city centre's one screen: every unit side by side, from roll-ups only. `opts.unitId`: that
 * unit's row alone (a ward's report), so a ward reads its own roll-ups and dossiers, not the city's.
 */
export async function compareUnits(
  db: Executor,
  period: Period,
  opts: ReportOptions & { unitId?: string } = {},
): Promise<UnitComparison[]> {
  const [rows] = await compareUnitsOver(db, [period], opts);
  return rows ?? [];
}

/**
 * `compareUnits` for several periods (a page's period and its previous one): the names read once,
 * every period's sums in one statement and every period's dossier figures in another.
 */
export async function compareUnitsOver<const P extends readonly Period[]>(
  db: Executor,
  periods: P,
  opts: ReportOptions & { unitId?: string } = {},
): Promise<{ [K in keyof P]: UnitComparison[] }> {
  const total = (c: AnyColumn, type: 'int' | 'float8' = 'int') =>
    sql<number>`coalesce(sum(${c}), 0)::${sql.raw(type)}`;
  // Summed per unit first, named after: joining `units` to the roll-ups with the callers' usual
  // `hour` filter left PostgreSQL a computed column it estimates at one row, and it re-read a
  // year's ~46,000 unit days once per unit (1.7 s for the city). The relation already holds the
  // period's rows only (`rollupsOver`), so no `hour` filter is needed here.
  const only = (column: AnyColumn) => (opts.unitId === undefined ? undefined : eq(column, opts.unitId));
  const sumsOver = (period: Period, i: number) =>
    db
      .select({
        p: sql<number>`${sql.raw(String(i))}`.as('p'),
        unitId: hourlyRollups.unitId,
        verySatisfied: total(hourlyRollups.verySatisfied),
        satisfied: total(hourlyRollups.satisfied),
        unsatisfied: total(hourlyRollups.unsatisfied),
        visits: total(hourlyRollups.visits),
        unratedVisits: total(hourlyRollups.unratedVisits),
        samples: total(hourlyRollups.expressions),
        sum: total(hourlyRollups.expressionIndexSum, 'float8'),
        sqSum: total(hourlyRollups.expressionIndexSqSum, 'float8'),
      })
      .from(rollupsOver(period, 'unitWeek'))
      .where(only(hourlyRollups.unitId))
      .groupBy(hourlyRollups.unitId);
  const [first, second, ...more] = periods.map(sumsOver);
  if (!first) return [] as unknown as { [K in keyof P]: UnitComparison[] };
  const [named, sums, dossiers] = await Promise.all([
    db
      .select({ unitId: units.id, unitName: units.name, province: units.province })
      .from(units)
      .where(only(units.id))
      .orderBy(units.id),
    second ? unionAll(first, second, ...more) : first,
    dossierSatisfactionOver(db, { unitId: opts.unitId ?? null, by: 'unit' }, periods, opts.overdue),
  ]);
  const nothing = {
    verySatisfied: 0,
    satisfied: 0,
    unsatisfied: 0,
    visits: 0,
    unratedVisits: 0,
    samples: 0,
    sum: 0,
    sqSum: 0,
  };
  return periods.map((_, i) => {
    const sumsOf = new Map(sums.filter((r) => Number(r.p) === i).map((r) => [r.unitId, r]));
    const dossiersOf = new Map((dossiers[i] ?? []).map((d) => [d.unitId, d]));
    return named.map((u) => {
      const { p: _p, ...r } = { ...nothing, p: i, ...sumsOf.get(u.unitId), ...u };
      return {
        unitId: r.unitId,
        unitName: r.unitName,
        province: r.province,
        ...ratingFigures(
          { verySatisfied: r.verySatisfied, satisfied: r.satisfied, unsatisfied: r.unsatisfied },
          { samples: r.samples, sum: r.sum, sqSum: r.sqSum },
        ),
        visits: r.visits,
        unratedVisits: r.unratedVisits,
        dossierSatisfaction: dossiersOf.get(r.unitId) ?? noDossiers(opts.overdue),
      };
    });
  }) as { [K in keyof P]: UnitComparison[] };
}

/** One device with everything a technician looks at: state, birth, last telemetry. */
export async function deviceDetail(db: Executor, deviceId: string) {
  const [row] = await db.select().from(devices).where(eq(devices.id, deviceId)).limit(1);
  if (!row) return null;
  const { passwordHash: _secret, ...visible } = row;
  return visible;
}

/** A device as the devices list (page and `/api/devices`) shows it. */
const deviceListColumns = {
  deviceId: devices.id,
  unitId: devices.unitId,
  counterId: devices.counterId,
  status: devices.status,
  lastSeenAt: devices.lastSeenAt,
  revokedAt: devices.revokedAt,
  agentVersion: devices.agentVersion,
  appliedConfigVersion: devices.appliedConfigVersion,
  telemetry: devices.telemetry,
};

/** One unit's devices (a ward leader's scope), or every device (null: the city, technicians). */
const devicesOf = (unitId: string | null) => (unitId ? eq(devices.unitId, unitId) : undefined);

/** By unit, counter and ID: the ID makes the order total, so pages never overlap. */
const deviceOrder = [devices.unitId, devices.counterId, devices.id] as const;

/** Every device in scope, by unit, counter and ID (the `/api/devices` contract: the whole list). */
export async function unitDevices(db: Executor, unitId: string | null) {
  return db
    .select(deviceListColumns)
    .from(devices)
    .where(devicesOf(unitId))
    .orderBy(...deviceOrder);
}

export type DeviceListRow = Awaited<ReturnType<typeof unitDevices>>[number];

/**
 * One page of `unitDevices` (same scope and order) and how many devices there are in all: a
 * city's thousand devices are not one page.
 */
export async function unitDevicesPage(
  db: Executor,
  q: { unitId: string | null; limit: number; offset: number; status?: FleetStatus; version?: string },
): Promise<{ total: number; rows: DeviceListRow[] }> {
  const where = fleetWhere(q);
  const [rows, [count]] = await Promise.all([
    db
      .select(deviceListColumns)
      .from(devices)
      .where(where)
      .orderBy(...deviceOrder)
      .limit(q.limit)
      .offset(q.offset),
    db.select({ n: sql<number>`count(*)::int` }).from(devices).where(where),
  ]);
  return { total: Number(count?.n ?? 0), rows };
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

/** Counted unsatisfied ratings of a unit placed in a period: the list and its count share it. */
function unsatisfiedIn(unitId: string, period: Period) {
  return and(
    eq(ratings.unitId, unitId),
    eq(ratings.official, 'unsatisfied'),
    countsForOfficer(),
    gte(ratings.at, period.from),
    lt(ratings.at, period.to),
  );
}

/**
 * Counted unsatisfied ratings with the dossiers and reasons behind them, for follow-up, newest
 * first: `limit` of them after skipping `offset` (a page of `countUnsatisfiedRatings`).
 */
export async function unsatisfiedRatings(
  db: Executor,
  unitId: string,
  period: Period,
  limit = 100,
  offset = 0,
) {
  return db
    .select({ ...ratingColumns, reasons: ratings.reasons })
    .from(ratings)
    .leftJoin(officers, namedOfficerOfUnit)
    .where(unsatisfiedIn(unitId, period))
    .orderBy(desc(ratings.at), desc(ratings.eventId))
    .limit(limit)
    .offset(offset);
}

/** How many ratings `unsatisfiedRatings` pages through (the unit's `ratings_unit_at_idx` range). */
export async function countUnsatisfiedRatings(db: Executor, unitId: string, period: Period): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(ratings)
    .where(unsatisfiedIn(unitId, period));
  return row?.n ?? 0;
}

/** An officer's own record: their counted ratings and how they spread over the hours of the day. */
export async function officerRecord(
  db: Executor,
  officerId: string,
  period: Period,
  opts: ReportOptions = {},
) {
  const [officer] = await db.select().from(officers).where(eq(officers.id, officerId)).limit(1);
  if (!officer) return null;
  // Three reads of one unit and period, side by side: the page waits for the slowest, not the sum.
  const [unitSummaries, hours, latest] = await Promise.all([
    officerSummaries(db, officer.unitId, period, opts),
    db
      .select({
        hour: vietnamHourOfDaySql(hourlyRollups.hour),
        verySatisfied: sql<number>`sum(${hourlyRollups.verySatisfied})::int`,
        satisfied: sql<number>`sum(${hourlyRollups.satisfied})::int`,
        unsatisfied: sql<number>`sum(${hourlyRollups.unsatisfied})::int`,
      })
      .from(hourlyRollups)
      .where(
        and(
          eq(hourlyRollups.officerId, officerId),
          // Only the officer's time in their current unit: whoever may see this unit sees that.
          inPeriod(officer.unitId, period),
        ),
      )
      .groupBy(sql`1`)
      .orderBy(sql`1`),
    db
      .select(ratingColumns)
      .from(ratings)
      .leftJoin(officers, namedOfficerOfUnit)
      .where(
        and(
          eq(ratings.officerId, officerId),
          eq(ratings.unitId, officer.unitId),
          countsForOfficer(),
          gte(ratings.at, period.from),
          lt(ratings.at, period.to),
        ),
      )
      .orderBy(desc(ratings.at))
      .limit(50),
  ]);
  const summary = unitSummaries.find((s) => s.officerId === officerId) ?? null;
  const byHour = hours.map(({ hour, ...official }) => ({
    hour,
    ratings: ratingsIn(official),
    official,
    satisfiedShare: satisfiedShare.compute(official),
  }));
  // The unit's officers too: the page compares the officer with the whole unit from the same rows.
  return { officer, summary, byHour, latest, unitSummaries };
}
