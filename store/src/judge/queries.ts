import type { AttributionReason, FilterReason } from '@onestop/evaluation';
import { and, desc, eq, gte, isNotNull, isNull, lt, or, sql } from 'drizzle-orm';
import type { Executor } from '../db.js';
import { namedOfficerOfUnit } from '../reports.js';
import { rollupsOver } from '../rollups-over.js';
import { hourlyRollups, officers, ratings } from '../schema.js';

/** Instants `from` ≤ t < `to`; report periods are whole Vietnam days, so whole hours. */
export interface JudgedPeriod {
  from: Date;
  to: Date;
}

/** What happened to one counter's ratings in a period: every rating is in exactly one of these. */
export interface CounterJudgement {
  counterId: string;
  /** Counted for the officer signed in (verified, not filtered). */
  counted: number;
  /** Attribution failed, no filter caught them: count for nobody. */
  unverified: number;
  /** Caught by a misuse filter: kept and shown, count for nobody. */
  filtered: number;
  /** Time could not be placed; by the time the centre received them. Count nowhere. */
  quarantined: number;
}

/**
 * Per counter of a unit in a period: counted, unverified and filtered ratings (from the hourly
 * roll-ups, by placed time) and quarantined ones (from `ratings`, by received time, as they have
 * no placed time). Counters with none of these are left out. Sorted by counter.
 */
export async function judgementByCounter(
  db: Executor,
  q: { unitId: string; period: JudgedPeriod },
): Promise<CounterJudgement[]> {
  const [rolled, quarantined] = await Promise.all([
    db
      .select({
        counterId: hourlyRollups.counterId,
        counted: sql<number>`sum(${hourlyRollups.ratings})::int`,
        unverified: sql<number>`sum(${hourlyRollups.unverified})::int`,
        filtered: sql<number>`sum(${hourlyRollups.filtered})::int`,
      })
      // Whole months and days from their roll-ups: a year is ~12 rows per counter and officer.
      .from(rollupsOver(q.period, 'counterMonth'))
      .where(
        and(
          eq(hourlyRollups.unitId, q.unitId),
          gte(hourlyRollups.hour, q.period.from),
          lt(hourlyRollups.hour, q.period.to),
        ),
      )
      .groupBy(hourlyRollups.counterId),
    db
      .select({ counterId: ratings.counterId, n: sql<number>`count(*)::int` })
      .from(ratings)
      .where(
        and(
          eq(ratings.unitId, q.unitId),
          isNull(ratings.at),
          gte(ratings.serverTs, q.period.from),
          lt(ratings.serverTs, q.period.to),
        ),
      )
      .groupBy(ratings.counterId),
  ]);
  const out = new Map<string, CounterJudgement>();
  const row = (counterId: string) => {
    const r = out.get(counterId) ?? { counterId, counted: 0, unverified: 0, filtered: 0, quarantined: 0 };
    out.set(counterId, r);
    return r;
  };
  for (const r of rolled) {
    if (r.counted + r.unverified + r.filtered === 0) continue;
    Object.assign(row(r.counterId), { counted: r.counted, unverified: r.unverified, filtered: r.filtered });
  }
  for (const r of quarantined) row(r.counterId).quarantined = r.n;
  return [...out.values()].sort((a, b) => a.counterId.localeCompare(b.counterId));
}

/**
 * The two lists behind a counter's uncounted numbers, split as the roll-ups split them
 * (`contributionsSql`): `filtered` when a misuse filter caught it, whatever its attribution;
 * otherwise `unverified`.
 */
export const UNCOUNTED_KINDS = ['unverified', 'filtered'] as const;
export type UncountedKind = (typeof UNCOUNTED_KINDS)[number];

/** A rating that counts for nobody, with the reasons a leader needs to defend or question it. */
export interface UncountedRating {
  eventId: string;
  /** Which of the counter's uncounted numbers it is part of. */
  kind: UncountedKind;
  counterId: string;
  deviceId: string;
  /** The officer the device named (not credited). */
  officerId: string | null;
  officerName: string | null;
  at: Date;
  scale: string;
  level: number;
  official: string;
  visitId: string | null;
  dossierIds: string[];
  attribution: 'verified' | 'unverified';
  attributionReason: AttributionReason | null;
  filterReason: FilterReason | null;
}

/**
 * The unverified and filtered ratings of a unit (optionally one counter, one kind) placed in a
 * period, newest first, at most `limit` after skipping `offset` (a page): per counter and kind,
 * as many as `judgementByCounter` counts, which is the list's total.
 */
export async function uncountedRatings(
  db: Executor,
  q: {
    unitId: string;
    counterId?: string | undefined;
    kind?: UncountedKind | undefined;
    period: JudgedPeriod;
    limit: number;
    offset?: number | undefined;
  },
): Promise<UncountedRating[]> {
  const filtered = isNotNull(ratings.filterReason);
  const unverified = and(eq(ratings.attribution, 'unverified'), isNull(ratings.filterReason));
  const rows = await db
    .select({
      eventId: ratings.eventId,
      kind: sql<UncountedKind>`case when ${filtered} then 'filtered' else 'unverified' end`,
      counterId: ratings.counterId,
      deviceId: ratings.deviceId,
      officerId: ratings.officerId,
      officerName: officers.name,
      at: ratings.at,
      scale: ratings.scale,
      level: ratings.level,
      official: ratings.official,
      visitId: ratings.visitId,
      dossierIds: ratings.dossierIds,
      attribution: ratings.attribution,
      attributionReason: ratings.attributionReason,
      filterReason: ratings.filterReason,
    })
    .from(ratings)
    .leftJoin(officers, namedOfficerOfUnit)
    .where(
      and(
        eq(ratings.unitId, q.unitId),
        q.counterId === undefined ? undefined : eq(ratings.counterId, q.counterId),
        gte(ratings.at, q.period.from),
        lt(ratings.at, q.period.to),
        q.kind === 'filtered' ? filtered : q.kind === 'unverified' ? unverified : or(filtered, unverified),
      ),
    )
    .orderBy(desc(ratings.at), desc(ratings.eventId))
    .limit(q.limit)
    .offset(q.offset ?? 0);
  return rows.map((r) => ({
    ...r,
    at: r.at as Date,
    attribution: r.attribution as UncountedRating['attribution'],
    attributionReason: r.attributionReason as AttributionReason | null,
    filterReason: r.filterReason as FilterReason | null,
  }));
}
