import type { BrokerHandle } from '@onestop/broker';
import { startTestBroker } from '@onestop/broker/testing';
import { type IngestHandle, startIngest } from '@onestop/ingest';
import { encodePayload, MAX_PAYLOAD_BYTES, topicFor } from '@onestop/protocol';
import {
  connectDevice,
  metricValue,
  openAroundTheClock,
  provision,
  ratingFor,
  servicePassword,
  signIn,
  silentLogger,
  uniqueUnit,
  visitEndFor,
  visitRatingsFor,
  waitFor,
} from '@onestop/service/testing';
import { revokeDevice, schema } from '@onestop/store';
import { openTestStore, STORE_BACKENDS, type TestStore } from '@onestop/store/testing';
import { eq, inArray } from 'drizzle-orm';
import mqtt from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

describe.each(STORE_BACKENDS)('broker + ingest on %s', (backend) => {
  let store: TestStore;
  let broker: BrokerHandle;
  let ingest: IngestHandle;
  const registry = new Registry();
  const unit = uniqueUnit('brk');
  const ingestPassword = servicePassword();
  let url: string;

  beforeAll(async () => {
    store = await openTestStore(backend);
    broker = await startTestBroker(store, {
      registry,
      serviceCredentials: [{ username: 'ingest', password: ingestPassword, role: 'ingest' }],
      deviceStateFlushMs: 50,
    });
    url = `mqtt://127.0.0.1:${broker.port}`;
    ingest = await startIngest({
      store,
      mqttUrl: url,
      username: 'ingest',
      password: ingestPassword,
      clientId: `ingest-${unit}`,
      registry,
      logger: silentLogger,
    });
    await openAroundTheClock(store, unit);
  });
  afterAll(async () => {
    await ingest?.close();
    await broker?.close();
    await store?.close();
  });

  const rejected = (reason: string) => metricValue(registry, 'onestop_events_rejected_total', { reason });

  it('refuses a wrong password and counts it', async () => {
    const d = await provision(store, unit, 'q01');
    const before = await rejected('auth_failed');
    const err = await mqtt
      .connectAsync(url, {
        clientId: d.deviceId,
        username: d.username,
        password: 'wrong',
        reconnectPeriod: 0,
      })
      .then(
        (c) => c.endAsync().then(() => null),
        (e: { code?: number }) => e,
      );
    expect(err?.code).toBe(4);
    expect(await rejected('auth_failed')).toBe(before + 1);
  });

  it('refuses a device that borrows another client id', async () => {
    const d = await provision(store, unit, 'q01');
    const err = await mqtt
      .connectAsync(url, {
        clientId: `ingest-${unit}`,
        username: d.username,
        password: d.password,
        reconnectPeriod: 0,
      })
      .then(
        (c) => c.endAsync().then(() => null),
        (e: { code?: number }) => e,
      );
    // "Identifier rejected", not "not authorized": its kiosk must not say the device was withdrawn.
    expect(err?.code).toBe(2);
    expect(await rejected('client_id')).toBeGreaterThan(0);
  });

  it('stores events, acks them only after commit, and keeps the device connected through refusals', async () => {
    const creds = await provision(store, unit, 'q02');
    const other = await provision(store, unit, 'q03');
    const dev = await connectDevice(url, creds);
    const good1 = ratingFor(creds.deviceId, { level: 4 });
    await dev.publishRating(good1);
    await dev.waitAcked([good1.eventId]);
    // The ack came after commit: the row is there.
    const [row] = await store.db
      .select()
      .from(schema.ratings)
      .where(eq(schema.ratings.eventId, good1.eventId));
    expect(row).toMatchObject({ official: 'very_satisfied', score: 100, unitId: unit, counterId: 'q02' });

    const counts = {
      foreign: await rejected('foreign_topic'),
      malformed: await rejected('malformed'),
      oversized: await rejected('oversized'),
      mismatch: await rejected('device_mismatch'),
      direction: await rejected('wrong_direction'),
    };
    const foreign = ratingFor(other.deviceId);
    await dev.client.publishAsync(topicFor(other, 'evt/rating'), encodePayload('evt/rating', foreign), {
      qos: 1,
    });
    const addr = dev.address;
    await dev.client.publishAsync(topicFor(addr, 'evt/rating'), '{"v":1,"level":', { qos: 1 });
    await dev.client.publishAsync(topicFor(addr, 'evt/rating'), Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 32), {
      qos: 1,
    });
    const spoof = ratingFor(other.deviceId);
    await dev.client.publishAsync(topicFor(addr, 'evt/rating'), encodePayload('evt/rating', spoof), {
      qos: 1,
    });
    await dev.client.publishAsync(
      topicFor(addr, 'ack'),
      encodePayload('ack', { v: 1, ts: Date.now(), eventIds: [spoof.eventId] }),
      {
        qos: 1,
      },
    );
    const good2 = ratingFor(creds.deviceId, { level: 1 });
    await dev.publishRating(good2);
    await dev.waitAcked([good2.eventId]);
    expect(dev.client.connected).toBe(true);
    // Refused at the door, not merely by the ingest's own re-validation: the ingest never saw them.
    expect(await metricValue(registry, 'onestop_ingest_rejected_total', { reason: 'malformed' })).toBe(0);
    expect(await metricValue(registry, 'onestop_ingest_rejected_total', { reason: 'device_mismatch' })).toBe(
      0,
    );

    expect(await rejected('foreign_topic')).toBe(counts.foreign + 1);
    expect(await rejected('malformed')).toBe(counts.malformed + 1);
    expect(await rejected('oversized')).toBe(counts.oversized + 1);
    expect(await rejected('device_mismatch')).toBe(counts.mismatch + 1);
    expect(await rejected('wrong_direction')).toBe(counts.direction + 1);
    const stored = await store.db
      .select({ id: schema.events.eventId })
      .from(schema.events)
      .where(inArray(schema.events.eventId, [good1.eventId, good2.eventId, foreign.eventId, spoof.eventId]));
    expect(stored.map((s) => s.id).sort()).toEqual([good1.eventId, good2.eventId].sort());
    await dev.close();
  });

  it("refuses a device's subscription to other devices' topics without disconnecting it", async () => {
    const creds = await provision(store, unit, 'q10');
    const dev = await connectDevice(url, creds);
    // mqtt.js reports a SUBACK of 0x80 as an error carrying the granted list.
    const err = await dev.client
      .subscribeAsync(['onestop/v1/+/+/+/ack', 'onestop/v1/#', '$SYS/#'], { qos: 1 })
      .then(
        () => null,
        (e: { packet?: { granted?: number[] } }) => e,
      );
    expect(err?.packet?.granted).toEqual([128, 128, 128]);
    await new Promise((r) => setTimeout(r, 50));
    expect(dev.client.connected).toBe(true);
    await dev.close();
  });

  it('stores a re-sent event once, counts the duplicate and acks it again', async () => {
    const creds = await provision(store, unit, 'q04');
    const dev = await connectDevice(url, creds);
    await signIn(store, dev, `cb-dup-${backend}`);
    const r = ratingFor(creds.deviceId, { level: 2, officerId: `cb-dup-${backend}` });
    await dev.publishRating(r);
    await dev.waitAcked([r.eventId]);
    dev.acked.clear();
    const dupBefore = await metricValue(registry, 'onestop_events_duplicate_total');
    await dev.publishRating(r);
    await dev.waitAcked([r.eventId]);
    expect(await metricValue(registry, 'onestop_events_duplicate_total')).toBe(dupBefore + 1);
    expect(await store.db.$count(schema.ratings, eq(schema.ratings.eventId, r.eventId))).toBe(1);
    const [roll] = await store.db
      .select()
      .from(schema.hourlyRollups)
      .where(eq(schema.hourlyRollups.officerId, `cb-dup-${backend}`));
    expect(roll).toMatchObject({ ratings: 1, satisfied: 1, scoreSum: 50 });
    await dev.close();
  });

  it('keeps roll-ups right over a burst from several devices', async () => {
    const officer = `cb-burst-${backend}`;
    const devs = await Promise.all(
      ['q05', 'q06', 'q07'].map(async (q) => connectDevice(url, await provision(store, unit, q))),
    );
    // One officer per counter: an officer signed in at two counters is credited at one only.
    const officerAt = (d: (typeof devs)[number]) => `${officer}-${d.address.counterId}`;
    for (const d of devs) await signIn(store, d, officerAt(d));
    // A burst of traffic, not of misuse: citizens' visits, 11 s apart on each counter.
    const sent = devs.flatMap((d) =>
      visitRatingsFor(d.address.deviceId, 100, { officerId: officerAt(d) }).map((r, i) => ({
        d,
        r: { ...r, level: (i % 4) + 1 },
        v: visitEndFor(r),
      })),
    );
    await Promise.all(sent.map(({ d, r, v }) => Promise.all([d.publishVisit(v), d.publishRating(r)])));
    await Promise.all(
      devs.map((d) => d.waitAcked(sent.filter((s) => s.d === d).flatMap((s) => [s.r.eventId, s.v.eventId]))),
    );
    const rows = await store.db
      .select()
      .from(schema.hourlyRollups)
      .where(inArray(schema.hourlyRollups.officerId, devs.map(officerAt)));
    const sum = (k: 'ratings' | 'verySatisfied' | 'satisfied' | 'unsatisfied' | 'scoreSum') =>
      rows.reduce((a, r) => a + r[k], 0);
    expect(sum('ratings')).toBe(300);
    expect(sum('verySatisfied')).toBe(75);
    expect(sum('satisfied')).toBe(150);
    expect(sum('unsatisfied')).toBe(75);
    expect(sum('scoreSum')).toBe(75 * (0 + 50 + 50 + 100));
    await Promise.all(devs.map((d) => d.close()));
  });

  it('refuses a revoked device at connect and drops one that is connected', async () => {
    const creds = await provision(store, unit, 'q08');
    const dev = await connectDevice(url, creds);
    await waitFor(() => broker.connectedDevices().includes(creds.deviceId));
    const closed = new Promise<void>((r) => dev.client.once('close', () => r()));
    await revokeDevice(store.db, creds.deviceId, 'test');
    await broker.disconnectDevice(creds.deviceId);
    await closed;
    const before = await rejected('revoked');
    const err = await mqtt
      .connectAsync(url, {
        clientId: creds.deviceId,
        username: creds.username,
        password: creds.password,
        reconnectPeriod: 0,
      })
      .then(
        (c) => c.endAsync().then(() => null),
        (e: { code?: number }) => e,
      );
    expect(err?.code).toBe(5);
    expect(await rejected('revoked')).toBe(before + 1);
    await dev.client.endAsync(true);
  });

  it('records device status and connection gauge', async () => {
    const creds = await provision(store, unit, 'q09');
    const dev = await connectDevice(url, creds);
    await waitFor(async () => (await metricValue(registry, 'onestop_devices_connected')) >= 1);
    await dev.client.publishAsync(
      topicFor(dev.address, 'status'),
      encodePayload('status', {
        v: 1,
        deviceId: creds.deviceId,
        state: 'online',
        ts: Date.now(),
        bootId: '0193a0c2-5b1e-7c3d-9f00-1a2b3c4d5e6f',
      }),
      { qos: 1, retain: true },
    );
    await dev.client.publishAsync(
      topicFor(dev.address, 'birth'),
      encodePayload('birth', {
        v: 1,
        deviceId: creds.deviceId,
        bootId: '0193a0c2-5b1e-7c3d-9f00-1a2b3c4d5e6f',
        ts: Date.now(),
        agentVersion: '9.9.9',
        models: [],
        capabilities: ['keypad'],
        configVersion: 4,
      }),
      { qos: 1, retain: true },
    );
    await waitFor(async () => {
      const [d] = await store.db.select().from(schema.devices).where(eq(schema.devices.id, creds.deviceId));
      return (
        d?.status === 'online' && d.bootId !== null && d.lastSeenAt !== null && d.agentVersion === '9.9.9'
      );
    });
    const [row] = await store.db.select().from(schema.devices).where(eq(schema.devices.id, creds.deviceId));
    expect(row).toMatchObject({
      appliedConfigVersion: 4,
      birth: { capabilities: ['keypad'], configVersion: 4 },
    });
    await dev.close();
    await waitFor(async () => {
      const [d] = await store.db.select().from(schema.devices).where(eq(schema.devices.id, creds.deviceId));
      return d?.status === 'offline';
    });
  });
});
