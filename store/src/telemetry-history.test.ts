import { EXAMPLES } from '@onestop/protocol';

const EXAMPLE_TELEMETRY = EXAMPLES.telemetry;

import { eq } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionDevice } from './devices.js';
import { devices, deviceTelemetry } from './schema.js';
import {
  pruneTelemetryHistory,
  TELEMETRY_KEEP_DAYS,
  TELEMETRY_PRUNE_LOCK_CLASS,
  telemetryHistory,
} from './telemetry-history.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

describe.each(STORE_BACKENDS)('telemetry history on %s', (backend) => {
  let store: TestStore;
  let id = '';
  beforeAll(async () => {
    store = await openTestStore(backend);
    id = (await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q01', actor: 't' })).deviceId;
  });
  afterAll(async () => {
    await store?.close();
  });

  const report = (cpuTempC: number, depth: number) =>
    store.db
      .update(devices)
      .set({
        lastSeenAt: new Date(),
        telemetry: {
          ...EXAMPLE_TELEMETRY,
          cpuTempC,
          camera: { ...EXAMPLE_TELEMETRY.camera, fps: 7.5 },
          outbox: { ...EXAMPLE_TELEMETRY.outbox, depth },
        },
      })
      .where(eq(devices.id, id));

  it('keeps each minute of telemetry stored on the device row, the latest of the minute', async () => {
    await report(55, 3);
    await report(61.5, 9);
    // A last-seen stamp without telemetry adds nothing.
    await store.db.update(devices).set({ lastSeenAt: new Date() }).where(eq(devices.id, id));
    const points = await telemetryHistory(store.db, id, new Date(Date.now() - 3_600_000));
    // Two reports may straddle a minute boundary: the last row is always the latest report.
    expect(points.length).toBeGreaterThanOrEqual(1);
    expect(points.length).toBeLessThanOrEqual(2);
    expect(points.at(-1)).toMatchObject({
      cpuTempC: 61.5,
      load1: EXAMPLE_TELEMETRY.load1,
      cameraFps: 7.5,
      outboxDepth: 9,
    });
  });

  it('prunes minutes past the retention, counting them in the database, keeping the recent ones', async () => {
    const old = new Date(Date.now() - (TELEMETRY_KEEP_DAYS + 1) * 86_400_000);
    const recent = new Date(Date.now() - (TELEMETRY_KEEP_DAYS - 1) * 86_400_000);
    await store.db.insert(deviceTelemetry).values([
      { deviceId: id, minute: old, cpuTempC: 40, load1: 0.1, cameraFps: null, outboxDepth: 0 },
      {
        deviceId: id,
        minute: new Date(old.getTime() - 60_000),
        cpuTempC: 39,
        load1: 0.1,
        cameraFps: null,
        outboxDepth: 0,
      },
      { deviceId: id, minute: recent, cpuTempC: 41, load1: 0.1, cameraFps: null, outboxDepth: 0 },
    ]);
    expect(await pruneTelemetryHistory(store.db)).toBe(2);
    const left = await telemetryHistory(store.db, id, new Date(0));
    expect(left.map((p) => p.cpuTempC)).not.toContain(40);
    expect(left.map((p) => p.cpuTempC)).toContain(41);
    expect(await pruneTelemetryHistory(store.db)).toBe(0);
  });

  it.skipIf(backend !== 'postgres')(
    'skips the round while another process holds the prune lock',
    async () => {
      const old = new Date(Date.now() - (TELEMETRY_KEEP_DAYS + 1) * 86_400_000);
      await store.db
        .insert(deviceTelemetry)
        .values({ deviceId: id, minute: old, cpuTempC: 40, load1: 0.1, cameraFps: null, outboxDepth: 0 });
      const other = new pg.Client({ connectionString: store.url! });
      await other.connect();
      try {
        await other.query('begin');
        await other.query('select pg_advisory_xact_lock($1, 0)', [TELEMETRY_PRUNE_LOCK_CLASS]);
        expect(await pruneTelemetryHistory(store.db)).toBeNull();
        await other.query('commit');
        expect(await pruneTelemetryHistory(store.db)).toBe(1);
      } finally {
        await other.end();
      }
    },
  );
});
