import {
  decodePayload,
  decodeRatingFast,
  EVENT_CHANNELS,
  type EventChannel,
  MAX_PAYLOAD_BYTES,
  type ParsedTopic,
  parseTopic,
  type TopicParseResult,
} from '@onestop/protocol';
import type { IngestEvent } from '@onestop/store';

export type Decoded =
  | { ok: true; topic: ParsedTopic; event: IngestEvent }
  | { ok: false; reason: 'topic' | 'malformed' | 'device_mismatch'; detail: string };

/**
 * A fleet publishes on a few topics per device, over and over: parse each once. Results are
 * never mutated; the bound keeps a flood of bogus topics from growing it for ever.
 */
const topics = new Map<string, TopicParseResult>();
function parseTopicOnce(name: string): TopicParseResult {
  let parsed = topics.get(name);
  if (!parsed) {
    parsed = parseTopic(name);
    if (topics.size >= 50_000) topics.clear();
    topics.set(name, parsed);
  }
  return parsed;
}

const isEventChannel = (c: string): c is EventChannel => (EVENT_CHANNELS as readonly string[]).includes(c);

/**
 * The broker validated this already; the ingest checks again because it may sit behind a broker
 * that does not (Mosquitto, EMQX) and because the database must never hold a payload that does
 * not speak for the device whose topic it came on.
 */
export function decodeEvent(topicName: string, raw: Buffer): Decoded {
  const parsed = parseTopicOnce(topicName);
  if (!parsed.ok) return { ok: false, reason: 'topic', detail: parsed.reason };
  const topic = parsed.topic;
  const channel = topic.channel;
  if (!isEventChannel(channel))
    return { ok: false, reason: 'topic', detail: `not an event channel: ${channel}` };
  const origin = { unitId: topic.unitId, counterId: topic.counterId };
  let event: IngestEvent;
  switch (channel) {
    case 'evt/rating': {
      // Ratings are nearly all the traffic: the compiled check first, zod for anything it doubts.
      const fast = raw.byteLength <= MAX_PAYLOAD_BYTES ? decodeRatingFast(raw) : null;
      const r = fast ? { ok: true as const, value: fast } : decodePayload(channel, raw);
      if (!r.ok) return { ok: false, reason: 'malformed', detail: r.reason };
      event = { ...origin, type: 'rating', payload: r.value };
      break;
    }
    case 'evt/visit': {
      const r = decodePayload(channel, raw);
      if (!r.ok) return { ok: false, reason: 'malformed', detail: r.reason };
      event = { ...origin, type: 'visit', payload: r.value };
      break;
    }
    case 'evt/presence': {
      const r = decodePayload(channel, raw);
      if (!r.ok) return { ok: false, reason: 'malformed', detail: r.reason };
      event = { ...origin, type: 'presence', payload: r.value };
      break;
    }
    case 'evt/expression': {
      const r = decodePayload(channel, raw);
      if (!r.ok) return { ok: false, reason: 'malformed', detail: r.reason };
      event = { ...origin, type: 'expression', payload: r.value };
      break;
    }
  }
  if (event.payload.deviceId !== topic.deviceId) {
    return {
      ok: false,
      reason: 'device_mismatch',
      detail: `payload deviceId ${event.payload.deviceId} on ${topicName}`,
    };
  }
  return { ok: true, topic, event };
}
