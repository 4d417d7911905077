import type { RejectReason } from './reasons.js';

/**
 * aedes's own refusals of a topic (handlers/publish.js, subscribe.js, utils.js): it closes the
 * connection before the gate sees the packet. Not a topic of the tree, as the door would say.
 */
const TOPIC_REFUSALS = [
  /^empty topic not allowed in PUBLISH$/,
  /^[#+] is not allowed in PUBLISH$/,
  /^topic has too many levels$/,
  /^impossible to .* to an empty topic$/,
  /^[#+] is only allowed in /,
];

/** Errors that end a connection without the client having sent anything wrong. */
const NOT_REFUSALS = new Set([
  'keep alive timeout',
  'connect did not arrive in time',
  'connection closed',
  'drain timeout',
  'Client queue limit reached',
]);

/**
 * Why a connection aedes closed on a client or connection error was refused, or null when it was
 * not a refusal (the peer went away, a timer ran out). The packet parser's errors ("Invalid header
 * flag bits", "Packet too short", a bad protocol name or version…) are `malformed`: a frame that is
 * not MQTT. CONNACK refusals the gate decided (bad password, revoked, client ID) it has counted
 * already.
 */
export function refusalOfClientError(
  err: Error & { code?: unknown; errorCode?: unknown },
): RejectReason | null {
  if (TOPIC_REFUSALS.some((re) => re.test(err.message))) return 'foreign_topic';
  // A socket's own error (ECONNRESET, EPIPE…): the network, not the client's packets.
  if (typeof err.code === 'string') return null;
  if (NOT_REFUSALS.has(err.message)) return null;
  // 1 (protocol version) and 6 (keep-alive) are decided by aedes before the gate is asked.
  if (typeof err.errorCode === 'number')
    return err.errorCode === 1 || err.errorCode === 6 ? 'malformed' : null;
  return 'malformed';
}
