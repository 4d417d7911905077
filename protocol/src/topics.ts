import type { z } from 'zod';
import { SLUG_PATTERN } from './ids.js';
import {
  AckMessage,
  COMMAND_NAMES,
  type CommandName,
  CommandRequest,
  CommandResponse,
  ConfigMessage,
  IngestState,
} from './payloads/control.js';
import { BirthMessage, StatusMessage, TelemetryMessage } from './payloads/device.js';
import type { Envelope } from './payloads/envelope.js';
import { ExpressionEvent, PresenceEvent, RatingEvent, VisitEvent } from './payloads/events.js';
import { UpdateOffer, UpdateStatus } from './release.js';

export const TOPIC_ROOT = 'onestop/v1';

/**
 * Every channel under a device's prefix `onestop/v1/{unitId}/{counterId}/{deviceId}/`, with its
 * payload schema, direction and QoS. This map is the single source of truth for both ends.
 */
export const CHANNELS = {
  status: { schema: StatusMessage, from: 'device', qos: 1, retain: true },
  birth: { schema: BirthMessage, from: 'device', qos: 1, retain: true },
  'evt/rating': { schema: RatingEvent, from: 'device', qos: 1, retain: false },
  'evt/visit': { schema: VisitEvent, from: 'device', qos: 1, retain: false },
  'evt/presence': { schema: PresenceEvent, from: 'device', qos: 1, retain: false },
  'evt/expression': { schema: ExpressionEvent, from: 'device', qos: 1, retain: false },
  telemetry: { schema: TelemetryMessage, from: 'device', qos: 0, retain: false },
  config: { schema: ConfigMessage, from: 'server', qos: 1, retain: true },
  /**
   * QoS 0: an ack is never the only copy of anything (a device re-sends what it has not heard
   * acknowledged, and is answered again), and at QoS 1 the ingest's client had to re-send every
   * ack in flight, one PUBACK at a time, before it counted its link as up again: after a broker
   * or database outage at 1,000 counters, minutes in which the city heard no ack.
   */
  ack: { schema: AckMessage, from: 'server', qos: 0, retain: false },
  'cmd/restart': { schema: CommandRequest, from: 'server', qos: 1, retain: false },
  'cmd/reload-config': { schema: CommandRequest, from: 'server', qos: 1, retain: false },
  'cmd/self-test': { schema: CommandRequest, from: 'server', qos: 1, retain: false },
  'cmd/retry-dead-letters': { schema: CommandRequest, from: 'server', qos: 1, retain: false },
  'cmd/restart/res': { schema: CommandResponse, from: 'device', qos: 1, retain: false },
  'cmd/reload-config/res': { schema: CommandResponse, from: 'device', qos: 1, retain: false },
  'cmd/self-test/res': { schema: CommandResponse, from: 'device', qos: 1, retain: false },
  'cmd/retry-dead-letters/res': { schema: CommandResponse, from: 'device', qos: 1, retain: false },
  /** The release this device should run (fleet updates, release.ts); retained so a reconnect learns it. */
  update: { schema: UpdateOffer, from: 'server', qos: 1, retain: true },
  /** Where this device's last update stands; retained so the console shows it after a restart. */
  'update/status': { schema: UpdateStatus, from: 'device', qos: 1, retain: true },
} as const;

/**
 * The one topic outside every device's prefix (no slug starts with `_`, so no unit can own it):
 * whether the ingest is listening, as Sparkplug B's primary host announces itself on its STATE
 * topic. On a clean session the broker drops what a device sends while no ingest is subscribed;
 * the device learns from this that a missing ack was the centre's absence, not a refusal of the
 * event, and re-sends at once when the ingest is back instead of after its ack timeout. Several
 * ingests (a shared subscription) share the topic: the last word wins, which can only make a
 * device think the centre away when one of them is up, never the other way round.
 */
export const INGEST_STATE = {
  topic: `${TOPIC_ROOT}/_centre/ingest`,
  schema: IngestState,
  /** As `ack`: only the latest word counts, and every connection of the ingest says it again. */
  qos: 0,
  retain: true,
} as const;

export type Channel = keyof typeof CHANNELS;
export type PayloadOf<C extends Channel> = z.infer<(typeof CHANNELS)[C]['schema']>;
/** What callers build before validation fills defaults (e.g. command args). */
export type PayloadInput<C extends Channel> = z.input<(typeof CHANNELS)[C]['schema']>;
export type DeviceChannel = {
  [C in Channel]: (typeof CHANNELS)[C]['from'] extends 'device' ? C : never;
}[Channel];
export type ServerChannel = Exclude<Channel, DeviceChannel>;
export type EventChannel = Extract<Channel, `evt/${string}`>;
export type EventType = EventChannel extends `evt/${infer T}` ? T : never;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An event as its producer (the counter, the camera) describes it; the device's outbox adds the envelope. */
export type EventBody<C extends EventChannel> = DistributiveOmit<PayloadInput<C>, keyof Envelope>;
export const EVENT_CHANNELS = [
  'evt/rating',
  'evt/visit',
  'evt/presence',
  'evt/expression',
] as const satisfies readonly EventChannel[];

export interface DeviceAddress {
  unitId: string;
  counterId: string;
  deviceId: string;
}

export function devicePrefix(a: DeviceAddress): string {
  return `${TOPIC_ROOT}/${a.unitId}/${a.counterId}/${a.deviceId}`;
}

export function topicFor(a: DeviceAddress, channel: Channel): string {
  return `${devicePrefix(a)}/${channel}`;
}

export function commandChannel(name: CommandName): `cmd/${CommandName}` {
  return `cmd/${name}`;
}

export const ALL_DEVICES_FILTER = `${TOPIC_ROOT}/+/+/+`;
/** Subscriptions a device makes: only what is addressed to it. */
export function deviceSubscriptions(a: DeviceAddress): string[] {
  const p = devicePrefix(a);
  return [`${p}/config`, `${p}/ack`, `${p}/update`, ...COMMAND_NAMES.map((n) => `${p}/cmd/${n}`)];
}

export type ParsedTopic = DeviceAddress & { channel: Channel };
export type TopicParseResult = { ok: true; topic: ParsedTopic } | { ok: false; reason: string };

export function isChannel(s: string): s is Channel {
  return Object.hasOwn(CHANNELS, s);
}

export function parseTopic(topic: string): TopicParseResult {
  const parts = topic.split('/');
  if (parts.length < 6 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT) {
    return { ok: false, reason: `topic must start with ${TOPIC_ROOT}/{unitId}/{counterId}/{deviceId}/` };
  }
  const [unitId, counterId, deviceId] = parts.slice(2, 5) as [string, string, string];
  for (const [name, value] of [
    ['unitId', unitId],
    ['counterId', counterId],
    ['deviceId', deviceId],
  ] as const) {
    if (!SLUG_PATTERN.test(value))
      return { ok: false, reason: `${name} '${value}' in topic is not a valid slug` };
  }
  const channel = parts.slice(5).join('/');
  if (!isChannel(channel)) return { ok: false, reason: `unknown channel '${channel}'` };
  return { ok: true, topic: { unitId, counterId, deviceId, channel } };
}
