import { type EventBody, type EventChannel, encodePayload, UNDO_WINDOW_MAX_MS } from '@onestop/protocol';
import type Database from 'better-sqlite3';

/**
 * A rating written to disk at once (a crash must not lose it) but not sent yet: the kiosk's undo
 * window may still change it. `key` names it for the change (the visit), `until` is when it may
 * leave on its own even if nobody releases it.
 */
export interface Hold {
  key: string;
  until: number;
}

/**
 * The one rule for a hold that still counts at wall time `now`. A hold further away than the
 * longest undo window means the wall clock went back (NTP, a dead RTC battery): the rating is
 * released rather than held for as long as the jump, so no clock fault can keep it forever.
 */
export function holdActive(until: number, now: number): boolean {
  const left = until - now;
  return left > 0 && left <= UNDO_WINDOW_MAX_MS;
}

/**
 * The held rows of the outbox. A row is held while `held_until` is set; the publisher never reads
 * past the first held row (so the centre still receives events in their recorded order: a rating
 * before its visit's end and before its officer's sign-out). Once a row is handed out it is no
 * longer held, so a change can never alter an event the broker may already have.
 */
export class Holds {
  private readonly expireStmt: Database.Statement;
  private readonly releaseStmt: Database.Statement;
  private readonly findStmt: Database.Statement;
  private readonly replaceStmt: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.expireStmt = db.prepare(
      `UPDATE outbox SET held_until = NULL, hold_key = NULL
       WHERE hold_key IS NOT NULL AND NOT (held_until > @now AND held_until - @now <= @max)`,
    );
    this.releaseStmt = db.prepare('UPDATE outbox SET held_until = NULL, hold_key = NULL WHERE hold_key = ?');
    this.findStmt = db.prepare(
      'SELECT id, event_id, channel, payload FROM outbox WHERE hold_key = ? AND channel = ?',
    );
    this.replaceStmt = db.prepare('UPDATE outbox SET payload = ? WHERE id = ? AND hold_key IS NOT NULL');
  }

  /** Releases every hold whose time is over (or absurdly far: see `holdActive`). */
  expire(now: number): number {
    return this.expireStmt.run({ now, max: UNDO_WINDOW_MAX_MS }).changes;
  }

  /** Releases one hold; 0 when it was already released (or never existed). */
  release(key: string): number {
    return this.releaseStmt.run(key).changes;
  }

  /** Releases every hold but `keep`'s: after a restart no screen can change the others any more. */
  releaseAllExcept(keep: string | null): number {
    return this.db
      .prepare(
        'UPDATE outbox SET held_until = NULL, hold_key = NULL WHERE hold_key IS NOT NULL AND hold_key IS NOT ?',
      )
      .run(keep).changes;
  }

  /**
   * Puts a new body into the held row in place: same eventId, seq and clocks, so the centre can
   * only ever see one of the two (ingest dedupes by eventId), and the row keeps its place in the
   * order. Returns the new payload, or null when the row is not held any more (already sendable).
   */
  replace<C extends EventChannel>(key: string, channel: C, body: EventBody<C>, now: number): string | null {
    return this.db.transaction(() => {
      this.expire(now);
      const row = this.findStmt.get(key, channel) as { id: number; payload: string } | undefined;
      if (!row) return null;
      const old = JSON.parse(row.payload) as Record<string, unknown>;
      const envelope = Object.fromEntries(
        ['v', 'eventId', 'deviceId', 'bootId', 'seq', 'ts', 'mono'].map((k) => [k, old[k]]),
      );
      const payload = encodePayload(channel, { ...body, ...envelope } as never).toString('utf8');
      this.replaceStmt.run(payload, row.id);
      return payload;
    })();
  }
}
