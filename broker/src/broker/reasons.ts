import { DECODE_REFUSALS } from '@onestop/protocol';

/**
 * Why the broker refused a connection or a message: a small fixed set, so that
 * `onestop_events_rejected_total{reason}` stays a handful of time series. A message's payload is
 * refused for one of the protocol's decode refusals (`malformed`, `out_of_range`, …).
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
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];
