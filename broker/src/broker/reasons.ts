/**
 * Why the broker refused a connection or a message: a small fixed set, so that
 * `onestop_events_rejected_total{reason}` stays a handful of time series.
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
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];
