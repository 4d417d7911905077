import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { type Backoff, backoffDelay } from '@onestop/protocol';
import {
  claimDueDeliveries,
  type Database,
  type HookDelivery,
  isInternalAddress,
  type Notifications,
  nextDeliveryDue,
  recordDeliveryAttempt,
} from '@onestop/store';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';

/** From 10 s to half an hour between attempts; after the last one a delivery is given up. */
export const HOOK_BACKOFF: Backoff = { initialMs: 10_000, maxMs: 30 * 60_000, factor: 3, jitter: 0.2 };
export const HOOK_MAX_ATTEMPTS = 8;
/**
 * A receiver slower than this, in total (lookup, connect, TLS, headers and body), is a failed
 * attempt: the queue must keep moving, and it must stay well under the claim's 60 s lease.
 */
export const HOOK_TIMEOUT_MS = 5_000;
/** Deliveries in flight at once; a slow receiver holds back only its own delivery. */
const HOOK_CONCURRENCY = 20;

export interface AlertHookOptions {
  db: Database;
  notifications: Notifications;
  logger: Logger;
  registry?: Registry;
  /** Hooks may point at the centre's own loopback (a relay on the same host): off by default. */
  allowInternal?: boolean;
  backoff?: Backoff;
  maxAttempts?: number;
  /** The hard deadline of one attempt; HOOK_TIMEOUT_MS unless a test shortens it. */
  timeoutMs?: number;
}

/**
 * A resolver that refuses the centre's own addresses: checked on the address actually connected
 * to, so a name that resolves elsewhere at save time and to 127.0.0.1 now (DNS rebinding) is
 * refused too.
 */
function guardedLookup(allowInternal: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const allowed = allowInternal ? addresses : addresses.filter((a) => !isInternalAddress(a.address));
      if (allowed.length === 0)
        return callback(new Error(`${hostname} resolves to the centre itself; refused`), '', 0);
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
}

/**
 * One POST of the delivery's JSON; resolves with nothing on a 2xx, rejects with the reason.
 * `http.request`'s own `timeout` is only an idle-socket timeout (a receiver trickling a byte
 * every few seconds never trips it), so one timer, started before the lookup and cleared only
 * when the answer's body has ended, destroys the request at `timeoutMs` whatever stage it is in.
 */
function post(d: HookDelivery, allowInternal: boolean, timeoutMs: number): Promise<void> {
  const url = new URL(d.url);
  const body = JSON.stringify(d.body);
  // A literal IP is connected to without a lookup: check it here.
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowInternal && (isInternalAddress(host) || host === 'localhost'))
    return Promise.reject(new Error(`${host} is the centre itself; refused`));
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const deadline = setTimeout(() => {
      const err = new Error(`no complete answer in ${timeoutMs} ms`);
      settle(err);
      req.destroy(err);
    }, timeoutMs);
    let settled = false;
    const settle = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (err) reject(err);
      else resolve();
    };
    const req = client.request(
      url,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'onestop-alert-hook',
        },
        lookup: guardedLookup(allowInternal),
      },
      (res) => {
        const status = res.statusCode ?? 0;
        // Redirects are not followed: they would lead past the address check.
        const outcome = status >= 200 && status < 300 ? null : new Error(`HTTP ${status}`);
        res.on('end', () => settle(outcome));
        res.on('error', (err) => settle(err));
        res.on('close', () => settle(res.complete ? outcome : new Error('answer cut off')));
        res.resume();
      },
    );
    req.on('error', (err) => settle(err));
    req.end(body);
  });
}

/**
 * Sends the queued hook deliveries (the alerts table's triggers queue them). Woken by the
 * `alerts_changed` signal and by one timer set to the next retry; a failed attempt is counted on
 * the unit's hook and in `onestop_alert_hook_deliveries_total{outcome="failed"}`, and retried
 * with backoff. Nothing else waits for it: the broker and the ingest only write rows.
 */
export class AlertHookWorker {
  private unsubscribe: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** Deliveries being sent; each settles on its own, within its attempt's deadline. */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly counter: Counter<'outcome'> | null;

  constructor(private readonly o: AlertHookOptions) {
    const name = 'onestop_alert_hook_deliveries_total';
    this.counter = o.registry
      ? ((o.registry.getSingleMetric(name) as Counter<'outcome'> | undefined) ??
        new Counter({
          name,
          help: "Alert hook POSTs to units' webhook URLs, by outcome (delivered, failed, abandoned)",
          labelNames: ['outcome'],
          registers: [o.registry],
        }))
      : null;
  }

  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.o.notifications.subscribe({
      on: { alerts_changed: () => this.wake() },
      resync: () => this.wake(),
      onError: (err) => this.o.logger.warn({ err: err.message }, 'alert hook signals'),
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.timer) clearTimeout(this.timer);
    await this.settled();
  }

  /** Resolves once no run and no delivery is under way (tests, and a clean stop). */
  async settled(): Promise<void> {
    while (this.running || this.inFlight.size > 0) {
      await this.running;
      await Promise.allSettled([...this.inFlight]);
    }
  }

  /** Sends what is due; one run at a time, a wake during a run makes one more follow. */
  wake(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.drain().catch((err: Error) => this.o.logger.warn({ err: err.message }, 'alert hooks'));
      } while (this.again && !this.stopped);
      await this.schedule();
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /**
   * Claims what is due, up to the free slots, and starts each delivery without waiting for it:
   * a delivery that ends frees its slot and wakes the worker again, so a receiver slow to the
   * deadline holds back only itself, never the deliveries queued behind it.
   */
  private async drain(): Promise<void> {
    for (;;) {
      const free = HOOK_CONCURRENCY - this.inFlight.size;
      if (free <= 0 || this.stopped) return;
      const due = await claimDueDeliveries(this.o.db, free);
      if (due.length === 0 || this.stopped) return;
      for (const d of due) {
        const p = this.deliver(d)
          .catch((err: Error) => this.o.logger.warn({ err: err.message }, 'alert hook record'))
          .finally(() => {
            this.inFlight.delete(p);
            if (!this.stopped) void this.wake();
          });
        this.inFlight.add(p);
      }
    }
  }

  private async deliver(d: HookDelivery): Promise<void> {
    try {
      await post(d, this.o.allowInternal ?? false, this.o.timeoutMs ?? HOOK_TIMEOUT_MS);
      await recordDeliveryAttempt(this.o.db, d.id, { ok: true });
      this.counter?.inc({ outcome: 'delivered' });
    } catch (err) {
      const attempt = d.attempts + 1;
      const last = attempt >= (this.o.maxAttempts ?? HOOK_MAX_ATTEMPTS);
      const retryInMs = last ? null : backoffDelay(attempt - 1, this.o.backoff ?? HOOK_BACKOFF);
      const error = (err as Error).message;
      await recordDeliveryAttempt(this.o.db, d.id, { ok: false, error, retryInMs });
      this.counter?.inc({ outcome: last ? 'abandoned' : 'failed' });
      this.o.logger.warn(
        { url: d.url, alertId: d.body.alert.id, attempt, error },
        'alert hook delivery failed',
      );
    }
  }

  /** One timer, for the earliest retry (a lease or a backoff), never a fixed poll. */
  private async schedule(): Promise<void> {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    const next = await nextDeliveryDue(this.o.db);
    if (!next) return;
    const wait = Math.max(0, Math.min(next.getTime() - Date.now(), 2 ** 31 - 1));
    this.timer = setTimeout(() => void this.wake(), wait + 10);
    this.timer.unref();
  }
}
