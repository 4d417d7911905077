import { randomBytes } from 'node:crypto';
import {
  type DeviceAddress,
  deviceSubscriptions,
  encodePayload,
  newEventId,
  type RatingEvent,
  topicFor,
} from '@onestop/protocol';
import { type ProvisionedDevice, provisionDevice, type Store } from '@onestop/store';
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

/** A test device: an MQTT client that collects the eventIds acknowledged on its `ack` topic. */
export interface TestDevice {
  address: DeviceAddress;
  client: MqttClient;
  acked: Set<string>;
  publishRating(r: RatingEvent): Promise<void>;
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
