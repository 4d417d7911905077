import { DAY_MS, startOfVietnamDay as dayStart, VIETNAM_TIME_ZONE } from '@onestop/protocol';
import { z } from 'zod';

export const PeriodQuery = z.strictObject({
  days: z.coerce.number().int().min(1).max(366).default(1),
  lang: z.enum(['vi', 'en']).optional(),
});

export function startOfVietnamDay(now: Date): Date {
  return new Date(dayStart(now.getTime()));
}

/** The last `days` calendar days in Vietnam, ending at the end of today. */
export function periodOfDays(days: number, now: Date): { from: Date; to: Date } {
  const today = startOfVietnamDay(now);
  return { from: new Date(today.getTime() - (days - 1) * DAY_MS), to: new Date(today.getTime() + DAY_MS) };
}

export function formatVietnamTime(d: Date): string {
  return d.toLocaleString('vi-VN', { timeZone: VIETNAM_TIME_ZONE, hour12: false });
}
