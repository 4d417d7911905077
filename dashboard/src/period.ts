import { z } from 'zod';

/** Vietnam has one time zone (UTC+7, no daylight saving): day boundaries are fixed offsets. */
const VN_OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;

export const PeriodQuery = z.strictObject({
  days: z.coerce.number().int().min(1).max(366).default(1),
  lang: z.enum(['vi', 'en']).optional(),
});

export function startOfVietnamDay(now: Date): Date {
  const local = now.getTime() + VN_OFFSET_MS;
  return new Date(local - (local % DAY_MS) - VN_OFFSET_MS);
}

/** The last `days` calendar days in Vietnam, ending at the end of today. */
export function periodOfDays(days: number, now: Date): { from: Date; to: Date } {
  const today = startOfVietnamDay(now);
  return { from: new Date(today.getTime() - (days - 1) * DAY_MS), to: new Date(today.getTime() + DAY_MS) };
}

export function formatVietnamTime(d: Date): string {
  return d.toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', hour12: false });
}
