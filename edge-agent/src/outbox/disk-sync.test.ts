import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DiskSync } from './disk-sync.js';

const FULL = 2;
const NORMAL = 1;
const level = (db: Database.Database) => db.pragma('synchronous', { simple: true });

describe('DiskSync', () => {
  it('flushes every commit except those it is asked to leave unflushed, and comes back even after a throw', () => {
    const db = new Database(join(mkdtempSync(join(tmpdir(), 'disk-sync-')), 'x.sqlite'));
    const sync = new DiskSync(db);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(level(db)).toBe(FULL);
    expect(sync.unflushed(() => level(db))).toBe(NORMAL);
    expect(level(db)).toBe(FULL);
    expect(() =>
      sync.unflushed(() => {
        throw new Error('statement failed');
      }),
    ).toThrow('statement failed');
    expect(level(db)).toBe(FULL);
    // Within a caller's transaction the level cannot change: the write joins it, flushed with it.
    expect(db.transaction(() => sync.unflushed(() => level(db)))()).toBe(FULL);
    expect(level(db)).toBe(FULL);
    db.close();
  });
});
