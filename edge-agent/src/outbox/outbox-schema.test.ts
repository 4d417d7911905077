import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { type EventBody, Outbox } from './outbox.js';
import { OUTBOX_SCHEMA_VERSION } from './schema.js';

const HERE = { unitId: 'trung-van', counterId: 'q03', deviceId: 'tv-q03-a' };
const rating = (ticket: string): EventBody<'evt/rating'> => ({
  visitId: null,
  officerId: null,
  dossierIds: [],
  ticket,
  scale: 'keypad4',
  level: 4,
  source: 'keypad',
  reasons: [],
  responseMs: 900,
});

const open: Outbox[] = [];
const make = (dataDir: string, address = HERE) => {
  const o = new Outbox({ dataDir, address, capacity: 100, alertAt: 50 });
  open.push(o);
  return o;
};
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

/** The layout that shipped first: no topic column, no dead-letter table, user_version 0. */
function firstLayoutWithOneEvent(dir: string): string {
  const db = new Database(join(dir, 'outbox.sqlite'));
  db.exec(`
    CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE,
      channel TEXT NOT NULL, seq INTEGER NOT NULL, ts INTEGER NOT NULL, payload TEXT NOT NULL);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
  const id = '0193a0c2-6000-7000-8000-000000000001';
  db.prepare('INSERT INTO outbox (event_id, channel, seq, ts, payload) VALUES (?, ?, ?, ?, ?)').run(
    id,
    'evt/rating',
    7,
    1_764_000_000_000,
    '{"legacy":true}',
  );
  db.prepare("INSERT INTO meta (key, value) VALUES ('nextSeq', '8')").run();
  db.close();
  return id;
}

describe('Outbox schema', () => {
  it('migrates an on-device database in place, keeping its waiting events', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-mig-'));
    const legacy = firstLayoutWithOneEvent(dir);
    const o = make(dir);
    const [old] = o.pending(10);
    // A row from before topics were stored goes where the device lives now, as it did before.
    expect(old).toMatchObject({
      eventId: legacy,
      seq: 7,
      topic: 'onestop/v1/trung-van/q03/tv-q03-a/evt/rating',
    });
    expect(o.append('evt/rating', rating('A1')).seq).toBe(8);
    expect(o.stats()).toMatchObject({ depth: 2, deadLetters: 0 });
    o.close();
    const db = new Database(join(dir, 'outbox.sqlite'));
    expect(db.pragma('user_version', { simple: true })).toBe(OUTBOX_SCHEMA_VERSION);
    db.close();
  });

  it('keeps the topic an event was recorded with when the device is re-addressed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-topic-'));
    const before = make(dir);
    before.append('evt/rating', rating('A1'));
    before.close();
    const after = make(dir, { ...HERE, counterId: 'q07' });
    after.append('evt/rating', rating('A2'));
    expect(after.pending(10).map((e) => e.topic)).toEqual([
      'onestop/v1/trung-van/q03/tv-q03-a/evt/rating',
      'onestop/v1/trung-van/q07/tv-q03-a/evt/rating',
    ]);
  });

  it('moves dead letters out of the queue but never deletes them, across reopen', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-dead-'));
    const o = make(dir);
    const a = o.append('evt/rating', rating('A1')).eventId;
    const b = o.append('evt/rating', rating('A2')).eventId;
    expect(o.strike([a, 'not-there'])).toEqual(new Map([[a, 1]]));
    expect(o.strike([a])).toEqual(new Map([[a, 2]]));
    expect(o.deadLetter([a], 'refused')).toBe(1);
    expect(o.pending(10).map((e) => e.eventId)).toEqual([b]);
    o.close();
    const again = make(dir);
    expect(again.stats()).toMatchObject({ depth: 1, deadLetters: 1 });
    expect(again.deadLetters()).toEqual([
      expect.objectContaining({ eventId: a, strikes: 2, reason: 'refused', seq: 0 }),
    ]);
    // Set aside too early (a slow server): when its ack does come, the event is stored on the
    // server, so it leaves the dead-letter table as well.
    expect(again.ack([a])).toBe(0);
    expect(again.stats()).toMatchObject({ depth: 1, deadLetters: 0 });
    expect(again.deadLetters()).toEqual([]);
  });

  it('writes meta in the same transaction as the event, and not at all if the event is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outbox-meta-'));
    const o = make(dir);
    o.append('evt/rating', rating('A1'), { officer: '"cb-a"' });
    expect(() => o.append('evt/rating', { ...rating('A2'), level: 9 }, { officer: '"cb-b"' })).toThrow();
    o.close();
    expect(make(dir).getMeta('officer')).toBe('"cb-a"');
  });
});
