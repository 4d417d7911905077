import { describe, expect, it } from 'vitest';
import {
  hourBucket,
  startOfVietnamDate,
  startOfVietnamDay,
  VIETNAM_OFFSET_MS,
  vietnamDate,
} from './vietnam-time.js';

describe('Vietnam time', () => {
  it('buckets by the hour and agrees with the IANA zone on offset and day', () => {
    const t = Date.UTC(2025, 8, 1, 16, 59, 59, 999); // 23:59:59.999 in Hanoi
    expect(hourBucket(t)).toBe(Date.UTC(2025, 8, 1, 16));
    expect(vietnamDate(t)).toBe('2025-09-01');
    expect(vietnamDate(t + 1)).toBe('2025-09-02');
    expect(startOfVietnamDay(t)).toBe(Date.UTC(2025, 7, 31, 17));
    expect(startOfVietnamDay(t + 1)).toBe(Date.UTC(2025, 8, 1, 17));
    const hanoi = new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Asia/Ho_Chi_Minh',
      hour: '2-digit',
      hourCycle: 'h23',
    });
    expect(Number(hanoi.format(t))).toBe(new Date(t + VIETNAM_OFFSET_MS).getUTCHours());
  });

  it('starts a calendar date at 00:00 in Hanoi, the inverse of vietnamDate', () => {
    expect(startOfVietnamDate('2025-09-02')).toBe(Date.UTC(2025, 8, 1, 17));
    for (const ms of [
      Date.UTC(2024, 1, 28, 17),
      Date.UTC(2024, 1, 29, 16, 59, 59, 999),
      Date.UTC(2026, 11, 31, 17),
    ]) {
      const start = startOfVietnamDate(vietnamDate(ms));
      expect(start).toBe(startOfVietnamDay(ms));
      expect(vietnamDate(start)).toBe(vietnamDate(ms));
      expect(vietnamDate(start - 1)).not.toBe(vietnamDate(ms));
    }
  });
});
