import {
  CHANNELS,
  type Channel,
  decodePayload,
  EXAMPLES,
  encodePayload,
  type PayloadOf,
  topicFor,
} from '@onestop/protocol';
import { connectDevice, provision, ratingFor, uniqueUnit, waitFor } from '@onestop/service/testing';
import { type ProvisionedDevice, recentAudit, replaceDevice, schema, setDeviceConfig } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import { eq, sql } from 'drizzle-orm';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker } from '../testing/test-broker.js';
import type { BrokerHandle } from './start-broker.js';

const SERVICE = { username: 'svc-ingest', password: 'ingest-pw', role: 'ingest' } as const;

/** A documented example of `channel`, as its sender would publish it (defaults filled). */
const example = <C extends Channel>(channel: C, over: Partial<PayloadOf<C>> = {}): Buffer =>
  encodePayload(channel, CHANNELS[channel].schema.parse({ ...EXAMPLES[channel], ...over }) as PayloadOf<C>);

const telemetry = (d: ProvisionedDevice, depth: number) =>
  example('telemetry', {
    deviceId: d.deviceId,
    ts: Date.now(),
    outbox: { depth, capacity: 100_000, oldestTs: null, deadLetters: 0 },
  });

/**
 * A replaced board keeps credentials for delivery only: its queued events still go through and
 * are acknowledged, but no settings and no commands reach it, and it is revoked once its outbox
 * is empty or its deadline passes.
 */
describe('a replaced device draining its outbox', () => {
  let store: TestStore;
  let broker: BrokerHandle;
  let service: MqttClient;
  const url = () => `mqtt://127.0.0.1:${broker.port}`;
  const received: string[] = [];
  beforeAll(async () => {
    store = await openTestStore('pglite');
    broker = await startTestBroker(store, {
      serviceCredentials: [SERVICE],
      deviceStateFlushMs: 50,
      drainSweepMs: 100,
    });
    service = await mqtt.connectAsync(url(), {
      clientId: 'svc-ingest',
      username: SERVICE.username,
      password: SERVICE.password,
      reconnectPeriod: 0,
    });
    service.on('message', (topic) => received.push(topic));
    await service.subscribeAsync('onestop/v1/#', { qos: 1 });
  });
  afterAll(async () => {
    await service?.endAsync();
    await broker?.close();
    await store?.close();
  });

  const row = async (id: string) =>
    (await store.db.select().from(schema.devices).where(eq(schema.devices.id, id)))[0]!;
  const send = (topic: string, payload: Buffer) => service.publishAsync(topic, payload, { qos: 1 });
  const ack = (d: ProvisionedDevice, eventId: string) =>
    send(topicFor(d, 'ack'), encodePayload('ack', { v: 1, ts: Date.now(), eventIds: [eventId] }));

  it('delivers events and acks, forwards no settings or commands, and is revoked once drained', async () => {
    const unit = uniqueUnit('drain');
    const old = await provision(store, unit, 'q01');
    await setDeviceConfig(store.db, { deviceId: old.deviceId, settings: { scale: 'keypad5' }, actor: 't' });
    const live = await connectDevice(url(), old);
    let dropped = false;
    live.client.once('close', () => {
      dropped = true;
    });
    const replaced = await replaceDevice(store.db, {
      deviceId: old.deviceId,
      newDeviceId: `${unit}-new`,
      actor: 't',
    });
    await waitFor(() => dropped, 5_000, 'the replaced board to be disconnected');
    await live.close();

    // The new board gets the counter's settings at once, retained.
    const configs: Array<{ version: number; scale: string }> = [];
    const fresh = await connectDevice(url(), replaced, replaced.deviceId, (topic, payload) => {
      const m = topic === topicFor(replaced, 'config') ? decodePayload('config', payload) : null;
      if (m?.ok) configs.push({ version: m.value.version, scale: m.value.settings.scale });
    });
    await waitFor(() => configs.length > 0, 5_000, 'the new board’s settings');
    expect(configs).toEqual([{ version: 1, scale: 'keypad5' }]);

    // The old board logs in again (every subscription granted, as its agent needs) and delivers.
    const toOld: string[] = [];
    const draining = await connectDevice(url(), old, old.deviceId, (topic) => toOld.push(topic));
    const rating = ratingFor(old.deviceId);
    await draining.publishRating(rating);
    await waitFor(() => received.includes(topicFor(old, 'evt/rating')), 5_000, 'the queued rating');
    // Settings and a command published to it, then an ack: per-connection order means anything
    // forwarded before the ack would have arrived first.
    await send(topicFor(old, 'config'), example('config'));
    await send(topicFor(old, 'cmd/restart'), example('cmd/restart'));
    await ack(old, rating.eventId);
    await draining.waitAcked([rating.eventId]);
    expect(toOld).toEqual([topicFor(old, 'ack')]);
    // A draining board answers no command: refused at the door.
    await draining.client.publishAsync(topicFor(old, 'cmd/restart/res'), example('cmd/restart/res'), {
      qos: 1,
    });
    // Not the counter's live board: it stays `draining`, however it connects.
    await waitFor(async () => (await row(old.deviceId)).lastSeenAt !== null, 5_000, 'last seen');
    expect((await row(old.deviceId)).status).toBe('draining');

    // Still events queued: kept. Empty: revoked, audited, dropped, refused from then on (the new
    // board has been heard: its connection is recorded).
    await waitFor(async () => (await row(replaced.deviceId)).lastSeenAt !== null, 5_000, 'new board seen');
    let oldDropped = false;
    draining.client.once('close', () => {
      oldDropped = true;
    });
    await draining.client.publishAsync(topicFor(old, 'telemetry'), telemetry(old, 2), {
      qos: 1,
    });
    await waitFor(
      () => received.filter((t) => t === topicFor(old, 'telemetry')).length === 1,
      5_000,
      'telemetry',
    );
    expect((await row(old.deviceId)).revokedAt).toBeNull();
    await draining.client.publishAsync(topicFor(old, 'telemetry'), telemetry(old, 0), {
      qos: 1,
    });
    await waitFor(() => oldDropped, 5_000, 'the drained board to be disconnected');
    expect((await row(old.deviceId)).revokedAt).not.toBeNull();
    const [drained] = await recentAudit(store.db, 1, 'device.drained');
    expect(drained).toMatchObject({ actor: 'broker', target: old.deviceId });
    await draining.close();
    await expect(connectDevice(url(), old)).rejects.toThrow();
    // The new board still runs the counter.
    expect(fresh.client.connected).toBe(true);
    await fresh.close();
    // No alert was opened for the old board at any point.
    const alerts = await store.db
      .select()
      .from(schema.alerts)
      .where(eq(schema.alerts.deviceId, old.deviceId));
    expect(alerts.filter((a) => a.resolvedAt === null)).toEqual([]);
  });

  it('keeps draining while the new board has never connected, however empty its outbox', async () => {
    const unit = uniqueUnit('early');
    const old = await provision(store, unit, 'q01');
    // The technician ran `replace` before swapping: the old board is still on the counter.
    const replaced = await replaceDevice(store.db, {
      deviceId: old.deviceId,
      newDeviceId: `${unit}-new`,
      actor: 't',
    });
    const draining = await connectDevice(url(), old);
    let dropped = false;
    draining.client.once('close', () => {
      dropped = true;
    });
    const reports = () => received.filter((t) => t === topicFor(old, 'telemetry')).length;
    await draining.client.publishAsync(topicFor(old, 'telemetry'), telemetry(old, 0), { qos: 1 });
    await waitFor(() => reports() === 1, 5_000, 'telemetry');
    // Its rating still goes through after the empty report: it was not revoked.
    const rating = ratingFor(old.deviceId);
    await draining.publishRating(rating);
    await waitFor(() => received.includes(topicFor(old, 'evt/rating')), 5_000, 'a rating after the report');
    expect(dropped).toBe(false);
    expect((await row(old.deviceId)).revokedAt).toBeNull();
    // The new board connects once: the next empty report ends the drain.
    const fresh = await connectDevice(url(), replaced, replaced.deviceId);
    await waitFor(async () => (await row(replaced.deviceId)).lastSeenAt !== null, 5_000, 'new board seen');
    await fresh.close();
    await draining.client.publishAsync(topicFor(old, 'telemetry'), telemetry(old, 0), { qos: 1 });
    await waitFor(() => dropped, 5_000, 'the drained board to be disconnected');
    expect((await row(old.deviceId)).revokedAt).not.toBeNull();
    await draining.close();
  });

  it('is refused and revoked once its deadline has passed', async () => {
    const unit = uniqueUnit('late');
    const old = await provision(store, unit, 'q01');
    await replaceDevice(store.db, { deviceId: old.deviceId, newDeviceId: `${unit}-new`, actor: 't' });
    const draining = await connectDevice(url(), old);
    let dropped = false;
    draining.client.once('close', () => {
      dropped = true;
    });
    await store.db
      .update(schema.devices)
      .set({ drainUntil: sql`now() - interval '1 second'` })
      .where(eq(schema.devices.id, old.deviceId));
    await waitFor(() => dropped, 5_000, 'the sweep to revoke the late board');
    await draining.close();
    expect((await row(old.deviceId)).revokedAt).not.toBeNull();
    const [expired] = await recentAudit(store.db, 1, 'device.drain_expired');
    expect(expired).toMatchObject({ actor: 'broker', target: old.deviceId });
    await expect(connectDevice(url(), old)).rejects.toThrow();
  });
});
