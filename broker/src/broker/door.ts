import {
  CHANNELS,
  type Channel,
  decodeMessage,
  MAX_PAYLOAD_BYTES,
  type ParsedTopic,
  type PayloadOf,
  parseTopic,
  TOPIC_ROOT,
} from '@onestop/protocol';
import { mayPublish, type Session } from './acl.js';
import type { RejectReason } from './reasons.js';

// Budgets live in budget.ts (keyed by device, surviving reconnects); re-exported for old importers.
export { DEFAULT_RATE_LIMIT, type RateLimit, TokenBucket } from './budget.js';

export type DoorVerdict =
  | { ok: true; topic: ParsedTopic; payload: PayloadOf<Channel> }
  | { ok: false; reason: RejectReason; detail: string };

/**
 * Everything a message must pass before any subscriber sees it, cheapest check first: size,
 * topic shape, the client's ACL, then the protocol's `decodeMessage`: JSON, the channel's schema
 * (bounds included) and that the payload speaks for the device whose topic it is on.
 */
export function inspect(session: Session | null, topic: string, payload: Buffer): DoorVerdict {
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    return { ok: false, reason: 'oversized', detail: `${payload.byteLength} bytes > ${MAX_PAYLOAD_BYTES}` };
  }
  const parsed = parseTopic(topic);
  if (!parsed.ok) {
    const underDevice = topic.startsWith(`${TOPIC_ROOT}/`) && parsed.reason.startsWith('unknown channel');
    return { ok: false, reason: underDevice ? 'unknown_channel' : 'foreign_topic', detail: parsed.reason };
  }
  if (session) {
    const acl = mayPublish(session, parsed.topic);
    if (!acl.ok) return { ok: false, reason: acl.reason, detail: `${session.role} may not publish ${topic}` };
  } else if (CHANNELS[parsed.topic.channel].from !== 'device') {
    // No client: a Last Will left by a session on a broker that died. Only device channels.
    return { ok: false, reason: 'wrong_direction', detail: `orphan will on ${topic}` };
  }
  // The same decode the ingest runs: size, JSON, the channel's schema (compiled from zod, zod
  // naming the field of any refusal), and that the payload speaks for the topic's device.
  const decoded = decodeMessage(parsed.topic, payload);
  if (!decoded.ok) return { ok: false, reason: decoded.refusal, detail: decoded.reason };
  return { ok: true, topic: parsed.topic, payload: decoded.value };
}

/** Longest attacker-chosen text (username, client ID, topic) a refusal log line carries. */
export const MAX_LOGGED_CHARS = 128;

/** `text` cut to `MAX_LOGGED_CHARS`, saying how long it was: a username may be 64 KiB. */
export function forLog(text: string | null | undefined): string | undefined {
  // A client that never sent a CONNECT has a null ID.
  if (text === undefined || text === null) return undefined;
  if (text.length <= MAX_LOGGED_CHARS) return text;
  return `${text.slice(0, MAX_LOGGED_CHARS)}…(${text.length} chars)`;
}
