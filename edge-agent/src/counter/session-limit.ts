import { DAY_MS, VIETNAM_OFFSET_MS } from '@onestop/protocol';

export interface SessionLimits {
  /** A session ends this many hours after sign-in. */
  maxHours: number;
  /** HH:MM in Vietnam time at which every session ends, or null. */
  endOfDay: string | null;
}

/**
 * When a session begun at `since` ends on its own: the earlier of `since + maxHours` and the first
 * `endOfDay` strictly after `since`. Always later than `since`, so an officer who badges in after
 * the end of the day is signed in until the next one, not signed out at once.
 */
export function sessionEndsAt(since: number, limits: SessionLimits): number {
  const byAge = since + Math.max(1, limits.maxHours * 3_600_000);
  if (limits.endOfDay === null) return byAge;
  const [h, m] = limits.endOfDay.split(':').map(Number) as [number, number];
  const cutOfDay = (h * 60 + m) * 60_000;
  const local = since + VIETNAM_OFFSET_MS;
  const midnight = local - (((local % DAY_MS) + DAY_MS) % DAY_MS);
  let cut = midnight + cutOfDay;
  if (cut <= local) cut += DAY_MS;
  return Math.min(byAge, cut - VIETNAM_OFFSET_MS);
}
