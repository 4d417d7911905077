import { randomUUID } from 'node:crypto';
import {
  buildJsonSchema,
  CHANNELS,
  type Channel,
  type DeviceAddress,
  decodeMessage,
  INGEST_STATE,
  MAX_PAYLOAD_BYTES,
  newEventId,
  parseTopic,
  TOPIC_ROOT,
  topicFor,
} from '@onestop/protocol';
import fc from 'fast-check';
import { arbitraryOf, type JsonSchema } from './arbitrary.js';

/** What a fuzz case is made of; `refusal` kinds must be refused, `valid` ones may pass. */
export const MQTT_CASE_KINDS = ['valid', 'schema', 'bytes', 'topic', 'oversized'] as const;
export type MqttCaseKind = (typeof MQTT_CASE_KINDS)[number];

export interface MqttCase {
  kind: MqttCaseKind;
  topic: string;
  payload: Buffer;
  qos: 0 | 1;
}

/**
 * What the door must answer: `accepted`, or the reason it refuses. Judged with the wire contract's
 * own rules (topic tree, the channel's direction, `decodeMessage`), independently of the broker.
 */
export type Verdict = 'accepted' | string;

const CHANNEL_NAMES = Object.keys(CHANNELS) as Channel[];
const DEVICE_CHANNELS = CHANNEL_NAMES.filter((c) => CHANNELS[c].from === 'device');
const SCHEMAS = buildJsonSchema().$defs as Record<Channel, JsonSchema>;

export function expectedVerdict(own: DeviceAddress, topic: string, payload: Buffer): Verdict {
  if (payload.byteLength > MAX_PAYLOAD_BYTES) return 'oversized';
  // Only the ingest says whether it listens.
  if (topic === INGEST_STATE.topic) return 'wrong_direction';
  const parsed = parseTopic(topic);
  if (!parsed.ok)
    return topic.startsWith(`${TOPIC_ROOT}/`) && parsed.reason.startsWith('unknown channel')
      ? 'unknown_channel'
      : 'foreign_topic';
  const t = parsed.topic;
  if (t.unitId !== own.unitId || t.counterId !== own.counterId || t.deviceId !== own.deviceId)
    return 'foreign_topic';
  if (CHANNELS[t.channel].from !== 'device') return 'wrong_direction';
  const decoded = decodeMessage(t, payload);
  return decoded.ok ? 'accepted' : decoded.refusal;
}

/** A payload of `channel` from the schema, speaking for `own` with a fresh event ID when it has one. */
const GENERATED = new Map<Channel, fc.Arbitrary<unknown>>();
function payloadOf(channel: Channel, own: DeviceAddress): fc.Arbitrary<Record<string, unknown>> {
  // Built once per channel: a schema's arbitrary takes a while to build, and is reused by every case.
  let arb = GENERATED.get(channel);
  if (!arb) {
    arb = arbitraryOf(SCHEMAS[channel]);
    GENERATED.set(channel, arb);
  }
  return arb.map((v) => {
    const o = { ...(v as Record<string, unknown>) };
    if ('deviceId' in o) o.deviceId = own.deviceId;
    // Fresh: the fuzz counts what is stored, and a repeated ID is (rightly) a duplicate.
    if ('eventId' in o) o.eventId = newEventId();
    return o;
  });
}

const anyChannelPayload = (own: DeviceAddress, channels: readonly Channel[]) =>
  fc.oneof(...channels.map((channel) => payloadOf(channel, own).map((p) => ({ channel, p }))));

/** Structural damage to a JSON object: what a buggy or hostile producer sends. */
const schemaMutation = fc.oneof(
  fc.constant((o: Record<string, unknown>, _k: string) => ({ ...o, [`x${randomUUID().slice(0, 4)}`]: 1 })),
  fc.constant((o: Record<string, unknown>, k: string) => {
    const { [k]: _gone, ...rest } = o;
    return rest;
  }),
  fc.jsonValue().map((j) => (o: Record<string, unknown>, k: string) => ({ ...o, [k]: j })),
  fc
    .constantFrom(-1, 2 ** 53, -(2 ** 63), 1e308, 4102444800001, 0.5, -0.0)
    .map((n) => (o: Record<string, unknown>, k: string) => ({ ...o, [k]: n })),
  fc
    .constantFrom('', 'x'.repeat(300), '\u0000', '../../etc', '<script>', "'; drop table events;--", '\uD800')
    .map((s) => (o: Record<string, unknown>, k: string) => ({ ...o, [k]: s })),
  fc.constant((o: Record<string, unknown>, _k: string) => ({ ...o, deviceId: 'someone-else' })),
  fc.constant((o: Record<string, unknown>, _k: string) => ({ ...o, __proto__: { v: 2 }, constructor: 1 })),
  fc.constant((_o: Record<string, unknown>, _k: string) => [] as unknown as Record<string, unknown>),
);

/** Byte-level damage to an encoded payload. */
const byteMutation = fc.oneof(
  fc.nat().map((i) => (b: Buffer) => {
    const c = Buffer.from(b);
    if (c.length > 0) c[i % c.length] = (c[i % c.length] as number) ^ (1 << (i % 8));
    return c;
  }),
  fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([i, ins]) => (b: Buffer) => {
    const at = b.length === 0 ? 0 : i % b.length;
    return Buffer.concat([b.subarray(0, at), Buffer.from(ins), b.subarray(at)]);
  }),
  fc.nat().map((i) => (b: Buffer) => b.subarray(0, b.length === 0 ? 0 : i % b.length)),
  fc.tuple(fc.nat(), fc.nat({ max: 16 })).map(([i, n]) => (b: Buffer) => {
    const at = b.length === 0 ? 0 : i % b.length;
    return Buffer.concat([b.subarray(0, at), b.subarray(at + n)]);
  }),
  fc.uint8Array({ maxLength: 64 }).map((r) => (_b: Buffer) => Buffer.from(r)),
  fc.constant((b: Buffer) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), b])),
  fc.constant((b: Buffer) => Buffer.concat([b, b])),
  fc.constant((b: Buffer) => Buffer.from(b.toString('utf8').replace(/"/, '\u00ff'), 'latin1')),
);

/** Topics a device has no business publishing on, or that are not topics of the tree at all. */
function topicMutation(own: DeviceAddress, other: DeviceAddress): fc.Arbitrary<(channel: Channel) => string> {
  // No wildcards: a PUBLISH topic with one is a protocol violation that closes the connection
  // (MQTT 3.1.1 §4.7.1); raw-frames.ts sends those, one connection each.
  const seg = fc.oneof(
    fc.stringMatching(/^[a-z0-9-]{1,12}$/),
    fc.string({ maxLength: 12, unit: 'grapheme' }).map((s) => s.replace(/[+#]/g, '_')),
  );
  return fc.oneof(
    fc.constant((c: Channel) => topicFor(other, c)),
    fc.constant((c: Channel) => topicFor({ ...own, unitId: other.unitId }, c)),
    fc.constant((c: Channel) => topicFor({ ...own, counterId: other.counterId }, c)),
    fc.constantFrom(...CHANNEL_NAMES).map((s) => (_c: Channel) => topicFor(own, s)),
    seg.map((s) => (_c: Channel) => `${TOPIC_ROOT}/${own.unitId}/${own.counterId}/${own.deviceId}/${s}`),
    seg.map((s) => (c: Channel) => `${TOPIC_ROOT}/${s}/${own.counterId}/${own.deviceId}/${c}`),
    // Never empty: an empty topic is a protocol violation too (MQTT 3.1.1 §4.7.3), and mqtt.js
    // then sends nothing yet waits for the PUBACK of a QoS 1/2 publish forever (seed 20261201).
    fc
      .array(seg, { minLength: 1, maxLength: 9 })
      .map((parts) => parts.join('/'))
      .filter((t) => t.length > 0)
      .map((t) => (_c: Channel) => t),
    fc.constant((c: Channel) => `${topicFor(own, c)}/`),
    fc.constant((c: Channel) => `/${topicFor(own, c)}`),
    fc.constant((c: Channel) => topicFor(own, c).replace('onestop/v1', 'onestop/v2')),
    fc.constant((c: Channel) => topicFor(own, c).toUpperCase()),
    fc.constant((c: Channel) => `$SYS/${topicFor(own, c)}`),
    fc.constant((_c: Channel) => `$internal/refused`),
    fc.constant((_c: Channel) => INGEST_STATE.topic),
    // Deep, but within aedes's 100 levels: deeper ones close the connection (raw-frames.ts sends those).
    fc.nat({ max: 90 }).map((n) => (c: Channel) => `${topicFor(own, c)}${'/x'.repeat(n)}`),
  );
}

/**
 * The MQTT fuzz cases a device `own` sends: structure-aware payloads generated from the wire
 * contract's schemas (`CHANNELS` → JSON Schema), structurally damaged ones, byte-level mutations of
 * valid encodings, foreign and malformed topics, and payloads over the size limit.
 */
export function mqttCase(own: DeviceAddress, other: DeviceAddress): fc.Arbitrary<MqttCase> {
  const qos = fc.constantFrom<0 | 1>(1, 1, 1, 0);
  const encode = (o: unknown) => Buffer.from(JSON.stringify(o));
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.tuple(anyChannelPayload(own, DEVICE_CHANNELS), qos).map(([{ channel, p }, q]) => ({
        kind: 'valid' as const,
        topic: topicFor(own, channel),
        payload: encode(p),
        qos: q,
      })),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(anyChannelPayload(own, DEVICE_CHANNELS), schemaMutation, fc.nat(), qos)
        .map(([{ channel, p }, mutate, i, q]) => {
          const keys = Object.keys(p);
          const key = keys.length > 0 ? keys[i % keys.length]! : 'v';
          return {
            kind: 'schema' as const,
            topic: topicFor(own, channel),
            payload: encode(mutate(p, key)),
            qos: q,
          };
        }),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(anyChannelPayload(own, DEVICE_CHANNELS), byteMutation, qos)
        .map(([{ channel, p }, mutate, q]) => ({
          kind: 'bytes' as const,
          topic: topicFor(own, channel),
          payload: mutate(encode(p)),
          qos: q,
        })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(anyChannelPayload(own, CHANNEL_NAMES), topicMutation(own, other), qos)
        .map(([{ channel, p }, topic, q]) => ({
          kind: 'topic' as const,
          topic: topic(channel),
          payload: encode(p),
          qos: q,
        })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...DEVICE_CHANNELS),
          fc.integer({ min: 1, max: 1_024 }),
          fc.integer({ min: 0, max: 255 }),
        )
        .map(([channel, over, byte]) => ({
          kind: 'oversized' as const,
          topic: topicFor(own, channel),
          payload: Buffer.alloc(MAX_PAYLOAD_BYTES + over, byte),
          qos: 1 as const,
        })),
    },
  );
}
