import { randomBytes } from 'node:crypto';
import {
  type DeviceAddress,
  deviceSubscriptions,
  encodePayload,
  newEventId,
  type PresenceEvent,
  type RatingEvent,
  topicFor,
} from '@onestop/protocol';
import {
  AROUND_THE_CLOCK,
  type ProvisionedDevice,
  provisionDevice,
  type Store,
  saveOfficer,
  setUnitSettings,
} from '@onestop/store';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import type { Registry } from 'prom-client';

export const silentLogger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export function servicePassword(): string {
  return randomBytes(18).toString('base64url');
}

/** A fresh unit slug per run, so that runs sharing a broker (Mosquitto) never see each other. */
export function uniqueUnit(prefix = 'test'): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

let seq = 0;
const bootId = '0193a0c2-5b1e-7c3d-9f00-1a2b3c4d5e6f';
/** The test process is the device's boot: `mono` agrees with `ts`, as on a board with NTP. */
const bootedAt = Date.now();

export function ratingFor(deviceId: string, over: Partial<RatingEvent> = {}): RatingEvent {
  seq++;
  return {
    v: 1,
    eventId: newEventId(),
    deviceId,
    bootId,
    seq,
    ts: Date.now(),
    mono: Date.now() - bootedAt,
    visitId: null,
    officerId: 'cb-test',
    dossierIds: [],
    ticket: null,
    scale: 'keypad4',
    level: 4,
    source: 'keypad',
    reasons: [],
    responseMs: 900,
    ...over,
  };
}

/**
 * `n` ratings of citizens' visits at a device, 11 s apart with the last one now: traffic that no
 * misuse filter catches (no rapid repeat, no burst without a visit).
 */
export function visitRatingsFor(deviceId: string, n: number, over: Partial<RatingEvent> = {}): RatingEvent[] {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) =>
    ratingFor(deviceId, { visitId: newEventId(), ts: now - (n - 1 - i) * 11_000, ...over }),
  );
}

/** An officer's badge sign-in (or sign-out) at a device, by default an hour ago. */
export function signInFor(
  deviceId: string,
  officerId: string,
  over: { ts?: number; state?: 'signed_in' | 'signed_out' } = {},
): PresenceEvent {
  seq++;
  return {
    v: 1,
    eventId: newEventId(),
    deviceId,
    bootId,
    seq,
    ts: Date.now() - 3_600_000,
    mono: seq * 10,
    kind: 'session',
    state: 'signed_in',
    officerId,
    source: 'badge',
    ...over,
  };
}

/**
 * The realistic start of a counter's day, for tests whose ratings must count for an officer: the
 * officer on the unit's roster, signed in at the device (acknowledged). The centre credits no
 * officer it has not seen signed in there (store/src/judge).
 */
export async function signIn(store: Store, dev: TestDevice, officerId: string, ts = Date.now() - 3_600_000) {
  await saveOfficer(store.db, { unitId: dev.address.unitId, officerId, name: officerId, actor: 'test' });
  const p = signInFor(dev.address.deviceId, officerId, { ts });
  await dev.publishPresence(p);
  await dev.waitAcked([p.eventId]);
}

/**
 * Opens the unit around the clock, for tests that rate "now" whatever the hour they run at: the
 * default opening hours would filter a test run at night as `outside_hours`.
 */
export async function openAroundTheClock(store: Store, unitId: string) {
  await setUnitSettings(store.db, { unitId, settings: { openingHours: AROUND_THE_CLOCK }, actor: 'test' });
}

/** A test device: an MQTT client that collects the eventIds acknowledged on its `ack` topic. */
export interface TestDevice {
  address: DeviceAddress;
  client: MqttClient;
  acked: Set<string>;
  publishRating(r: RatingEvent): Promise<void>;
  publishPresence(p: PresenceEvent): Promise<void>;
  waitAcked(ids: readonly string[], timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * `onMessage` listens from before the subscription: what the broker sends as soon as a device
 * subscribes (queued commands, retained config) can arrive in the same read as the SUBACK.
 */
export async function connectDevice(
  url: string,
  creds: ProvisionedDevice,
  clientId = creds.deviceId,
  onMessage?: (topic: string, payload: Buffer, client: MqttClient) => void,
): Promise<TestDevice> {
  const client = await mqtt.connectAsync(url, {
    clientId,
    username: creds.username,
    password: creds.password,
    clean: true,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  if (onMessage) client.on('message', (topic, payload) => onMessage(topic, payload, client));
  return wrapDevice(client, creds);
}

export async function wrapDevice(client: MqttClient, address: DeviceAddress): Promise<TestDevice> {
  const acked = new Set<string>();
  const addr = { unitId: address.unitId, counterId: address.counterId, deviceId: address.deviceId };
  const ackTopic = topicFor(addr, 'ack');
  client.on('message', (topic, payload) => {
    if (topic !== ackTopic) return;
    const m = JSON.parse(payload.toString()) as { eventIds: string[] };
    for (const id of m.eventIds) acked.add(id);
  });
  await client.subscribeAsync(deviceSubscriptions(addr), { qos: 1 });
  return {
    address: addr,
    client,
    acked,
    async publishRating(r) {
      await client.publishAsync(topicFor(addr, 'evt/rating'), encodePayload('evt/rating', r), { qos: 1 });
    },
    async publishPresence(p) {
      await client.publishAsync(topicFor(addr, 'evt/presence'), encodePayload('evt/presence', p), { qos: 1 });
    },
    waitAcked: (ids, timeoutMs = 10_000) =>
      waitFor(() => ids.every((id) => acked.has(id)), timeoutMs, 'acks'),
    close: () => client.endAsync(),
  };
}

export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'condition',
) {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The value of a counter/gauge for one label set (0 when never incremented). */
export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const m = registry.getSingleMetric(name);
  if (!m) return 0;
  const data = await m.get();
  const hit = data.values.find((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val));
  return hit?.value ?? 0;
}

export async function provision(store: Store, unitId: string, counterId: string): Promise<ProvisionedDevice> {
  return provisionDevice(store.db, { unitId, counterId, actor: 'test' });
}
