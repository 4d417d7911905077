/**
 * Vietnam time, defined once for every part (devices, store, dashboard). Vietnam has kept
 * UTC+07:00 all year since 1975, with no daylight saving, so its days are fixed offsets of UTC
 * and its hours line up with UTC hours: an hour bucket needs no time zone at all.
 * Counter boards often run on UTC; code that needs "today" or "17:30" in Vietnam goes through here.
 */

/** The IANA name, for `Intl`/`toLocaleString` and SQL `at time zone`. */
export const VIETNAM_TIME_ZONE = 'Asia/Ho_Chi_Minh';
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** UTC+07:00 in ms, constant all year. */
export const VIETNAM_OFFSET_MS = 7 * HOUR_MS;

/** The start of the hour containing `ms` (same in UTC and Vietnam time, the offset being whole hours). */
export function hourBucket(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** The instant at which the Vietnam calendar day containing `ms` begins (00:00 in Hanoi). */
export function startOfVietnamDay(ms: number): number {
  const local = ms + VIETNAM_OFFSET_MS;
  return local - (((local % DAY_MS) + DAY_MS) % DAY_MS) - VIETNAM_OFFSET_MS;
}

/** The Vietnam calendar date of `ms` as `YYYY-MM-DD`. */
export function vietnamDate(ms: number): string {
  return new Date(ms + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);
}

/**
 * The instant at which the Vietnam calendar date `YYYY-MM-DD` begins (00:00 in Hanoi): the inverse
 * of `vietnamDate`. The caller checks that the date is real (`Date.parse` rolls 30 February over).
 */
export function startOfVietnamDate(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) - VIETNAM_OFFSET_MS;
}
