import {
  decodePayload,
  EVENT_CHANNELS,
  type EventChannel,
  type ParsedTopic,
  parseTopic,
} from '@onestop/protocol';
import type { IngestEvent } from '@onestop/store';

export type Decoded =
  | { ok: true; topic: ParsedTopic; event: IngestEvent }
  | { ok: false; reason: 'topic' | 'malformed' | 'device_mismatch'; detail: string };

const isEventChannel = (c: string): c is EventChannel => (EVENT_CHANNELS as readonly string[]).includes(c);

/**
 * The broker validated this already; the ingest checks again because it may sit behind a broker
 * that does not (Mosquitto, EMQX) and because the database must never hold a payload that does
 * not speak for the device whose topic it came on.
 */
export function decodeEvent(topicName: string, raw: Buffer): Decoded {
  const parsed = parseTopic(topicName);
  if (!parsed.ok) return { ok: false, reason: 'topic', detail: parsed.reason };
  const topic = parsed.topic;
  const channel = topic.channel;
  if (!isEventChannel(channel))
    return { ok: false, reason: 'topic', detail: `not an event channel: ${channel}` };
  const origin = { unitId: topic.unitId, counterId: topic.counterId };
  let event: IngestEvent;
  switch (channel) {
    case 'evt/rating': {
      const r = decodePayload(channel, raw);
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
