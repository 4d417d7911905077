import { DECODE_REFUSALS } from '@onestop/protocol';

/**
 * Why the broker refused a connection or a message: a small fixed set, so that
 * `onestop_events_rejected_total{reason}` stays a handful of time series, one metric for messages
 * and connections. A message's payload is refused for one of the protocol's decode refusals
 * (`malformed`, `out_of_range`, …); `oversized` is also a packet declaring more than the
 * connection may send (the connection is then cut), `malformed` also a bad packet header.
 */
export const REJECT_REASONS = [
  'auth_failed',
  'revoked',
  'throttled',
  'client_id',
  'foreign_topic',
  'wrong_direction',
  'unknown_channel',
  'rate_limited',
  ...DECODE_REFUSALS,
  // Connections cut before or around the CONNECT: over a connection limit, or reconnecting too often.
  'connection_limit',
  'flapping',
  // A TLS client certificate not from the centre's CA, or issued to another username.
  'client_cert',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];
