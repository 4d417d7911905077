import { openTestStore, type TestStore } from '@onestop/store/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMqttFuzz } from './mqtt-fuzz.js';
import { ALWAYS_REFUSED } from './raw-frames.js';

/**
 * The CI form of the MQTT fuzz (`npm run fuzz` runs the full one): generated packets against the
 * real broker and ingest on PGlite, seeded. FUZZ_SEED replays a failing run.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);

describe(`MQTT fuzz (seed ${SEED})`, () => {
  let store: TestStore;
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    store = await openTestStore('pglite');
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await store?.close();
  });

  it('counts a reason for every bad packet, stores every honest event, and stays up', async () => {
    const f = await runMqttFuzz({ store, cases: 4_000, rawFrames: 400, honest: 100, seed: SEED });
    console.log(`MQTT fuzz seed ${SEED}: ${JSON.stringify(f)}`);
    const replay = `replay with FUZZ_SEED=${SEED}`;
    expect(f.disagreements, replay).toEqual([]);
    expect(f.fuzzDisconnects, replay).toBe(0);
    expect(f.unanswered, replay).toBe(0);
    expect(f.refusals.counted, replay).toEqual(f.refusals.expected);
    expect(f.accepted.counted, replay).toBe(f.accepted.expected);
    // Every bad kind was generated, and refused.
    expect(f.byKind.schema + f.byKind.bytes + f.byKind.topic + f.byKind.oversized).toBeGreaterThan(2_000);
    // What the door let through, the ingest accounted for.
    const i = f.ingest;
    expect(
      i.stored + i.duplicates + i.deadLettered + Object.values(i.refused).reduce((a, b) => a + b, 0),
      replay,
    ).toBe(i.events);
    expect(f.honest, replay).toEqual({
      sent: 200,
      acked: 200,
      stored: 200,
      telemetrySent: 2,
      lastTelemetryStored: true,
    });
    // A batch the database refused (a number no column holds) is logged, not thrown.
    expect(f.serverErrors, replay).toEqual({ count: 0, first: [] });
    const mustCount = ALWAYS_REFUSED.reduce((n, k) => n + f.raw.byKind[k], 0);
    const counted = Object.values(f.raw.refusals).reduce((a, b) => a + b, 0);
    expect(counted, replay).toBeGreaterThanOrEqual(mustCount);
    expect(f.raw.brokerAliveAfter).toBe(true);
    expect(unhandled, replay).toEqual([]);
  }, 180_000);
});
