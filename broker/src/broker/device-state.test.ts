import { EXAMPLES, type TelemetryMessage } from '@onestop/protocol';
import { openAlerts, provisionDevice, schema } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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

  it('keeps what a failed write held for the next one, under what came since', async () => {
    let down = true;
    // The database away, as during a restart of PostgreSQL: drizzle's error carries the statement.
    const outage = () =>
      Promise.reject(
        Object.assign(new Error('Failed query: update devices d set last_seen_at = …'), {
          cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
        }),
      );
    const db = new Proxy(store.db, {
      get(target, key, receiver) {
        if ((key === 'execute' || key === 'transaction') && down) return outage;
        return Reflect.get(target, key, receiver);
      },
    });
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    const w = new DeviceStateWriter(db, log, 60_000);
    const state = async () =>
      (await store.db.select().from(schema.devices).where(eq(schema.devices.id, deviceId)))[0];
    const before = await state();
    w.connected(deviceId);
    w.telemetry(deviceId, telemetry({ uptimeS: 77 }));
    w.disconnected(deviceId, false);
    for (let i = 0; i < 3; i++) await w.flush();
    expect(await state()).toMatchObject({ status: before?.status, telemetry: before?.telemetry });
    // One line for the three failures of each kind of write, without the statement.
    expect(lines.filter((l) => l.includes('could not write device state'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('could not write alerts'))).toHaveLength(1);
    expect(lines.join('')).not.toContain('update devices');
    w.telemetry(deviceId, telemetry({ uptimeS: 78 }));
    down = false;
    await w.flush();
    // The disconnection of the failed writes is there, the later telemetry won, and the offline
    // alert the outage held back is open.
    expect(await state()).toMatchObject({ status: 'offline', telemetry: { uptimeS: 78 } });
    expect((await openAlerts(store.db, 'trung-van')).map((a) => a.kind)).toContain('offline');
    expect(lines.some((l) => l.includes('device state written again'))).toBe(true);
    await w.close();
    writer.connected(deviceId);
    await writer.flush();
  });

  it('never writes a kept patch over a newer one from another broker node', async () => {
    let down = true;
    const db = new Proxy(store.db, {
      get(target, key, receiver) {
        if (key === 'execute' && down) return () => Promise.reject(new Error('Connection terminated'));
        return Reflect.get(target, key, receiver);
      },
    });
    const nodeA = new DeviceStateWriter(db, logger, 60_000);
    const nodeB = new DeviceStateWriter(store.db, logger, 60_000);
    // The device drops from node A while A cannot reach the database, then reconnects to node B.
    nodeA.disconnected(deviceId, false);
    await nodeA.flush();
    await new Promise((r) => setTimeout(r, 5));
    nodeB.connected(deviceId);
    await nodeB.flush();
    down = false;
    await nodeA.flush();
    const [row] = await store.db.select().from(schema.devices).where(eq(schema.devices.id, deviceId));
    expect(row?.status).toBe('online');
    await nodeA.close();
    await nodeB.close();
  });

  it('stores a birth with its mono and when it arrived, not when the batch was written', async () => {
    const bootId = '0193a0e4-7c1d-7000-8000-000000000002';
    const arrived = Date.now();
    vi.useFakeTimers({ toFake: ['Date'], now: arrived });
    try {
      writer.birth(deviceId, { ...EXAMPLES.birth, deviceId, bootId, mono: 61_000 });
      // The batch is written a while later: the anchor must not move with it.
      vi.setSystemTime(arrived + 900);
      await writer.flush();
    } finally {
      vi.useRealTimers();
    }
    const [row] = await store.db.select().from(schema.devices).where(eq(schema.devices.id, deviceId));
    expect(row?.bootId).toBe(bootId);
    expect(row?.birth).toMatchObject({ bootId, mono: 61_000 });
    expect(row?.birthReceivedAt?.getTime()).toBe(arrived);
  });
});
