import type Database from 'better-sqlite3';

/**
 * The outbox's on-disk layout, versioned with SQLite's `user_version` so that a device updated in
 * the field migrates the database it already has (with events still waiting in it) in place.
 *
 * 0: outbox (no topic), meta — the first layout shipped.
 * 1: outbox.topic — the topic is fixed when the event is recorded, so an event recorded before a
 *    device is re-addressed is still published where it belongs; outbox.strikes and dead_letter —
 *    an event the server never acknowledges stops blocking the queue but is kept.
 * 2: outbox.held_until, outbox.hold_key — a rating on disk that may still be changed (the kiosk's
 *    undo window) and is not sent until released; the key names it for the change.
 */
export const OUTBOX_SCHEMA_VERSION = 2;

const V0 = `
  CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    seq INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    payload TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

const V1 = `
  ALTER TABLE outbox ADD COLUMN topic TEXT;
  ALTER TABLE outbox ADD COLUMN strikes INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE dead_letter (
    id INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    topic TEXT,
    seq INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    payload TEXT NOT NULL,
    strikes INTEGER NOT NULL,
    reason TEXT NOT NULL,
    dead_at INTEGER NOT NULL
  );
`;

const V2 = `
  ALTER TABLE outbox ADD COLUMN held_until INTEGER;
  ALTER TABLE outbox ADD COLUMN hold_key TEXT;
  CREATE UNIQUE INDEX outbox_hold_key ON outbox (hold_key) WHERE hold_key IS NOT NULL;
`;

/** Brings any earlier layout up to the current one, in one transaction (all or nothing). */
export function migrateOutbox(db: Database.Database): void {
  db.exec(V0);
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version >= OUTBOX_SCHEMA_VERSION) return;
  db.transaction(() => {
    if (version < 1) db.exec(V1);
    if (version < 2) db.exec(V2);
    db.pragma(`user_version = ${OUTBOX_SCHEMA_VERSION}`);
  })();
}
