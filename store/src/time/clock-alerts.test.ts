import { describe, expect, it } from 'vitest';
import {
  CLOCK_SKEW_ALERT,
  clockAlertChanges,
  type DeviceClockReport,
  QUARANTINE_ALERT,
  QUARANTINE_ALERT_QUIET_MS,
  spellDuration,
} from './clock-alerts.js';
import { CLOCK_TOLERANCE_MS } from './placement.js';

const NOW = Date.UTC(2026, 10, 20, 3);
const report = (over: Partial<DeviceClockReport>): DeviceClockReport => ({
  deviceId: 'd1',
  liveOffsetMs: null,
  quarantined: 0,
  skewAlertOpen: false,
  quarantineAlertOpen: false,
  lastQuarantinedAtMs: null,
  ...over,
});

describe('clockAlertChanges', () => {
  it('opens a clock-skew alert past the tolerance, saying by how much, Vietnamese first', () => {
    const [change] = clockAlertChanges([report({ liveOffsetMs: -(3 * 3_600_000 + 5 * 60_000) })], NOW);
    expect(change).toEqual({
      deviceId: 'd1',
      kind: CLOCK_SKEW_ALERT,
      message: 'Đồng hồ thiết bị chậm 3 giờ 5 phút · device clock 3 h 5 min behind',
    });
    expect(clockAlertChanges([report({ liveOffsetMs: CLOCK_TOLERANCE_MS + 1 })], NOW)[0]?.message).toMatch(
      /^Đồng hồ thiết bị nhanh 2 phút/,
    );
  });

  it('resolves it when a live event is back within the tolerance, and sends nothing when nothing changed', () => {
    expect(
      clockAlertChanges([report({ liveOffsetMs: CLOCK_TOLERANCE_MS, skewAlertOpen: true })], NOW),
    ).toEqual([{ deviceId: 'd1', kind: CLOCK_SKEW_ALERT, message: null }]);
    expect(
      clockAlertChanges([report({ liveOffsetMs: 10 * CLOCK_TOLERANCE_MS, skewAlertOpen: true })], NOW),
    ).toEqual([]);
    // No live event with an anchor: the batch says nothing of the clock.
    expect(clockAlertChanges([report({ skewAlertOpen: true })], NOW)).toEqual([]);
  });

  it('opens a quarantine alert with the count, and resolves it only after a quiet day', () => {
    expect(clockAlertChanges([report({ quarantined: 3 })], NOW)[0]).toMatchObject({
      kind: QUARANTINE_ALERT,
      message: expect.stringMatching(/^3 sự kiện .* · 3 event\(s\) quarantined/),
    });
    const open = { quarantineAlertOpen: true };
    expect(clockAlertChanges([report({ ...open, quarantined: 1 })], NOW)).toEqual([]);
    expect(clockAlertChanges([report({ ...open, lastQuarantinedAtMs: NOW - 60_000 })], NOW)).toEqual([]);
    expect(
      clockAlertChanges([report({ ...open, lastQuarantinedAtMs: NOW - QUARANTINE_ALERT_QUIET_MS })], NOW),
    ).toEqual([{ deviceId: 'd1', kind: QUARANTINE_ALERT, message: null }]);
  });
});

describe('spellDuration', () => {
  it('spells the two largest units', () => {
    expect(spellDuration(56 * 365 * 86_400_000 + 11 * 86_400_000 + 5_000)).toEqual({
      vi: '56 năm 11 ngày',
      en: '56 y 11 d',
    });
    expect(spellDuration(3_600_000 + 30_000)).toEqual({ vi: '1 giờ', en: '1 h' });
    expect(spellDuration(-45_000)).toEqual({ vi: '45 giây', en: '45 s' });
    expect(spellDuration(10)).toEqual({ vi: '0 giây', en: '0 s' });
  });
});
