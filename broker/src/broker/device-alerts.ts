import type { StatusMessage, TelemetryMessage } from '@onestop/protocol';
import type { AlertChange } from '@onestop/store';

/** What a technician is called out for. The dashboard translates the kind; the detail is data. */
export type AlertKind =
  | 'offline'
  | 'outbox_filling'
  | 'dead_letters'
  | 'camera_error'
  | 'usb_device_missing'
  | 'overheating';

const TELEMETRY_KINDS: readonly AlertKind[] = [
  'outbox_filling',
  'dead_letters',
  'camera_error',
  'usb_device_missing',
  'overheating',
];
const CONNECTION_KINDS: readonly AlertKind[] = ['offline'];

/** An outbox this full means the device has not reached the ingest for a long while. */
const OUTBOX_ALERT_SHARE = 0.8;
/** Raspberry Pi firmware throttles at 80–85 °C; warn a little before. */
const HOT_C = 78;

export function telemetryAlerts(t: TelemetryMessage): Map<AlertKind, string> {
  const active = new Map<AlertKind, string>();
  if (t.outbox.depth >= OUTBOX_ALERT_SHARE * t.outbox.capacity)
    active.set('outbox_filling', `outbox ${t.outbox.depth}/${t.outbox.capacity}`);
  if (t.outbox.deadLetters > 0)
    active.set('dead_letters', `${t.outbox.deadLetters} event(s) refused by the server, kept on the device`);
  if (t.camera.state === 'error') active.set('camera_error', `camera: ${t.camera.error ?? 'error'}`);
  const missing = t.hid.filter((h) => h.state === 'missing' || h.state === 'error');
  if (missing.length > 0)
    active.set('usb_device_missing', missing.map((h) => `${h.role} ${h.state}`).join(', '));
  if (t.cpuTempC !== null && t.cpuTempC >= HOT_C)
    active.set('overheating', `CPU ${t.cpuTempC.toFixed(0)} °C`);
  return active;
}

export function connectionAlerts(state: StatusMessage['state']): Map<AlertKind, string> {
  // `stopped` is a graceful shutdown (maintenance, end of day): not an alert.
  return state === 'offline' ? new Map([['offline', 'connection lost without a goodbye']]) : new Map();
}

/**
 * Turns each device's current conditions into open/resolve changes: connection changes and
 * recoveries only when they change, telemetry conditions with every report while they last.
 * The first report about a device after a (re)start sends every kind in scope, so alerts left
 * open by another broker node or before a crash are resolved once the condition is gone.
 */
export class DeviceAlertTracker {
  private readonly known = new Map<string, Map<AlertKind, string>>();

  telemetry(deviceId: string, t: TelemetryMessage): AlertChange[] {
    return this.update(deviceId, 'telemetry', TELEMETRY_KINDS, telemetryAlerts(t));
  }

  connection(deviceId: string, state: StatusMessage['state']): AlertChange[] {
    return this.update(deviceId, 'connection', CONNECTION_KINDS, connectionAlerts(state));
  }

  /** After a failed write: forget the device so the next report re-sends everything. */
  forget(deviceId: string): void {
    this.known.delete(`telemetry:${deviceId}`);
    this.known.delete(`connection:${deviceId}`);
  }

  private update(
    deviceId: string,
    source: 'telemetry' | 'connection',
    scope: readonly AlertKind[],
    active: Map<AlertKind, string>,
  ): AlertChange[] {
    // Each source has its own "first report", so each can close its own stale alerts.
    const key = `${source}:${deviceId}`;
    const first = !this.known.has(key);
    const known = this.known.get(key) ?? new Map<AlertKind, string>();
    this.known.set(key, known);
    const changes: AlertChange[] = [];
    for (const kind of scope) {
      const now = active.get(kind);
      const before = known.get(kind);
      // A condition still reported by telemetry is sent again with each report (a no-op while its
      // alert is open: one open alert per device and kind): an alert cleared by hand while the
      // condition persists opens anew, as ThingsBoard re-raises, instead of staying silent.
      if (now !== undefined && (first || before === undefined || source === 'telemetry'))
        changes.push({ deviceId, kind, message: now });
      if (now === undefined && (first || before !== undefined))
        changes.push({ deviceId, kind, message: null });
      if (now === undefined) known.delete(kind);
      else known.set(kind, now);
    }
    return changes;
  }
}
