import {
  CHANNELS,
  type Channel,
  decodeIngestState,
  decodeMessage,
  INGEST_STATE,
  type IngestState,
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
  /** The ingest's retained state (`INGEST_STATE`), the one topic outside a device's prefix. */
  | { ok: true; topic: null; payload: IngestState }
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
  if (topic === INGEST_STATE.topic) return inspectIngestState(session, payload);
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

/**
 * Only the ingest says whether it is listening; a will left on a broker that died may only say it
 * is not (saying "online" would let devices count the centre's silence against their events).
 */
function inspectIngestState(session: Session | null, payload: Buffer): DoorVerdict {
  if (session && session.role !== 'ingest') {
    return {
      ok: false,
      reason: 'wrong_direction',
      detail: `${session.role} may not publish ${INGEST_STATE.topic}`,
    };
  }
  const decoded = decodeIngestState(payload);
  if (!decoded.ok) return { ok: false, reason: decoded.refusal, detail: decoded.reason };
  if (!session && decoded.value.online) {
    return { ok: false, reason: 'wrong_direction', detail: `orphan will saying the ingest is online` };
  }
  return { ok: true, topic: null, payload: decoded.value };
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
