// On its own so that the CLI can print the defaults in its help without loading the broker.
export interface ConnectionLimits {
  /** Open connections on this broker process, over every listener (Mosquitto's `max_connections`). */
  total: number;
  /** Open connections from one source address: generous, a ward's counters share one NAT address. */
  perAddress: number;
  /**
   * Whether loopback peers skip the per-address limits and churn bans (default true): behind a
   * TLS-terminating proxy on the same machine every device comes from 127.0.0.1. They still
   * count towards `total`.
   */
  loopbackExempt?: boolean;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { total: 50_000, perAddress: 1_000 };
