import type { TelemetryMessage } from '@onestop/protocol';
import { describe, expect, it } from 'vitest';
import { DeviceAlertTracker, telemetryAlerts } from './device-alerts.js';

const healthy: TelemetryMessage = {
  v: 1,
  deviceId: 'q01-a',
  bootId: '0193a0e4-7c1d-7000-8000-000000000001',
  ts: 1_764_400_000_000,
  uptimeS: 100,
  cpuTempC: 52,
  load1: 0.3,
  memUsedMb: 300,
  memTotalMb: 1024,
  camera: { state: 'running', fps: 5, inferenceMs: 12, error: null },
  outbox: { depth: 3, capacity: 1000, oldestTs: null, deadLetters: 0 },
  hid: [{ role: 'keypad', state: 'connected', name: 'Keypad' }],
  ignoredPresses: 0,
};

describe('device alerts from telemetry', () => {
  it('finds nothing wrong with a healthy device', () => {
    expect(telemetryAlerts(healthy).size).toBe(0);
  });

  it('names each failing condition with its figures', () => {
    const sick: TelemetryMessage = {
      ...healthy,
      cpuTempC: 81.4,
      camera: { state: 'error', fps: null, inferenceMs: null, error: '/dev/video0 vanished' },
      outbox: { depth: 850, capacity: 1000, oldestTs: 1, deadLetters: 2 },
      hid: [
        { role: 'keypad', state: 'missing', name: null },
        { role: 'badge', state: 'connected', name: 'RFID' },
      ],
    };
    expect(Object.fromEntries(telemetryAlerts(sick))).toEqual({
      outbox_filling: 'outbox 850/1000',
      dead_letters: '2 event(s) refused by the server, kept on the device',
      camera_error: 'camera: /dev/video0 vanished',
      usb_device_missing: 'keypad missing',
      overheating: 'CPU 81 °C',
    });
  });

  it('sends recoveries once, failing conditions with every report, everything on the first', () => {
    const tracker = new DeviceAlertTracker();
    const first = tracker.telemetry('q01-a', healthy);
    // First report: every telemetry kind resolved (stale alerts from before a restart close).
    expect(first.map((c) => [c.kind, c.message])).toEqual([
      ['outbox_filling', null],
      ['dead_letters', null],
      ['camera_error', null],
      ['usb_device_missing', null],
      ['overheating', null],
    ]);
    expect(tracker.telemetry('q01-a', healthy)).toEqual([]);
    const broken = { ...healthy, hid: [{ role: 'keypad' as const, state: 'missing' as const, name: null }] };
    expect(tracker.telemetry('q01-a', broken)).toEqual([
      { deviceId: 'q01-a', kind: 'usb_device_missing', message: 'keypad missing' },
    ]);
    // Still failing: said again (a no-op while its alert is open), so an alert cleared by hand
    // while the keypad is still missing opens anew.
    expect(tracker.telemetry('q01-a', broken)).toEqual([
      { deviceId: 'q01-a', kind: 'usb_device_missing', message: 'keypad missing' },
    ]);
    expect(tracker.telemetry('q01-a', healthy)).toEqual([
      { deviceId: 'q01-a', kind: 'usb_device_missing', message: null },
    ]);
  });

  it('raises offline on an ungraceful drop only, and forgets after a failed write', () => {
    const tracker = new DeviceAlertTracker();
    expect(tracker.connection('q01-a', 'online')).toEqual([
      { deviceId: 'q01-a', kind: 'offline', message: null },
    ]);
    expect(tracker.connection('q01-a', 'offline')).toEqual([
      { deviceId: 'q01-a', kind: 'offline', message: 'connection lost without a goodbye' },
    ]);
    expect(tracker.connection('q01-a', 'stopped')).toEqual([
      { deviceId: 'q01-a', kind: 'offline', message: null },
    ]);
    // Telemetry and connection each close their own stale alerts on their first report.
    expect(tracker.telemetry('q01-a', healthy)).toHaveLength(5);
    tracker.forget('q01-a');
    expect(tracker.connection('q01-a', 'stopped')).toHaveLength(1);
  });
});
