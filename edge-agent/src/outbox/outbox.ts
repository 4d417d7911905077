import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Envelope,
  type EventChannel,
  encodePayload,
  newEventId,
  type PayloadInput,
  type PayloadOf,
  PROTOCOL_VERSION,
} from '@onestop/protocol';
import Database from 'better-sqlite3';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What the counter logic provides; the outbox adds the envelope (IDs, seq, clocks). */
export type EventBody<C extends EventChannel> = DistributiveOmit<PayloadInput<C>, keyof Envelope>;

export interface OutboxEntry {
  rowId: number;
  eventId: string;
  channel: EventChannel;
  seq: number;
  ts: number;
  /** The encoded JSON exactly as it will be published (validated at append time). */
  payload: string;
}

export interface OutboxStats {
  depth: number;
  capacity: number;
  alertAt: number;
  alert: boolean;
  oldestTs: number | null;
}

export class OutboxFullError extends Error {
  constructor(capacity: number) {
    super(`outbox is full (${capacity} events): refusing new events until the broker acknowledges some`);
    this.name = 'OutboxFullError';
  }
}

export interface OutboxOptions {
  dataDir: string;
  deviceId: string;
  capacity: number;
  alertAt: number;
  clock?: Clock;
}

/**
 * Durable queue between the counter and the broker. `append` returns only after SQLite has
 * fsynced the row (WAL + synchronous=FULL), so a rating may be shown as "recorded" at that moment
 * and will survive a power cut. Rows leave only when the server acks their eventIds.
 */
export class Outbox {
  readonly bootId: string;
  private readonly db: Database.Database;
  private readonly clock: Clock;
  private readonly insert: Database.Statement;
  private readonly setMetaStmt: Database.Statement;
  private readonly appendTx: (entry: Omit<OutboxEntry, 'rowId'>) => number;
  private depthCache: number;
  private nextSeq: number;

  constructor(private readonly opts: OutboxOptions) {
    mkdirSync(opts.dataDir, { recursive: true });
    this.clock = opts.clock ?? systemClock;
    this.db = new Database(join(opts.dataDir, 'outbox.sqlite'));
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        channel TEXT NOT NULL,
        seq INTEGER NOT NULL,
        ts INTEGER NOT NULL,
        payload TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
    this.insert = this.db.prepare(
      'INSERT INTO outbox (event_id, channel, seq, ts, payload) VALUES (?, ?, ?, ?, ?)',
    );
    this.setMetaStmt = this.db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    // seq never goes backwards, even across boots, so (bootId, seq) and seq alone both order events.
    this.nextSeq = Number(this.getMeta('nextSeq') ?? '0');
    this.bootId = newEventId();
    this.setMeta('bootId', this.bootId);
    this.appendTx = this.db.transaction((e: Omit<OutboxEntry, 'rowId'>) => {
      const r = this.insert.run(e.eventId, e.channel, e.seq, e.ts, e.payload);
      this.setMetaStmt.run('nextSeq', String(e.seq + 1));
      return Number(r.lastInsertRowid);
    });
    this.depthCache = (this.db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
  }

  /** Validates, envelopes and durably stores one event. Throws OutboxFullError at capacity. */
  append<C extends EventChannel>(channel: C, body: EventBody<C>): OutboxEntry {
    if (this.depthCache >= this.opts.capacity) throw new OutboxFullError(this.opts.capacity);
    const seq = this.nextSeq;
    const eventId = newEventId();
    const ts = this.clock.now();
    const full = {
      ...body,
      v: PROTOCOL_VERSION,
      eventId,
      deviceId: this.opts.deviceId,
      bootId: this.bootId,
      seq,
      ts,
      mono: this.clock.mono(),
    } as unknown as PayloadOf<C>;
    const payload = encodePayload(channel, full).toString('utf8');
    const entry = { eventId, channel, seq, ts, payload };
    const rowId = this.appendTx(entry);
    this.nextSeq = seq + 1;
    this.depthCache++;
    return { rowId, ...entry };
  }

  /** Oldest first; `afterRowId` lets the publisher page forward without re-reading in-flight rows. */
  pending(limit: number, afterRowId = 0): OutboxEntry[] {
    const rows = this.db
      .prepare('SELECT id, event_id, channel, seq, ts, payload FROM outbox WHERE id > ? ORDER BY id LIMIT ?')
      .all(afterRowId, limit) as Array<{
      id: number;
      event_id: string;
      channel: EventChannel;
      seq: number;
      ts: number;
      payload: string;
    }>;
    return rows.map((r) => ({
      rowId: r.id,
      eventId: r.event_id,
      channel: r.channel,
      seq: r.seq,
      ts: r.ts,
      payload: r.payload,
    }));
  }

  /** Deletes acknowledged events; unknown IDs (already acked, other device) are ignored. */
  ack(eventIds: readonly string[]): number {
    if (eventIds.length === 0) return 0;
    const del = this.db.prepare('DELETE FROM outbox WHERE event_id = ?');
    const n = this.db.transaction((ids: readonly string[]) =>
      ids.reduce((acc, id) => acc + del.run(id).changes, 0),
    )(eventIds);
    this.depthCache -= n;
    return n;
  }

  stats(): OutboxStats {
    const oldest = this.db.prepare('SELECT ts FROM outbox ORDER BY id LIMIT 1').get() as
      | { ts: number }
      | undefined;
    return {
      depth: this.depthCache,
      capacity: this.opts.capacity,
      alertAt: this.opts.alertAt,
      alert: this.depthCache >= this.opts.alertAt,
      oldestTs: oldest?.ts ?? null,
    };
  }

  /** Small durable key/value store for agent state that must survive a restart (e.g. signed-in officer). */
  getMeta(key: string): string | null {
    const r = this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as
      | { value: string }
      | undefined;
    return r?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.setMetaStmt.run(key, value);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
