import { type OfficialCounts, wholeMonthsOf } from '@onestop/evaluation';
import { type AnyColumn, and, eq, gte, lt, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import {
  vietnamHourOfDaySql,
  vietnamStartDateSql,
  vietnamWeekdaySql,
} from './projections/vietnam-time-sql.js';
import { rollupsOver, wholeDaysOf } from './rollups-over.js';
import { hourCell, hourlyRollups, unitDayHours, unitMonthHours } from './schema.js';

/**
 * Time series for the charts, from the hourly roll-ups only (never a scan of raw ratings): their
 * rating columns hold counted ratings only (`countsForOfficer`), so a chart shows exactly what the
 * tables count. One statement per chart.
 */

/** A unit, or every unit (the city) when `unitId` is null; `[from, to)` in instants. */
export interface TrendQuery {
  unitId: string | null;
  /** Narrowed to one officer's or one counter's roll-ups of the unit (drill-down pages). */
  officerId?: string;
  counterId?: string;
  from: Date;
  to: Date;
}

/** A day or an ISO week (Monday first), in Vietnam time. */
export type TrendStep = 'day' | 'week';

/** Counted ratings of one day or week; only days or weeks with roll-up rows are returned. */
export interface TrendBucket extends OfficialCounts {
  /** The Vietnam date the day or week begins on (a week's Monday may precede the period). */
  start: string;
}

function rollupsIn(q: TrendQuery): SQL | undefined {
  return and(
    q.unitId === null ? undefined : eq(hourlyRollups.unitId, q.unitId),
    q.officerId === undefined ? undefined : eq(hourlyRollups.officerId, q.officerId),
    q.counterId === undefined ? undefined : eq(hourlyRollups.counterId, q.counterId),
    gte(hourlyRollups.hour, q.from),
    lt(hourlyRollups.hour, q.to),
  );
}

const counted = (c: SQLWrapper) => sql<number>`coalesce(sum(${c}), 0)::int`;

/** Official counts per Vietnam day or week, oldest first. */
export async function satisfactionTrend(
  db: Executor,
  q: TrendQuery & { step: TrendStep },
): Promise<TrendBucket[]> {
  const sum = (c: AnyColumn, as: string) => sql<number>`sum(${c})`.as(as);
  // Summed per instant first (a day's or week's midnight: one per bucket and edge hour), dated
  // after: the time zone conversion and date text then run once per instant, not once per unit
  // and day (the city's year: ~60 instead of ~6,300; on PGlite 16 → 9 ms).
  const instants = db
    .select({
      hour: hourlyRollups.hour,
      verySatisfied: sum(hourlyRollups.verySatisfied, 'very_satisfied'),
      satisfied: sum(hourlyRollups.satisfied, 'satisfied'),
      unsatisfied: sum(hourlyRollups.unsatisfied, 'unsatisfied'),
    })
    // Whole days from the daily roll-ups: a day or week bucket is a sum of whole days. Per unit
    // and day (or whole week, for weekly buckets) when no counter or officer narrows the trend:
    // fewer rows, same sums.
    .from(
      rollupsOver(
        q,
        q.officerId !== undefined || q.counterId !== undefined
          ? 'counter'
          : q.step === 'week'
            ? 'unitWeek'
            : 'unit',
      ),
    )
    .where(rollupsIn(q))
    .groupBy(hourlyRollups.hour)
    .as('instants');
  return db
    .select({
      start: vietnamStartDateSql(instants.hour, q.step),
      verySatisfied: counted(instants.verySatisfied),
      satisfied: counted(instants.satisfied),
      unsatisfied: counted(instants.unsatisfied),
    })
    .from(instants)
    .groupBy(sql`1`)
    .orderBy(sql`1`);
}

/** Counted ratings in one Vietnam hour of the day on one weekday, summed over the period. */
export interface HourWeekdayVolume {
  /** ISO: Monday 1 … Sunday 7. */
  weekday: number;
  /** 0–23, Vietnam time. */
  hour: number;
  ratings: number;
}

/**
 * Where the load falls in the week (peak overload): counted ratings per Vietnam weekday and hour,
 * only cells with ratings, in order. A unit's or the city's whole days come from `unit_day_hours`
 * (365 rows per unit and year), the partial days at the edges and a narrowed query (an officer,
 * a counter) from `hourly_rollups`; both hold the same counts (a trigger keeps them in step).
 */
export async function ratingsByWeekdayAndHour(db: Executor, q: TrendQuery): Promise<HourWeekdayVolume[]> {
  const narrowed = q.officerId !== undefined || q.counterId !== undefined;
  const split = narrowed ? null : wholeDaysOf(q);
  const spans = split === null ? [[q.from, q.to] as const] : edgesOf(split);
  const cells = new Map<number, number>();
  const add = (weekday: number, hour: number, n: number) =>
    cells.set(weekday * 24 + hour, (cells.get(weekday * 24 + hour) ?? 0) + n);
  for (const [from, to] of spans)
    for (const c of await db
      .select({
        weekday: vietnamWeekdaySql(hourlyRollups.hour),
        hour: vietnamHourOfDaySql(hourlyRollups.hour),
        ratings: sql<number>`coalesce(sum(${hourlyRollups.verySatisfied} + ${hourlyRollups.satisfied} + ${hourlyRollups.unsatisfied}), 0)::int`,
      })
      .from(hourlyRollups)
      .where(rollupsIn({ ...q, from, to }))
      .groupBy(sql`1`, sql`2`))
      add(c.weekday, c.hour, c.ratings);
  if (split?.days) {
    // One sum per hour of the day, per weekday: ≤ 7 rows of 24 figures. Whole calendar months
    // from `unit_month_hours` (12 × 7 rows a year per unit), the days around them from the days.
    const perHour = sql.join(
      Array.from({ length: 24 }, (_, h) =>
        sql.raw(`coalesce(sum(${hourCell(h)}), 0)::int as ${hourCell(h)}`),
      ),
      sql`, `,
    );
    const cellColumns = sql.raw(Array.from({ length: 24 }, (_, h) => hourCell(h)).join(', '));
    const unit = q.unitId === null ? sql`` : sql`and unit_id = ${q.unitId}`;
    const days = (first: string, last: string) =>
      sql`select extract(isodow from day)::int as weekday, ${cellColumns} from ${unitDayHours}
        where day >= ${first}::date and day <= ${last}::date ${unit}`;
    const months = wholeMonthsOf(split.days.first, split.days.last);
    const parts: SQL[] = [];
    if (months === null) parts.push(days(split.days.first, split.days.last));
    else {
      if (months.before) parts.push(days(...months.before));
      parts.push(sql`select weekday, ${cellColumns} from ${unitMonthHours}
        where month >= ${months.first}::date and month <= ${months.last}::date ${unit}`);
      if (months.after) parts.push(days(...months.after));
    }
    const rows = (
      (await db.execute(sql`select weekday, ${perHour}
        from (${sql.join(parts, sql` union all `)}) cells
        group by 1`)) as unknown as { rows: Array<Record<string, number>> }
    ).rows;
    for (const r of rows) for (let h = 0; h < 24; h++) add(Number(r.weekday), h, Number(r[hourCell(h)]));
  }
  return [...cells]
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a - b)
    .map(([k, ratings]) => ({ weekday: Math.floor(k / 24), hour: k % 24, ratings }));
}

/** The partial spans of a split period, as dates, skipping empty ones. */
function edgesOf(split: ReturnType<typeof wholeDaysOf>): Array<readonly [Date, Date]> {
  const spans = split.days === null ? [split.before] : [split.before, split.after];
  return spans.filter(([a, b]) => a < b).map(([a, b]) => [new Date(a), new Date(b)] as const);
}
