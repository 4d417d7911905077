import { startIngest } from '@onestop/ingest';
import { deviceSubscriptions, encodePayload, INGEST_STATE, topicFor } from '@onestop/protocol';
import { metricValue, ratingFor, silentLogger, uniqueUnit, waitFor } from '@onestop/service/testing';
import { schema } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import { eq } from 'drizzle-orm';
import mqtt, { type MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MOSQUITTO_URL = process.env.TEST_MOSQUITTO_URL ?? 'mqtt://127.0.0.1:1883';

/**
 * The ingest is a plain MQTT subscriber: the same code must work against a broker we do not
 * control. Runs on the machine's Mosquitto with a unit of its own, so parallel runs never meet.
 */
describe('ingest against Mosquitto', () => {
  let store: TestStore;
  let device: MqttClient;
  const unit = uniqueUnit('mosq');
  const address = { unitId: unit, counterId: 'q01', deviceId: 'q01-mosq' };
  const filter = `onestop/v1/${unit}/+/+/evt/#`;
  const acked = new Set<string>();

  beforeAll(async () => {
    store = await openTestStore('pglite');
    device = await mqtt.connectAsync(MOSQUITTO_URL, {
      clientId: `${unit}-dev`,
      clean: true,
      reconnectPeriod: 0,
    });
    device.on('message', (_t, p) => {
      for (const id of (JSON.parse(p.toString()) as { eventIds: string[] }).eventIds) acked.add(id);
    });
    await device.subscribeAsync(deviceSubscriptions(address), { qos: 1 });
  });
  afterAll(async () => {
    // The ingests said, retained, whether they listen: a shared broker's other users must not hear it.
    await device?.publishAsync(INGEST_STATE.topic, Buffer.alloc(0), { qos: 1, retain: true });
    await device?.endAsync();
    await store?.close();
  });

  const publish = (r: ReturnType<typeof ratingFor>) =>
    device.publishAsync(topicFor(address, 'evt/rating'), encodePayload('evt/rating', r), { qos: 1 });

  it('stores, acks, and picks up what was queued for it while it was away', async () => {
    const registry = new Registry();
    const opts = {
      store,
      mqttUrl: MOSQUITTO_URL,
      clientId: `${unit}-ingest`,
      persistentSession: true,
      registry,
      logger: silentLogger,
      filter,
    };
    let ingest = await startIngest(opts);
    const r1 = ratingFor(address.deviceId);
    await publish(r1);
    await waitFor(() => acked.has(r1.eventId), 10_000, 'ack from mosquitto');
    await ingest.close();

    // Persistent session: Mosquitto queues QoS 1 events for the stopped ingest.
    const queued = Array.from({ length: 50 }, () => ratingFor(address.deviceId));
    for (const r of queued) await publish(r);
    ingest = await startIngest(opts);
    await waitFor(() => queued.every((r) => acked.has(r.eventId)), 10_000, 'acks for queued events');
    await ingest.close();
    expect(await store.db.$count(schema.events, eq(schema.events.unitId, unit))).toBe(51);
    expect(await metricValue(registry, 'onestop_events_ingested_total', { type: 'rating' })).toBe(51);
  });

  it('splits the load over a shared subscription and still stores each event once', async () => {
    const registries = [new Registry(), new Registry()];
    const mk = (n: number) =>
      startIngest({
        store,
        mqttUrl: MOSQUITTO_URL,
        clientId: `${unit}-shared-${n}`,
        registry: registries[n - 1]!,
        logger: silentLogger,
        filter,
        sharedGroup: `g-${unit}`,
      });
    const ingests = await Promise.all([mk(1), mk(2)]);
    const burst = Array.from({ length: 200 }, () => ratingFor(address.deviceId, { officerId: 'cb-shared' }));
    await Promise.all(burst.map(publish));
    await waitFor(() => burst.every((r) => acked.has(r.eventId)), 15_000, 'acks for shared burst');
    await Promise.all(ingests.map((i) => i.close()));
    expect(await store.db.$count(schema.ratings, eq(schema.ratings.officerId, 'cb-shared'))).toBe(200);
    // Both members took a share (Mosquitto round-robins), and together exactly all.
    const shares = await Promise.all(
      registries.map((r) => metricValue(r, 'onestop_events_ingested_total', { type: 'rating' })),
    );
    expect(shares.every((n) => n > 0)).toBe(true);
    expect(shares[0]! + shares[1]!).toBe(200);
  });
});
