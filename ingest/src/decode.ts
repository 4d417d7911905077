import {
  type DecodeRefusal,
  decodeMessage,
  EVENT_CHANNELS,
  type EventChannel,
  type ParsedTopic,
  parseTopic,
  type TopicParseResult,
} from '@onestop/protocol';
import type { IngestEvent } from '@onestop/store';

export type Decoded =
  | { ok: true; topic: ParsedTopic; event: IngestEvent }
  | { ok: false; reason: 'topic' | DecodeRefusal; detail: string };

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
 * The broker validated this already; the ingest checks again, with the very same
 * `decodeMessage`, because it may sit behind a broker that does not (Mosquitto, EMQX) and
 * because the database must never hold a payload that does not speak for its topic's device.
 */
export function decodeEvent(topicName: string, raw: Buffer): Decoded {
  const parsed = parseTopicOnce(topicName);
  if (!parsed.ok) return { ok: false, reason: 'topic', detail: parsed.reason };
  const topic = parsed.topic;
  if (!isEventChannel(topic.channel))
    return { ok: false, reason: 'topic', detail: `not an event channel: ${topic.channel}` };
  const r = decodeMessage(topic, raw);
  if (!r.ok) return { ok: false, reason: r.refusal, detail: r.reason };
  // `evt/rating` carries a RatingEvent and so on: the channel map pairs them, which TypeScript
  // cannot follow from a runtime channel name.
  const type = topic.channel.slice('evt/'.length);
  const event = { unitId: topic.unitId, counterId: topic.counterId, type, payload: r.value } as IngestEvent;
  return { ok: true, topic, event };
}
