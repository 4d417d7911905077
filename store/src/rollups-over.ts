import { wholeMonthsOf, wholeWeeksOf } from '@onestop/evaluation';
import { DAY_MS, startOfVietnamDay, vietnamDate } from '@onestop/protocol';
import { type SQL, Subquery, sql } from 'drizzle-orm';
import type { Period } from './reports.js';

const SUMS = `ratings, very_satisfied, satisfied, unsatisfied, score_sum, unverified, filtered, visits,
  unrated_visits, expressions, expression_index_sum, expression_index_sq_sum`;

/**
 * The JSON columns of the roll-ups, read only by the callers that ask: PostgreSQL does not prune
 * an unused column out of the union below, and copying a JSON value per row cost the city's
 * yearly table and trend on PGlite more than their sums (measured: 38 → 15 ms and 29 → 16 ms).
 * `levels` exists at the counter grains only.
 */
export type RollupJson = 'levels' | 'reasons';

/**
 * What a period's roll-ups are read at: `counter`, every column of `hourly_rollups` (per counter
 * and officer, with levels), the whole days from `daily_rollups` (a daily or weekly trend);
 * `counterMonth`, as `counter` but the whole calendar months inside the period from
 * `monthly_rollups` (sums over the period only: the officer and counter tables); `unit`, only
 * `unit_id` and the summed figures (reasons included), the whole days from `unit_daily_rollups`
 * (a daily trend); `unitWeek`, as `unit` but the whole ISO weeks inside the period from
 * `unit_weekly_rollups` (sums over the period and weekly buckets only: the city table, a weekly
 * trend, a report's reasons).
 */
export type RollupGrain = 'counter' | 'counterMonth' | 'unit' | 'unitWeek';

/** A coarser table of whole weeks or months, keyed by its first day in `column`. */
interface Coarse {
  table: SQL;
  column: SQL;
  cut: typeof wholeWeeksOf;
}

const COUNTER_COLUMNS = `unit_id, counter_id, officer_id, ${SUMS}`;
const UNIT_COLUMNS = `unit_id, ${SUMS}`;
const GRAINS: Record<RollupGrain, { columns: string; days: SQL; coarse?: Coarse }> = {
  counter: { columns: COUNTER_COLUMNS, days: sql.raw('daily_rollups') },
  counterMonth: {
    columns: COUNTER_COLUMNS,
    days: sql.raw('daily_rollups'),
    coarse: { table: sql.raw('monthly_rollups'), column: sql.raw('month'), cut: wholeMonthsOf },
  },
  unit: { columns: UNIT_COLUMNS, days: sql.raw('unit_daily_rollups') },
  unitWeek: {
    columns: UNIT_COLUMNS,
    days: sql.raw('unit_daily_rollups'),
    coarse: { table: sql.raw('unit_weekly_rollups'), column: sql.raw('week'), cut: wholeWeeksOf },
  },
};

/**
 * The roll-ups of a period as a relation shaped and named like `hourly_rollups` (use it in
 * `.from()` / `.leftJoin()` in place of the table; column references and the `hour` filter stay
 * as they are): the whole Vietnam days inside the period come from `daily_rollups` (one row per
 * day, `hour` its midnight), the partial days at either edge from `hourly_rollups`. Both tables
 * hold the same figures (a trigger keeps the days in step with the hours), so a report reads a
 * year as 365 rows per counter and officer instead of ~2,600 and gives the same sums.
 * Only for sums over the period: a figure per hour of the day (heat maps) needs `hourly_rollups`.
 * The JSON columns (`json`) are there only when asked for.
 * At the `unit` grain, summed per unit and day (`unit_daily_rollups`, kept by a trigger on the
 * days), only `unit_id`, `hour` and the summed columns exist.
 */
export function rollupsOver(
  period: Period,
  grain: RollupGrain = 'counter',
  json: readonly RollupJson[] = [],
): Subquery<'hourly_rollups', Record<string, never>> {
  const { days, coarse } = GRAINS[grain];
  if (json.includes('levels') && (grain === 'unit' || grain === 'unitWeek'))
    throw new Error(`rollupsOver: the ${grain} grain has no levels`);
  const columns = sql.raw([GRAINS[grain].columns, ...json].join(', '));
  const hours = ([a, b]: EdgeSpan) =>
    sql`select ${columns}, hour from hourly_rollups
      where hour >= ${new Date(a).toISOString()}::timestamptz and hour < ${new Date(b).toISOString()}::timestamptz`;
  // A subquery aliased as the table: drizzle renders `(…) "hourly_rollups"` and types the
  // callers' `hourlyRollups` columns as it would for the table itself.
  const named = (body: SQL) =>
    new Subquery<'hourly_rollups', Record<string, never>>(body, {}, 'hourly_rollups');
  const split = wholeDaysOf(period);
  if (split.days === null) return named(hours(split.before));
  const parts: SQL[] = [];
  if (split.before[0] < split.before[1]) parts.push(hours(split.before));
  // A day's (or a week's Monday's, a month's first day's) midnight by arithmetic from the first day's, Vietnam keeping
  // one offset all year (protocol's VIETNAM_OFFSET_MS): a time zone conversion per row cost more
  // than the sum.
  const { first, last, firstMs } = split.days;
  const midnight = (column: SQL) => sql`${new Date(firstMs).toISOString()}::timestamptz
    + (${column} - ${first}::date) * interval '1 day'`;
  const dayRows = (a: string, b: string) =>
    sql`select ${columns}, ${midnight(sql`day`)} as hour from ${days}
    where day >= ${a}::date and day <= ${b}::date`;
  const within = coarse ? coarse.cut(first, last) : null;
  if (!coarse || within === null) parts.push(dayRows(first, last));
  else {
    if (within.before) parts.push(dayRows(...within.before));
    const { table, column } = coarse;
    parts.push(sql`select ${columns}, ${midnight(column)} as hour from ${table}
    where ${column} >= ${within.first}::date and ${column} <= ${within.last}::date`);
    if (within.after) parts.push(dayRows(...within.after));
  }
  if (split.after[0] < split.after[1]) parts.push(hours(split.after));
  return named(sql.join(parts, sql` union all `));
}

/** A span of instants `[from, to)` in ms. */
export type EdgeSpan = readonly [number, number];

/**
 * A period cut at Vietnam midnights: the whole days inside it (`first`…`last` as dates, null when
 * none) and the partial spans before and after them (empty when from == to). With no whole day,
 * `before` is the whole period. What a period reads from per-day tables and from the rows at its
 * edges, one rule for roll-ups and dossier outcomes alike.
 */
export function wholeDaysOf(period: Period): {
  before: EdgeSpan;
  days: { first: string; last: string; firstMs: number } | null;
  after: EdgeSpan;
} {
  const from = period.from.getTime();
  const to = period.to.getTime();
  const dayOfFrom = startOfVietnamDay(from);
  const firstWholeDay = dayOfFrom === from ? from : dayOfFrom + DAY_MS;
  const wholeDaysEnd = startOfVietnamDay(to);
  if (firstWholeDay >= wholeDaysEnd) return { before: [from, to], days: null, after: [to, to] };
  return {
    before: [from, firstWholeDay],
    // The last whole day itself, not the day after it: after 9999-12-31 there is no date to name
    // (the last reportable date's period ends at its Vietnam midnight).
    days: {
      first: vietnamDate(firstWholeDay),
      last: vietnamDate(wholeDaysEnd - DAY_MS),
      firstMs: firstWholeDay,
    },
    after: [wholeDaysEnd, to],
  };
}
