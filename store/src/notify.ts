/**
 * Cross-process signals over PostgreSQL's LISTEN/NOTIFY, on both back ends: a change is stored
 * and its signal sent in ONE transaction (a rollback sends nothing, a commit always signals), and
 * every process that cares (broker nodes, dashboards) hears it at once instead of polling.
 *
 * A signal only says WHAT changed (IDs); the listener reads the rest from the database. Signals
 * can be missed while the listening connection is down, so after every (re)connect each
 * subscriber gets `resync` and does ONE catch-up read.
 */
import { backoffDelay } from '@onestop/protocol';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { z } from 'zod';
import type { Database, Executor, Transaction } from './db.js';

const Id = z.string().min(1).max(128);

/** Every notification channel and its payload: the one definition both ends use. */
export const NOTIFICATIONS = {
  /** A batch of events was committed by the ingest (one signal per batch). */
  events_stored: z.object({ unitIds: z.array(Id), count: z.number().int().nonnegative() }),
  device_revoked: z.object({ deviceId: Id }),
  /**
   * A device's standing changed (replaced: delivery only; restored; password rotated or re-paired): brokers
   * close its connections, so it logs in again under what the database now says.
   */
  device_changed: z.object({ deviceId: Id }),
  command_queued: z.object({ deviceId: Id }),
  /** Desired settings changed for these devices, or for every device of a unit. */
  config_changed: z.union([z.object({ deviceIds: z.array(Id) }), z.object({ unitId: Id })]),
  /**
   * Alerts of these units opened, changed or cleared (sent by the alerts table's triggers);
   * `null`: of every unit, when one statement touched too many to name in one NOTIFY.
   */
  alerts_changed: z.object({ unitIds: z.array(Id).nullable() }),
  /**
   * Devices of these units changed state, version, birth or revocation (the devices table's
   * triggers); `null`: of every unit, as for `alerts_changed`.
   */
  devices_changed: z.object({ unitIds: z.array(Id).nullable() }),
  /** A rollout's offers changed (started, widened, paused, resumed, withdrawn, halted). */
  update_offers_changed: z.object({ rolloutId: Id }),
} as const;

export type Channel = keyof typeof NOTIFICATIONS;
export type NotificationPayload<C extends Channel> = z.infer<(typeof NOTIFICATIONS)[C]>;

/**
 * PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; stay clearly below. The tables'
 * triggers (`notify_units`, migration 0032) use the same bound.
 */
export const MAX_NOTIFY_BYTES = 7_900;

/** Splits a payload's longest ID list until every part fits one NOTIFY. */
export function chunkNotification<T extends object>(payload: T, maxBytes = MAX_NOTIFY_BYTES): T[] {
  if (Buffer.byteLength(JSON.stringify(payload)) < maxBytes) return [payload];
  const entries = Object.entries(payload) as Array<[string, unknown]>;
  const longest = entries
    .filter((e): e is [string, unknown[]] => Array.isArray(e[1]) && e[1].length > 1)
    .sort((a, b) => b[1].length - a[1].length)[0];
  if (!longest) throw new Error(`notification payload over ${maxBytes} bytes cannot be split`);
  const [key, list] = longest;
  const mid = list.length >> 1;
  return [
    ...chunkNotification({ ...payload, [key]: list.slice(0, mid) }, maxBytes),
    ...chunkNotification({ ...payload, [key]: list.slice(mid) }, maxBytes),
  ];
}

/**
 * Sends a signal on `db`: inside a transaction it goes out only if and when that commits. Pass
 * the transaction the change is made in, never the pool beside it.
 */
export async function notify<C extends Channel>(
  db: Executor,
  channel: C,
  payload: NotificationPayload<C>,
): Promise<void> {
  for (const part of chunkNotification(payload))
    await db.execute(sql`select pg_notify(${channel}, ${JSON.stringify(part)})`);
}

/**
 * Runs `fn` in a transaction: a new one on the database, a savepoint inside an open one. What
 * stores a change and signals it goes through here, so that the two commit or vanish together.
 */
export function inTransaction<T>(db: Executor, fn: (tx: Transaction) => Promise<T>): Promise<T> {
  // A transaction's `transaction` (a savepoint) has the same shape as the database's.
  return (db as Database).transaction(fn);
}

export type NotificationHandlers = { [C in Channel]?: (payload: NotificationPayload<C>) => unknown };

export interface Subscription {
  on: NotificationHandlers;
  /**
   * Called once the channels are listened to (right after subscribing) and again after every
   * reconnect of the listening connection: read once what may have been missed.
   */
  resync: () => unknown;
  /** The listening connection was lost or a malformed signal came in (a handler threw, too). */
  onError?: (err: Error) => void;
}

export interface Notifications {
  /** Starts listening (the first subscriber opens the connection); returns the unsubscribe. */
  subscribe(sub: Subscription): () => void;
  close(): Promise<void>;
}

/** One listening connection, as each back end provides it. */
export interface ListenTransport {
  /** Opens the connection; `lost` is called at most once if it drops afterwards. */
  connect(deliver: (channel: string, payload: string) => void, lost: (err: Error) => void): Promise<void>;
  /** LISTENs on the open connection (idempotent per connection). */
  listen(channel: Channel): Promise<void>;
  close(): Promise<void>;
}

const isChannel = (c: string): c is Channel => Object.hasOwn(NOTIFICATIONS, c);

/** Fans one listening connection out to subscribers and brings it back with backoff. */
export class NotificationHub implements Notifications {
  private readonly subs = new Set<Subscription>();
  private readonly channels = new Set<Channel>();
  private started = false;
  private live = false;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;
  private attempt = 0;

  constructor(private readonly transport: ListenTransport) {}

  subscribe(sub: Subscription): () => void {
    if (this.closed) throw new Error('notifications are closed');
    this.subs.add(sub);
    const fresh = (Object.keys(sub.on) as Channel[]).filter((c) => !this.channels.has(c));
    for (const c of fresh) this.channels.add(c);
    if (!this.started) {
      this.started = true;
      void this.connect();
    } else if (this.live) {
      // Already up: listen to what is new, then this subscriber alone catches up. Should the
      // connection drop meanwhile, the reconnect resyncs everyone, this one included.
      Promise.all(fresh.map((c) => this.transport.listen(c))).then(
        () => this.subs.has(sub) && this.call(sub, sub.resync),
        () => {},
      );
    }
    return () => this.subs.delete(sub);
  }

  private async connect(): Promise<void> {
    this.retry = null;
    if (this.closed) return;
    try {
      await this.transport.connect(
        (channel, payload) => this.deliver(channel, payload),
        (err) => this.lost(err),
      );
      // A Set visits what is added while iterating: channels subscribed meanwhile are included.
      for (const c of this.channels) await this.transport.listen(c);
    } catch (err) {
      await this.transport.close().catch(() => {});
      if (this.closed) return;
      this.report(asError(err));
      this.scheduleConnect();
      return;
    }
    // Closed while connecting: the connection just opened must not keep the process alive.
    if (this.closed) {
      await this.transport.close().catch(() => {});
      return;
    }
    this.attempt = 0;
    this.live = true;
    for (const s of [...this.subs]) this.call(s, s.resync);
  }

  private lost(err: Error): void {
    if (this.closed || !this.live) return;
    this.live = false;
    this.report(new Error(`listening connection lost: ${err.message}`));
    this.scheduleConnect();
  }

  private scheduleConnect(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => void this.connect(), backoffDelay(this.attempt++));
    this.retry.unref();
  }

  private deliver(channel: string, raw: string): void {
    if (!isChannel(channel)) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    const r = NOTIFICATIONS[channel].safeParse(parsed);
    if (!r.success) {
      this.report(new Error(`malformed '${channel}' notification ignored: ${raw.slice(0, 200)}`));
      return;
    }
    for (const s of this.subs) {
      const handler = s.on[channel] as ((p: unknown) => unknown) | undefined;
      if (handler) this.call(s, () => handler(r.data));
    }
  }

  /** Runs a subscriber's code; what it throws or rejects with goes to its `onError`. */
  private call(sub: Subscription, fn: () => unknown): void {
    try {
      const out = fn();
      if (out instanceof Promise) out.catch((err: unknown) => sub.onError?.(asError(err)));
    } catch (err) {
      sub.onError?.(asError(err));
    }
  }

  private report(err: Error): void {
    for (const s of this.subs) s.onError?.(err);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.live = false;
    if (this.retry) clearTimeout(this.retry);
    this.subs.clear();
    if (this.started) await this.transport.close();
  }
}

const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));

/** `application_name` of every listening connection. */
export const LISTEN_APPLICATION = 'onestop-listen';

/** How the listening connection proves it is alive (see `postgresListenTransport`). */
export interface ListenHeartbeat {
  /** A `SELECT 1` on the listening connection this often (default 15 s). */
  intervalMs?: number;
  /** Its answer must come within this (default 5 s), else the connection is dropped and remade. */
  timeoutMs?: number;
}

/**
 * PostgreSQL: a dedicated connection outside the pool (a pooled one would be handed to other
 * queries and its LISTENs lost). A listening connection only ever reads, so a link that dies
 * without a reset (a NAT or firewall forgetting it, a failover) would go unnoticed for the OS's
 * 2 h keep-alive: TCP keep-alive starts after 10 s idle, and a heartbeat query must be answered
 * in time, else the connection is dropped, remade and everyone resyncs.
 */
export function postgresListenTransport(url: string, heartbeat: ListenHeartbeat = {}): ListenTransport {
  const intervalMs = heartbeat.intervalMs ?? 15_000;
  const timeoutMs = heartbeat.timeoutMs ?? 5_000;
  let client: pg.Client | null = null;
  let listened = new Set<Channel>();
  return {
    async connect(deliver, lost) {
      // Named, so that an operator (or a test) can find it in pg_stat_activity.
      const c = new pg.Client({
        connectionString: url,
        keepAlive: true,
        keepAliveInitialDelayMillis: 10_000,
        application_name: LISTEN_APPLICATION,
      });
      let gone = false;
      let beat: NodeJS.Timeout | null = null;
      const drop = (err: Error) => {
        if (gone) return;
        gone = true;
        if (beat) clearInterval(beat);
        if (client === c) client = null;
        // With the heartbeat still unanswered, `end` destroys the socket rather than wait on it.
        c.end().catch(() => {});
        lost(err);
      };
      const probe = () => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`heartbeat unanswered for ${timeoutMs} ms`)), timeoutMs);
          timer.unref();
        });
        Promise.race([c.query('SELECT 1'), late])
          .catch((err: unknown) => drop(asError(err)))
          .finally(() => clearTimeout(timer));
      };
      c.on('error', drop);
      c.on('end', () => drop(new Error('connection ended')));
      c.on('notification', (n) => deliver(n.channel, n.payload ?? ''));
      try {
        await c.connect();
      } catch (err) {
        gone = true;
        await c.end().catch(() => {});
        throw err;
      }
      client = c;
      listened = new Set();
      if (!gone) {
        beat = setInterval(probe, intervalMs);
        beat.unref();
      }
    },
    async listen(channel) {
      const c = client;
      if (!c) throw new Error('not connected');
      if (listened.has(channel)) return;
      // Channel names come from NOTIFICATIONS only (plain identifiers), never from input.
      await c.query(`LISTEN "${channel}"`);
      listened.add(channel);
    },
    async close() {
      const c = client;
      client = null;
      await c?.end().catch(() => {});
    },
  };
}

/** The part of PGlite (or of the PGlite thread) that listening needs. */
export interface PgliteListener {
  listen(channel: string, callback: (payload: string) => void): Promise<unknown>;
}

/** PGlite: one in-process connection that cannot drop, so the only resync is the first. */
export function pgliteListenTransport(pglite: PgliteListener): ListenTransport {
  let deliverTo: ((channel: string, payload: string) => void) | null = null;
  const listened = new Set<Channel>();
  return {
    async connect(deliver) {
      deliverTo = deliver;
    },
    async listen(channel) {
      if (listened.has(channel)) return;
      listened.add(channel);
      try {
        await pglite.listen(channel, (payload) => deliverTo?.(channel, payload));
      } catch (err) {
        listened.delete(channel);
        throw err;
      }
    },
    async close() {
      deliverTo = null;
    },
  };
}
