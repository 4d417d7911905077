/**
 * Why the broker refused a connection or a message: a small fixed set, so that
 * `onestop_events_rejected_total{reason}` stays a handful of time series. One metric for both:
 * `oversized` is a payload over the protocol's limit or a packet declaring more than the
 * connection may send (the connection is then cut), `malformed` a bad message or packet header.
 */
export const REJECT_REASONS = [
  'auth_failed',
  'revoked',
  'throttled',
  'client_id',
  'foreign_topic',
  'wrong_direction',
  'unknown_channel',
  'device_mismatch',
  'malformed',
  'oversized',
  'rate_limited',
  // Connections cut before or around the CONNECT: over a connection limit, or reconnecting too often.
  'connection_limit',
  'flapping',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];
