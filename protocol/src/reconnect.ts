/**
 * How every MQTT client of this system comes back after losing its broker. mqtt.js 5 gives up
 * for good after a refused CONNACK unless told otherwise (mqtt.js #1947), and its own retry runs
 * at one fixed period: a thousand counters refused by a database hiccup would all come back in
 * the same second, again and again. Clients are therefore created with `reconnectPeriod: 0` and
 * handed to `keepReconnecting`, which retries after ANY close or refusal with capped exponential
 * backoff and jitter, and reports why it is not connected.
 */

export interface Backoff {
  /** The first retry's delay, before jitter. */
  initialMs: number;
  /** The cap: a client never waits longer than this between two tries. */
  maxMs: number;
  factor: number;
  /** The share of each delay that is random (0 = none, 1 = "full jitter"). */
  jitter: number;
}

export const RECONNECT_BACKOFF: Backoff = { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 };

/**
 * A centre service's link (the ingest): one client, not a herd, and every counter's acks wait on
 * it. The devices' 30 s cap would keep the whole city unacknowledged for up to half a minute after
 * its broker is back; at most one cheap CONNECT every five seconds while it is down costs nothing.
 */
export const SERVICE_BACKOFF: Backoff = { initialMs: 250, maxMs: 5_000, factor: 2, jitter: 0.5 };

/** The delay before retry number `attempt` (0-based): within [(1 − jitter)·d, d], d = min(cap, initial·factor^attempt). */
export function backoffDelay(
  attempt: number,
  policy: Backoff = RECONNECT_BACKOFF,
  random = Math.random,
): number {
  const d = Math.min(policy.maxMs, policy.initialMs * policy.factor ** Math.max(0, attempt));
  return Math.round(d * (1 - policy.jitter) + d * policy.jitter * random());
}

/** MQTT 3.1.1 CONNACK return codes (§3.2.2.3), as a status line says them. */
export const CONNACK_REFUSALS: Readonly<Record<number, string>> = {
  1: 'unacceptable protocol version',
  2: 'client identifier rejected',
  3: 'server unavailable',
  4: 'bad user name or password',
  5: 'not authorized',
};

export type LinkStatus =
  | { state: 'connecting' }
  | { state: 'connected'; since: number }
  | {
      state: 'reconnecting';
      /** Retries since the last successful connection. */
      attempt: number;
      /** When the next try starts (epoch ms). */
      nextAt: number;
      /** Why the last try ended, in words. */
      reason: string;
      /** The broker's refusal code, when it refused the CONNECT. */
      refusedCode: number | null;
    }
  | { state: 'stopped' };

/** The part of an mqtt.js `MqttClient` this needs; structural, so the contract imports no client. */
export interface ReconnectableClient {
  on(event: 'connect', listener: () => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (err: Error & { code?: unknown }) => void): unknown;
  /** mqtt.js's message stores: handed back on every retry (see `keepReconnecting`). */
  readonly incomingStore?: unknown;
  readonly outgoingStore?: unknown;
  reconnect(opts?: { incomingStore?: unknown; outgoingStore?: unknown }): unknown;
}

export interface ReconnectHandle {
  status(): LinkStatus;
  /** Stops retrying (call before `end()`). */
  stop(): void;
}

/**
 * Retries after every close or refusal, forever, with `backoffDelay`. The client must be created
 * with `reconnectPeriod: 0` so that mqtt.js never schedules a retry of its own.
 */
export function keepReconnecting(
  client: ReconnectableClient,
  opts: {
    policy?: Backoff;
    onStatus?: (status: LinkStatus) => void;
    random?: () => number;
    now?: () => number;
    /**
     * How long a connection must last before the backoff starts again from the first delay
     * (default 10 s): a broker that accepts and at once drops a client (a revocation racing the
     * login, a takeover) must not be hammered every half second.
     */
    stableMs?: number;
  } = {},
): ReconnectHandle {
  const now = opts.now ?? Date.now;
  const stableMs = opts.stableMs ?? 10_000;
  let status: LinkStatus = { state: 'connecting' };
  let attempt = 0;
  let connectedAt: number | null = null;
  let lastError: { reason: string; code: number | null } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  const set = (s: LinkStatus) => {
    status = s;
    opts.onStatus?.(s);
  };

  client.on('connect', () => {
    connectedAt = now();
    lastError = null;
    set({ state: 'connected', since: connectedAt });
  });
  client.on('error', (err) => {
    const code = typeof err.code === 'number' ? err.code : null;
    const refusal = code !== null ? CONNACK_REFUSALS[code] : undefined;
    lastError = { reason: refusal ? `refused: ${refusal}` : err.message, code: refusal ? code : null };
  });
  client.on('close', () => {
    if (stopped || timer) return;
    if (connectedAt !== null && now() - connectedAt >= stableMs) attempt = 0;
    connectedAt = null;
    const delay = backoffDelay(attempt, opts.policy, opts.random);
    const reason = lastError?.reason ?? 'connection closed';
    set({
      state: 'reconnecting',
      attempt,
      nextAt: now() + delay,
      reason,
      refusedCode: lastError?.code ?? null,
    });
    attempt++;
    lastError = null;
    timer = setTimeout(() => {
      timer = null;
      // `reconnect()` without stores would start empty ones: QoS 1 messages in flight would then
      // never be re-sent nor their callbacks settled (an agent's publish, an ingest's ack).
      if (!stopped)
        client.reconnect({ incomingStore: client.incomingStore, outgoingStore: client.outgoingStore });
    }, delay);
    // Not unref'd: a process whose work depends on this link (an agent with only a keypad, an
    // ingest) must stay alive while it waits to retry, not exit 0 and lose what comes next.
  });

  return {
    status: () => status,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      set({ state: 'stopped' });
    },
  };
}
