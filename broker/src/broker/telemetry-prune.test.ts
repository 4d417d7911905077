import { provision, uniqueUnit, waitFor } from '@onestop/service/testing';
import { schema, TELEMETRY_KEEP_DAYS } from '@onestop/store';
import { openTestStore, STORE_BACKENDS, type TestStore } from '@onestop/store/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker } from '../testing/test-broker.js';
import type { BrokerHandle } from './start-broker.js';

/** Telemetry history is pruned by the running broker, on both back ends (PostgreSQL has no upkeep). */
describe.each(STORE_BACKENDS)('telemetry history pruned by the broker on %s', (backend) => {
  let store: TestStore;
  let broker: BrokerHandle;
  beforeAll(async () => {
    store = await openTestStore(backend);
    broker = await startTestBroker(store, { telemetryPruneMs: 50 });
  });
  afterAll(async () => {
    await broker?.close();
    await store?.close();
  });

  it('deletes the minutes past the retention on its timer and keeps the recent ones', async () => {
    const d = await provision(store, uniqueUnit('prune'), 'q01');
    const day = 86_400_000;
    const point = (minute: Date, cpuTempC: number) => ({
      deviceId: d.deviceId,
      minute,
      cpuTempC,
      load1: 0.1,
      cameraFps: null,
      outboxDepth: 0,
    });
    await store.db
      .insert(schema.deviceTelemetry)
      .values([
        point(new Date(Date.now() - (TELEMETRY_KEEP_DAYS + 1) * day), 40),
        point(new Date(Date.now() - (TELEMETRY_KEEP_DAYS - 1) * day), 41),
      ]);
    const temps = async () =>
      (
        await store.db
          .select({ t: schema.deviceTelemetry.cpuTempC })
          .from(schema.deviceTelemetry)
          .where(eq(schema.deviceTelemetry.deviceId, d.deviceId))
      ).map((r) => r.t);
    await waitFor(async () => !(await temps()).includes(40), 10_000, 'the old minute pruned');
    expect(await temps()).toEqual([41]);
  });
});
