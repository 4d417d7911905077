import { HOUR_MS, VIETNAM_TIME_ZONE } from '@onestop/protocol';
import { type SQL, type SQLWrapper, sql } from 'drizzle-orm';

/**
 * The SQL forms of protocol's Vietnam time, generated from the same constants so that the
 * database and TypeScript can never disagree on an hour or a day. Constants are inlined (not bound
 * parameters) so that statements keep one text and one plan.
 */

/** `hourBucket` in SQL: a device timestamp in ms (bigint) to the timestamptz of its hour. */
export function hourBucketSql(ms: SQL): SQL {
  return sql`to_timestamp((${ms} / ${sql.raw(String(HOUR_MS))}) * ${sql.raw(String(HOUR_MS / 1000))})`;
}

/** A timestamptz as seen on a wall clock in Vietnam (timestamp without time zone). */
export function inVietnamSql(at: SQLWrapper): SQL {
  return sql`(${at} at time zone ${sql.raw(`'${VIETNAM_TIME_ZONE}'`)})`;
}

/** The hour of the day (0–23) in Vietnam of a timestamptz. */
export function vietnamHourOfDaySql(at: SQLWrapper): SQL<number> {
  return sql<number>`extract(hour from ${inVietnamSql(at)})::int`;
}

/**
 * The Vietnam calendar date (`YYYY-MM-DD`) on which the day or the week (ISO: Monday first, as
 * report periods count weeks) containing a timestamptz begins.
 */
export function vietnamStartDateSql(at: SQLWrapper, step: 'day' | 'week'): SQL<string> {
  return sql<string>`to_char(date_trunc(${sql.raw(`'${step}'`)}, ${inVietnamSql(at)}), 'YYYY-MM-DD')`;
}

/** The ISO day of the week in Vietnam of a timestamptz: Monday 1 … Sunday 7. */
export function vietnamWeekdaySql(at: SQLWrapper): SQL<number> {
  return sql<number>`extract(isodow from ${inVietnamSql(at)})::int`;
}
