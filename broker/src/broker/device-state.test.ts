import type { TelemetryMessage } from '@onestop/protocol';
import { openAlerts, provisionDevice } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceStateWriter } from './device-state.js';

const logger = pino({ level: 'silent' });

describe('device state writer', () => {
  let store: TestStore;
  let writer: DeviceStateWriter;
  let deviceId = '';
  beforeAll(async () => {
    store = await openTestStore('pglite');
    deviceId = (await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q01', actor: 't' }))
      .deviceId;
    writer = new DeviceStateWriter(store.db, logger, 60_000);
  });
  afterAll(async () => {
    await writer?.close();
    await store?.close();
  });

  const telemetry = (over: Partial<TelemetryMessage>): TelemetryMessage => ({
    v: 1,
    deviceId,
    bootId: '0193a0e4-7c1d-7000-8000-000000000001',
    ts: Date.now(),
    uptimeS: 10,
    cpuTempC: null,
    load1: 0.1,
    memUsedMb: 200,
    memTotalMb: 1024,
    camera: { state: 'off', fps: null, inferenceMs: null, error: null },
    outbox: { depth: 0, capacity: 1000, oldestTs: null, deadLetters: 0 },
    hid: [{ role: 'keypad', state: 'connected', name: 'Keypad' }],
    ignoredPresses: 0,
    ...over,
  });

  it('opens and resolves technicians’ alerts as telemetry and connections change', async () => {
    writer.connected(deviceId);
    writer.telemetry(deviceId, telemetry({ hid: [{ role: 'keypad', state: 'missing', name: null }] }));
    await writer.flush();
    expect((await openAlerts(store.db, 'trung-van')).map((a) => [a.kind, a.message])).toEqual([
      ['usb_device_missing', 'keypad missing'],
    ]);

    writer.telemetry(deviceId, telemetry({}));
    writer.disconnected(deviceId, false);
    await writer.flush();
    expect((await openAlerts(store.db, 'trung-van')).map((a) => a.kind)).toEqual(['offline']);

    writer.connected(deviceId);
    await writer.flush();
    expect(await openAlerts(store.db, 'trung-van')).toEqual([]);
  });
});
