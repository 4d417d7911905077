import { DAY_MS, HOUR_MS } from '@onestop/protocol';
import type { AlertChange } from '../alerts.js';
import { CLOCK_TOLERANCE_MS } from './placement.js';

/** The device clock disagrees with its boot's monotonic clock by more than the tolerance. */
export const CLOCK_SKEW_ALERT = 'clock_skew';
/** Events of the device could not be placed in time: stored, counted nowhere. */
export const QUARANTINE_ALERT = 'quarantined_events';

/**
 * A quarantine alert stays open until the device has gone this long without an event set aside:
 * long enough for a technician to see it on the next working day, short enough not to linger
 * once the clock is fixed. (The quarantined events themselves stay listed on the devices page.)
 */
export const QUARANTINE_ALERT_QUIET_MS = DAY_MS;

/** What one batch showed of one device's clock, and the device's open time alerts. */
export interface DeviceClockReport {
  deviceId: string;
  /** `ts − (anchor + mono)` of the device's latest live event with an anchor, if any. */
  liveOffsetMs: number | null;
  /** Events of this batch quarantined. */
  quarantined: number;
  skewAlertOpen: boolean;
  quarantineAlertOpen: boolean;
  /** When the device's last quarantined event was received (looked up while its alert is open). */
  lastQuarantinedAtMs: number | null;
}

/** Only changes: opening what is not open, resolving what is. */
export function clockAlertChanges(
  reports: readonly DeviceClockReport[],
  receivedAtMs: number,
): AlertChange[] {
  const changes: AlertChange[] = [];
  for (const r of reports) {
    if (r.liveOffsetMs !== null) {
      const skewed = Math.abs(r.liveOffsetMs) > CLOCK_TOLERANCE_MS;
      if (skewed && !r.skewAlertOpen)
        changes.push({ deviceId: r.deviceId, kind: CLOCK_SKEW_ALERT, message: skewMessage(r.liveOffsetMs) });
      if (!skewed && r.skewAlertOpen)
        changes.push({ deviceId: r.deviceId, kind: CLOCK_SKEW_ALERT, message: null });
    }
    if (r.quarantined > 0 && !r.quarantineAlertOpen)
      changes.push({
        deviceId: r.deviceId,
        kind: QUARANTINE_ALERT,
        message: quarantineMessage(r.quarantined),
      });
    if (
      r.quarantined === 0 &&
      r.quarantineAlertOpen &&
      (r.lastQuarantinedAtMs ?? 0) <= receivedAtMs - QUARANTINE_ALERT_QUIET_MS
    )
      changes.push({ deviceId: r.deviceId, kind: QUARANTINE_ALERT, message: null });
  }
  return changes;
}

const UNITS: ReadonlyArray<readonly [number, string, string]> = [
  [365 * DAY_MS, 'năm', 'y'],
  [DAY_MS, 'ngày', 'd'],
  [HOUR_MS, 'giờ', 'h'],
  [60_000, 'phút', 'min'],
  [1_000, 'giây', 's'],
];

/** A duration in its two largest units, in Vietnamese and English: "56 năm 11 ngày", "56 y 11 d". */
export function spellDuration(ms: number): { vi: string; en: string } {
  let rest = Math.abs(ms);
  const parts: Array<readonly [number, string, string]> = [];
  for (const [size, vi, en] of UNITS) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push([n, vi, en]);
    if (parts.length === 2) break;
  }
  const used = parts.filter(([n]) => n > 0);
  if (used.length === 0) return { vi: '0 giây', en: '0 s' };
  return {
    vi: used.map(([n, vi]) => `${n} ${vi}`).join(' '),
    en: used.map(([n, , en]) => `${n} ${en}`).join(' '),
  };
}

/** Vietnamese first, then English, as technicians of either language read the alert. */
function skewMessage(offsetMs: number): string {
  const d = spellDuration(offsetMs);
  return offsetMs > 0
    ? `Đồng hồ thiết bị nhanh ${d.vi} · device clock ${d.en} ahead`
    : `Đồng hồ thiết bị chậm ${d.vi} · device clock ${d.en} behind`;
}

function quarantineMessage(n: number): string {
  return `${n} sự kiện không xác định được thời điểm, đã cách ly và không được tính · ${n} event(s) quarantined: their time cannot be placed, not counted`;
}
