import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type DeviceAddress,
  type EventBody,
  type EventChannel,
  encodePayload,
  newEventId,
  type PayloadOf,
  PROTOCOL_VERSION,
  topicFor,
} from '@onestop/protocol';
import Database from 'better-sqlite3';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { DiskSync } from './disk-sync.js';
import { type Hold, Holds } from './hold.js';
import { migrateOutbox } from './schema.js';

/** What the counter logic provides; the outbox adds the envelope (IDs, seq, clocks). */
export type { EventBody, Hold };

export interface OutboxEntry {
  rowId: number;
  eventId: string;
  channel: EventChannel;
  seq: number;
  ts: number;
  /** Where it is published: fixed when recorded, so a later change of address cannot misroute it. */
  topic: string;
  /** The encoded JSON exactly as it will be published (validated at append time). */
  payload: string;
}

/** An event the server never acknowledged, set aside so it stops blocking the others; never deleted. */
export interface DeadLetter extends OutboxEntry {
  strikes: number;
  reason: string;
  deadAt: number;
}

export interface OutboxStats {
  depth: number;
  capacity: number;
  alertAt: number;
  alert: boolean;
  oldestTs: number | null;
  /** Events moved to the dead-letter table: kept on disk, not sent, for a technician to look at. */
  deadLetters: number;
}

interface Row {
  id: number;
  event_id: string;
  channel: EventChannel;
  topic: string | null;
  seq: number;
  ts: number;
  payload: string;
}

export class OutboxFullError extends Error {
  constructor(capacity: number) {
    super(`outbox is full (${capacity} events): refusing new events until the broker acknowledges some`);
    this.name = 'OutboxFullError';
  }
}

export interface OutboxOptions {
  dataDir: string;
  /** The device's address: the payload speaks for `deviceId`, the row keeps the topic. */
  address: DeviceAddress;
  capacity: number;
  alertAt: number;
  clock?: Clock;
}

/**
 * Durable queue between the counter and the broker. `append` returns only after SQLite has
 * fsynced the row (WAL + synchronous=FULL), so a rating may be shown as "recorded" at that moment
 * and will survive a power cut. Rows leave only when the server acks their eventIds; that delete,
 * and a hold's release, are not flushed (`DiskSync`: losing one only means sending again).
 */
export class Outbox {
  readonly bootId: string;
  private readonly db: Database.Database;
  private readonly disk: DiskSync;
  /** Every statement prepared once: compiling one cost more than running it (a page of rows). */
  private readonly statements = new Map<string, Database.Statement>();
  private readonly clock: Clock;
  private readonly insert: Database.Statement;
  private readonly setMetaStmt: Database.Statement;
  private readonly appendTx: (
    entry: Omit<OutboxEntry, 'rowId'>,
    meta: Record<string, string>,
    hold: Hold | null,
  ) => number;
  private readonly holds: Holds;
  private depthCache: number;
  private deadCache: number;
  private nextSeq: number;

  constructor(private readonly opts: OutboxOptions) {
    mkdirSync(opts.dataDir, { recursive: true });
    this.clock = opts.clock ?? systemClock;
    this.db = new Database(join(opts.dataDir, 'outbox.sqlite'));
    this.disk = new DiskSync(this.db);
    migrateOutbox(this.db);
    this.insert = this.db.prepare(
      'INSERT INTO outbox (event_id, channel, topic, seq, ts, payload, held_until, hold_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.setMetaStmt = this.db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    // seq never goes backwards, even across boots, so (bootId, seq) and seq alone both order events.
    this.nextSeq = Number(this.getMeta('nextSeq') ?? '0');
    this.bootId = newEventId();
    this.setMeta('bootId', this.bootId);
    this.holds = new Holds(this.db);
    this.appendTx = this.db.transaction(
      (e: Omit<OutboxEntry, 'rowId'>, meta: Record<string, string>, hold: Hold | null) => {
        // A key still held (a bug upstream) must not hold two rows: the old one goes out first.
        if (hold) this.holds.release(hold.key);
        const r = this.insert.run(
          e.eventId,
          e.channel,
          e.topic,
          e.seq,
          e.ts,
          e.payload,
          hold?.until ?? null,
          hold?.key ?? null,
        );
        this.setMetaStmt.run('nextSeq', String(e.seq + 1));
        for (const [key, value] of Object.entries(meta)) this.setMetaStmt.run(key, value);
        return Number(r.lastInsertRowid);
      },
    );
    const count = (table: string) =>
      (this.sql(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    this.depthCache = count('outbox');
    this.deadCache = count('dead_letter');
  }

  /**
   * Validates, envelopes and durably stores one event. Throws OutboxFullError at capacity.
   * `meta` is written in the same transaction: state that must agree with the event (the
   * signed-in officer with its presence event) cannot be torn apart by a power cut between them.
   * `hold`: stored now, sent only once released (`release`) or its time is over (`Hold`).
   */
  append<C extends EventChannel>(
    channel: C,
    body: EventBody<C>,
    meta: Record<string, string> = {},
    hold: Hold | null = null,
  ): OutboxEntry {
    if (this.depthCache >= this.opts.capacity) throw new OutboxFullError(this.opts.capacity);
    const seq = this.nextSeq;
    const eventId = newEventId();
    const ts = this.clock.now();
    const full = {
      ...body,
      v: PROTOCOL_VERSION,
      eventId,
      deviceId: this.opts.address.deviceId,
      bootId: this.bootId,
      seq,
      ts,
      mono: this.clock.mono(),
    } as unknown as PayloadOf<C>;
    const payload = encodePayload(channel, full).toString('utf8');
    const entry = { eventId, channel, seq, ts, topic: topicFor(this.opts.address, channel), payload };
    const rowId = this.appendTx(entry, meta, hold);
    this.nextSeq = seq + 1;
    this.depthCache++;
    return { rowId, ...entry };
  }

  /**
   * Oldest first; `afterRowId` lets the publisher page forward without re-reading in-flight rows.
   * Stops before the first held row: nothing overtakes a rating that may still change, so the
   * recorded order reaches the centre intact. Holds whose time is over are released first.
   */
  pending(limit: number, afterRowId = 0): OutboxEntry[] {
    // Flushed as any write, but one that changes nothing (nearly every call) writes nothing.
    this.holds.expire(this.clock.now());
    const rows = this.sql(
      `SELECT id, event_id, channel, topic, seq, ts, payload FROM outbox
         WHERE id > ? AND id < COALESCE((SELECT MIN(id) FROM outbox WHERE hold_key IS NOT NULL), 9e18)
         ORDER BY id LIMIT ?`,
    ).all(afterRowId, limit) as Row[];
    return rows.map((r) => this.entryOf(r));
  }

  /**
   * Changes the body of the row held under `key` in place (eventId, seq and clocks stay). Returns
   * the new payload, or null when that row is no longer held: it may already be on its way, so it is
   * final. `now` is the caller's decision time, the same one its undo window was judged by.
   */
  replaceHeld<C extends EventChannel>(
    key: string,
    channel: C,
    body: EventBody<C>,
    now: number,
  ): string | null {
    return this.holds.replace(key, channel, body, now);
  }

  /** Lets a held row go; true when it was still held. */
  release(key: string): boolean {
    return this.disk.unflushed(() => this.holds.release(key)) > 0;
  }

  /** Lets every held row go except `keep`'s (a restart that still shows that undo window). */
  releaseAllExcept(keep: string | null): number {
    return this.disk.unflushed(() => this.holds.releaseAllExcept(keep));
  }

  private entryOf(r: Row): OutboxEntry {
    return {
      rowId: r.id,
      eventId: r.event_id,
      channel: r.channel,
      seq: r.seq,
      ts: r.ts,
      // Rows recorded before topics were stored: the device's current address, as before.
      topic: r.topic ?? topicFor(this.opts.address, r.channel),
      payload: r.payload,
    };
  }

  /**
   * Counts one more delivery that the server did not acknowledge although it acknowledged others;
   * returns each event's total. Durable, so that a device rebooting often still gets there.
   */
  strike(eventIds: readonly string[]): Map<string, number> {
    const bump = this.sql('UPDATE outbox SET strikes = strikes + 1 WHERE event_id = ? RETURNING strikes');
    const out = new Map<string, number>();
    this.db.transaction(() => {
      for (const id of eventIds) {
        const r = bump.get(id) as { strikes: number } | undefined;
        if (r) out.set(id, r.strikes);
      }
    })();
    return out;
  }

  /** Moves events out of the queue into `dead_letter`, in one transaction; they are never deleted. */
  deadLetter(eventIds: readonly string[], reason: string): number {
    if (eventIds.length === 0) return 0;
    const copy = this.sql(`
      INSERT INTO dead_letter (id, event_id, channel, topic, seq, ts, payload, strikes, reason, dead_at)
      SELECT id, event_id, channel, topic, seq, ts, payload, strikes, ?, ? FROM outbox WHERE event_id = ?`);
    const del = this.sql('DELETE FROM outbox WHERE event_id = ?');
    const now = this.clock.now();
    const n = this.db.transaction(() =>
      eventIds.reduce((acc, id) => {
        copy.run(reason, now, id);
        return acc + del.run(id).changes;
      }, 0),
    )();
    this.depthCache -= n;
    this.deadCache += n;
    return n;
  }

  /**
   * Puts every dead-lettered event back in the queue with its original row ID (so the original
   * order) and no strikes, in one transaction: a technician fixed what the server refused.
   */
  requeueDeadLetters(): number {
    const n = this.db.transaction(() => {
      const moved = this.db
        .prepare(`
          INSERT INTO outbox (id, event_id, channel, topic, seq, ts, payload, strikes)
          SELECT id, event_id, channel, topic, seq, ts, payload, 0 FROM dead_letter`)
        .run().changes;
      this.db.prepare('DELETE FROM dead_letter').run();
      return moved;
    })();
    this.depthCache += n;
    this.deadCache = 0;
    return n;
  }

  /** The dead-letter table, oldest first (for a technician, a command or a test). */
  deadLetters(limit = 1_000): DeadLetter[] {
    const rows = this.sql(
      'SELECT id, event_id, channel, topic, seq, ts, payload, strikes, reason, dead_at FROM dead_letter ORDER BY id LIMIT ?',
    ).all(limit) as Array<Row & { strikes: number; reason: string; dead_at: number }>;
    return rows.map((r) => ({ ...this.entryOf(r), strikes: r.strikes, reason: r.reason, deadAt: r.dead_at }));
  }

  /** Deletes acknowledged events; unknown IDs (already acked, other device) are ignored. */
  ack(eventIds: readonly string[]): number {
    if (eventIds.length === 0) return 0;
    const del = this.sql('DELETE FROM outbox WHERE event_id = ?');
    // A delivery set aside too early can still be acknowledged later: then it is stored, and
    // it leaves the dead-letter table too.
    const delDead = this.sql('DELETE FROM dead_letter WHERE event_id = ?');
    let dead = 0;
    const n = this.disk.unflushed(() =>
      this.db.transaction((ids: readonly string[]) =>
        ids.reduce((acc, id) => {
          dead += delDead.run(id).changes;
          return acc + del.run(id).changes;
        }, 0),
      )(eventIds),
    );
    this.depthCache -= n;
    this.deadCache -= dead;
    return n;
  }

  stats(): OutboxStats {
    const oldest = this.sql('SELECT ts FROM outbox ORDER BY id LIMIT 1').get() as { ts: number } | undefined;
    return {
      depth: this.depthCache,
      capacity: this.opts.capacity,
      alertAt: this.opts.alertAt,
      alert: this.depthCache >= this.opts.alertAt,
      oldestTs: oldest?.ts ?? null,
      deadLetters: this.deadCache,
    };
  }

  /** Small durable key/value store for agent state that must survive a restart (e.g. signed-in officer). */
  getMeta(key: string): string | null {
    const r = this.sql('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
    return r?.value ?? null;
  }

  setMeta(key: string, value: string): void {
    this.setMetaStmt.run(key, value);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private sql(text: string): Database.Statement {
    let stmt = this.statements.get(text);
    if (!stmt) {
      stmt = this.db.prepare(text);
      this.statements.set(text, stmt);
    }
    return stmt;
  }
}
