import { createServer, type Server } from 'node:net';
import { encodePayload, TOPIC_ROOT } from '@onestop/protocol';
import {
  connectDevice,
  metricValue,
  provision,
  ratingFor,
  uniqueUnit,
  waitFor,
} from '@onestop/service/testing';
import { restoreDevice, revokeDevice, schema } from '@onestop/store';
import { openTestStore, STORE_BACKENDS, type TestStore } from '@onestop/store/testing';
import { Aedes } from 'aedes';
import { inArray } from 'drizzle-orm';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IngestHandle, startIngest } from './start-ingest.js';

/**
 * Behind a broker that checks nothing (no auth, no validation: a Mosquitto set up carelessly, or
 * a broker that has not heard of a revocation yet) the ingest is the last line.
 */
describe.each(STORE_BACKENDS)('what the ingest refuses on %s', (backend) => {
  let store: TestStore;
  let aedes: Aedes;
  let server: Server;
  let ingest: IngestHandle;
  let url: string;
  const registry = new Registry();
  const lines: Array<{ msg: string; topic?: string; reason?: string }> = [];
  const unit = uniqueUnit('refuse');

  beforeAll(async () => {
    store = await openTestStore(backend);
    aedes = await Aedes.createBroker();
    server = createServer((s) => aedes.handle(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
    ingest = await startIngest({
      store,
      mqttUrl: url,
      clientId: `ingest-${unit}`,
      registry,
      logger: pino({ level: 'warn' }, { write: (l: string) => void lines.push(JSON.parse(l)) }),
    });
  });
  afterAll(async () => {
    await ingest?.close();
    await new Promise<void>((r) => (aedes ? aedes.close(() => r()) : r()));
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await store?.close();
  });

  const stored = async (ids: string[]) =>
    (
      await store.db
        .select({ id: schema.events.eventId })
        .from(schema.events)
        .where(inArray(schema.events.eventId, ids))
    ).map((r) => r.id);

  it('stores nothing a device sends once it is known to be revoked, and hears it again once restored', async () => {
    const creds = await provision(store, unit, 'q01');
    const dev = await connectDevice(url, creds);
    const first = ratingFor(creds.deviceId);
    await dev.publishRating(first);
    await dev.waitAcked([first.eventId]);
    let heard = false;
    const stop = store.notifications.subscribe({
      on: {
        device_revoked: (p) => {
          if (p.deviceId === creds.deviceId) heard = true;
        },
      },
      resync: () => {},
    });
    await revokeDevice(store.db, creds.deviceId, 'test');
    await waitFor(() => heard, 5_000, 'the revocation signal');
    stop();
    const late = ratingFor(creds.deviceId);
    await dev.publishRating(late);
    await waitFor(
      async () => (await metricValue(registry, 'onestop_ingest_rejected_total', { reason: 'revoked' })) === 1,
      5_000,
      'the refusal',
    );
    await ingest.flush();
    expect(await stored([first.eventId, late.eventId])).toEqual([first.eventId]);
    expect(dev.acked.has(late.eventId)).toBe(false);

    // Restored: heard again at once, without restarting the ingest.
    let changed = false;
    const stopChanged = store.notifications.subscribe({
      on: {
        device_changed: (p) => {
          if (p.deviceId === creds.deviceId) changed = true;
        },
      },
      resync: () => {},
    });
    await restoreDevice(store.db, creds.deviceId, 'test');
    await waitFor(() => changed, 5_000, 'the restore signal');
    stopChanged();
    // The ingest reads the device again on the same signal: until it has, a rating may still be
    // refused, so ratings are sent until one is acknowledged.
    let back: string | null = null;
    await waitFor(
      async () => {
        const r = ratingFor(creds.deviceId);
        await dev.publishRating(r);
        await new Promise((res) => setTimeout(res, 100));
        if (dev.acked.has(r.eventId)) back = r.eventId;
        return back !== null;
      },
      5_000,
      'a rating acknowledged after the restore',
    );
    await ingest.flush();
    expect(await stored([back!])).toEqual([back]);
    await dev.close();
  });

  it('logs a repeated refusal once, with the topic cut to 200 characters', async () => {
    const creds = await provision(store, unit, 'q02');
    const dev = await connectDevice(url, creds);
    // Not a device's event topic: a device ID far longer than any real one.
    const bogus = `${TOPIC_ROOT}/${unit}/q02/${'x'.repeat(1_000)}/evt/rating`;
    const payload = encodePayload('evt/rating', ratingFor(creds.deviceId));
    for (let i = 0; i < 20; i++) await dev.client.publishAsync(bogus, payload, { qos: 1 });
    await waitFor(
      async () => (await metricValue(registry, 'onestop_ingest_rejected_total', { reason: 'topic' })) === 20,
      5_000,
      'the refusals to be counted',
    );
    const logged = lines.filter((l) => l.reason === 'topic');
    expect(logged).toHaveLength(1);
    expect(logged[0]?.topic).toBe(bogus.slice(0, 200));
    await dev.close();
  });
});
