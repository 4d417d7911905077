import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from './db.js';
import {
  ForeignMigrationHistory,
  historyMismatch,
  knownMigrations,
  MigrationFailed,
} from './migration-history.js';

const known = knownMigrations(fileURLToPath(new URL('../migrations', import.meta.url)));

describe('migration history', () => {
  it('accepts a new database, any beginning of ours and all of ours', () => {
    expect(historyMismatch([], known)).toBeNull();
    expect(historyMismatch(known.slice(0, 10), known)).toBeNull();
    expect(historyMismatch(known, known)).toBeNull();
  });

  it('names a newer version, and a history that did not land, apart', () => {
    const newer = [...known, { when: known.at(-1)!.when + 1000, hash: 'x' }];
    expect(historyMismatch(newer, known)).toMatch(
      `newer version of onestop (migration ${known.length + 1} of`,
    );
    const branch = [...known.slice(0, 5), { when: known[5]!.when - 1, hash: 'y' }];
    expect(historyMismatch(branch, known)).toMatch(/migration 6 .* did not land/);
  });

  it('a text changed after landing is still the same migration (drizzle compares times)', () => {
    expect(historyMismatch([{ ...known[0]!, hash: 'edited' }], known)).toBeNull();
  });

  describe('at open (PGlite folder)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'onestop-history-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('a migration that fails on the database is told apart, nothing of it applied', async () => {
      await (await openStore({ kind: 'pglite', dataDir: dir })).close();
      // The newest migrations' records are gone but their work is there: replaying them must fail
      // (the newest alone may replace functions, which replays cleanly; the one before creates
      // tables).
      const raw = new PGlite(dir);
      const gone = (
        await raw.query<{ id: number; hash: string; created_at: string }>(
          'select id, hash, created_at from drizzle.__drizzle_migrations order by id desc limit 2',
        )
      ).rows;
      await raw.query('delete from drizzle.__drizzle_migrations where id = any($1)', [gone.map((g) => g.id)]);
      await raw.close();

      await expect(openStore({ kind: 'pglite', dataDir: dir })).rejects.toThrow(MigrationFailed);
      const after = new PGlite(dir);
      const rows = await after.query(
        'select 1 from drizzle.__drizzle_migrations where created_at = any($1)',
        [gone.map((g) => g.created_at)],
      );
      expect(rows.rows).toHaveLength(0);
      for (const g of gone.reverse())
        await after.query('insert into drizzle.__drizzle_migrations (hash, created_at) values ($1, $2)', [
          g.hash,
          g.created_at,
        ]);
      await after.close();
      expect(existsSync(join(dir, 'onestop.lock'))).toBe(false);
    });

    it('refuses a database another history migrated, before touching it, and frees the folder', async () => {
      // A build whose second newest migration never landed: what the CI's kept bench database had.
      const raw = new PGlite(dir);
      const id = (
        await raw.query<{ id: number }>(
          'select id from drizzle.__drizzle_migrations order by created_at desc limit 1 offset 1',
        )
      ).rows[0]!.id;
      await raw.query('update drizzle.__drizzle_migrations set created_at = created_at - 1 where id = $1', [
        id,
      ]);
      await raw.close();

      const opening = openStore({ kind: 'pglite', dataDir: dir });
      await expect(opening).rejects.toBeInstanceOf(ForeignMigrationHistory);
      await expect(opening).rejects.toThrow(/did not land/);
      expect(existsSync(join(dir, 'onestop.lock'))).toBe(false);
    });
  });
});
