import { randomBytes } from 'node:crypto';
import {
  type DeviceAddress,
  deviceSubscriptions,
  encodePayload,
  newEventId,
  type PresenceEvent,
  type RatingEvent,
  topicFor,
  type VisitEvent,
} from '@onestop/protocol';
import {
  AROUND_THE_CLOCK,
  type ProvisionedDevice,
  provisionDevice,
  type Store,
  saveOfficer,
  setUnitSettings,
} from '@onestop/store';
import { knownDevice } from '@onestop/store/testing';
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
/**
 * Every test board booted two hours before this process started, its clock right (NTP): `mono`
 * agrees with `ts` for any event since, a sign-in an hour ago included. The centre believes such
 * a clock (store/src/time/placement.ts) once it knows the boot, which `provision` sees to.
 */
const BOOTED_AT = Date.now() - 2 * 3_600_000;

/** The envelope of an event that happened at `ts` on a test board. */
function envelope(deviceId: string, ts: number) {
  seq++;
  return { v: 1 as const, eventId: newEventId(), deviceId, bootId, seq, ts, mono: ts - BOOTED_AT };
}

export function ratingFor(deviceId: string, over: Partial<RatingEvent> = {}): RatingEvent {
  return {
    ...envelope(deviceId, over.ts ?? Date.now()),
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
 * misuse filter catches (no rapid repeat, no burst without a visit) once their visits are sent
 * too (`visitEndFor`): the centre believes a rating's visit only when it has the visit itself.
 */
export function visitRatingsFor(deviceId: string, n: number, over: Partial<RatingEvent> = {}): RatingEvent[] {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) =>
    ratingFor(deviceId, { visitId: newEventId(), ts: now - (n - 1 - i) * 11_000, ...over }),
  );
}

/** The end of the visit rating `r` rates (its prompt opened a second before the press). */
export function visitEndFor(r: RatingEvent): VisitEvent {
  if (!r.visitId) throw new Error('a rating with no visit');
  return {
    ...envelope(r.deviceId, r.ts),
    phase: 'end',
    visitId: r.visitId,
    officerId: r.officerId,
    ticket: null,
    dossierIds: [],
    startedAt: r.ts - 5_000,
    endedAt: r.ts - 1_000,
    reason: 'rated',
    rated: true,
  };
}

/** An officer's badge sign-in (or sign-out) at a device, by default an hour ago. */
export function signInFor(
  deviceId: string,
  officerId: string,
  over: { ts?: number; state?: 'signed_in' | 'signed_out' } = {},
): PresenceEvent {
  return {
    ...envelope(deviceId, over.ts ?? Date.now() - 3_600_000),
    kind: 'session',
    state: over.state ?? 'signed_in',
    officerId,
    source: 'badge',
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
  publishVisit(v: VisitEvent): Promise<void>;
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
    async publishVisit(v) {
      await client.publishAsync(topicFor(addr, 'evt/visit'), encodePayload('evt/visit', v), { qos: 1 });
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

/**
 * A device as a ward has it when a test starts: provisioned the day before, and its board running
 * since BOOTED_AT with the centre hearing from it live, so the centre knows that boot to the
 * second (`device_boots`, as time/place.ts learns it from live events). A test cannot send live
 * events in the past: without this, a sign-in of an hour ago would be the first the centre heard
 * of the boot, which proves only that the boot began by an hour before the receipt, and the
 * sign-in would be re-based to its receipt, after the ratings it should cover.
 */
export async function provision(store: Store, unitId: string, counterId: string): Promise<ProvisionedDevice> {
  const device = await provisionDevice(store.db, { unitId, counterId, actor: 'test' });
  await knownDevice(store.db, device.deviceId, {
    provisionedAt: Date.now() - 86_400_000,
    bootId,
    bootedAtMs: BOOTED_AT,
  });
  return device;
}
