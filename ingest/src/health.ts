import type { LinkStatus } from '@onestop/protocol';
import { counter, gauge } from '@onestop/service';
import type { Registry } from 'prom-client';

/** What the ingest can say about itself: can events reach it, and are they being stored? */
export interface IngestHealth {
  /** Connected to the broker with the event subscription granted: events can arrive. */
  connected: boolean;
  link: LinkStatus;
  /** Age of the oldest event received but not yet committed; grows while commits keep failing. */
  lagMs: number;
  /** Events received and not yet committed. */
  pending: number;
  /** When a transaction last committed (epoch ms), null before the first. */
  lastCommitAt: number | null;
  /** Failed commits in a row (each is retried); 0 again after a success. */
  commitFailures: number;
}

/** Past this, `/healthz` says the ingest is lagging: a burst clears in seconds, an outage does not. */
export const DEFAULT_MAX_LAG_MS = 30_000;

// A type, not an interface: it goes as is into JSON bodies typed with an index signature.
export type IngestVerdict = {
  ok: boolean;
  /** Why not ok, in words for the operator. */
  reason?: string;
  ingest: IngestHealth;
};

/** The one rule for "the ingest is healthy": connected and subscribed, and not lagging past `maxLagMs`. */
export function judgeIngest(h: IngestHealth, maxLagMs = DEFAULT_MAX_LAG_MS): IngestVerdict {
  const reasons: string[] = [];
  if (!h.connected) reasons.push(describeLink(h.link));
  if (h.lagMs > maxLagMs) {
    const failing = h.commitFailures > 0 ? `; ${h.commitFailures} commits failed in a row` : '';
    reasons.push(
      `ingest lagging: oldest unstored event received ${(h.lagMs / 1000).toFixed(1)} s ago (limit ${maxLagMs / 1000} s)${failing}`,
    );
  }
  return reasons.length === 0
    ? { ok: true, ingest: h }
    : { ok: false, reason: reasons.join('; '), ingest: h };
}

function describeLink(link: LinkStatus): string {
  switch (link.state) {
    case 'connecting':
      return 'ingest connecting to its broker';
    case 'connected':
      return 'ingest connected but its event subscription is not granted yet';
    case 'reconnecting': {
      const inS = Math.max(0, Math.ceil((link.nextAt - Date.now()) / 1000));
      return `ingest not connected to its broker: ${link.reason} (try ${link.attempt + 1} in ${inS} s)`;
    }
    case 'stopped':
      return 'ingest stopped';
  }
}

/**
 * Keeps the ingest's health: which events are received but not yet stored (in order of receipt),
 * when a commit last succeeded, how many failed since; and mirrors it in Prometheus gauges.
 */
export class HealthTracker<T> {
  private readonly waiting = new Map<T, number>();
  private lastCommitAt: number | null = null;
  private failures = 0;
  private subscribed = false;
  private readonly connectedGauge;
  private readonly lagGauge;
  private readonly failuresTotal;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly link: () => LinkStatus,
    registry: Registry,
    private readonly now: () => number = Date.now,
  ) {
    this.connectedGauge = gauge(
      registry,
      'onestop_ingest_connected',
      '1 while the ingest is connected to its broker and subscribed to events',
    );
    this.lagGauge = gauge(
      registry,
      'onestop_ingest_lag_seconds',
      'Age of the oldest event received but not yet stored (grows while commits fail)',
    );
    this.failuresTotal = counter(
      registry,
      'onestop_ingest_commit_failures_total',
      'Ingest transactions that failed (each is retried until it commits)',
    );
    // Lag grows by itself while nothing happens: refresh the gauges between events too.
    this.timer = setInterval(() => this.health(), 1_000);
    this.timer.unref();
  }

  received(item: T): void {
    this.waiting.set(item, this.now());
  }

  /** Stored, or skipped as poison: either way no longer waiting. Returns the failures before it. */
  committed(items: readonly T[]): number {
    for (const i of items) this.waiting.delete(i);
    this.lastCommitAt = this.now();
    const before = this.failures;
    this.failures = 0;
    return before;
  }

  /** Returns the failures in a row, this one included. */
  commitFailed(): number {
    this.failuresTotal.inc();
    return ++this.failures;
  }

  setSubscribed(subscribed: boolean): void {
    this.subscribed = subscribed;
    this.health();
  }

  health(): IngestHealth {
    const link = this.link();
    const connected = link.state === 'connected' && this.subscribed;
    const oldest = this.waiting.values().next();
    const lagMs = oldest.done ? 0 : Math.max(0, this.now() - oldest.value);
    this.connectedGauge.set(connected ? 1 : 0);
    this.lagGauge.set(lagMs / 1000);
    return {
      connected,
      link,
      lagMs,
      pending: this.waiting.size,
      lastCommitAt: this.lastCommitAt,
      commitFailures: this.failures,
    };
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
