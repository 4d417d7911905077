import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { compareUnits, openStore, seedCity } from '@onestop/store';
import { openTestStore, STORE_BACKENDS, type TestStore } from '@onestop/store/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyPostgresIntoPglite, SchemaMismatch } from './pglite-from-postgres.js';

/** A few hundred ratings: every table gets rows, and one-page chunks make several per table. */
const TINY = { seed: 3, units: 2, counters: 4, ratings: 300, days: 5, end: '2026-03-31' };
const PERIOD = { from: new Date('2026-03-26T00:00:00+07:00'), to: new Date('2026-04-01T00:00:00+07:00') };

interface Query {
  query<T>(text: string): Promise<{ rows: T[] }>;
}
/** Each public table's row count and a digest of its rows as text, in one time zone. */
async function fingerprint(db: Query): Promise<Record<string, string>> {
  await db.query("set timezone = 'UTC'");
  const tables = await db.query<{ tablename: string }>(
    "select tablename from pg_tables where schemaname = 'public' order by 1",
  );
  const out: Record<string, string> = {};
  for (const { tablename } of tables.rows) {
    const r = await db.query<{ n: number; digest: string }>(
      `select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest
        from public."${tablename}" t`,
    );
    out[tablename] = `${r.rows[0]?.n} ${r.rows[0]?.digest}`;
  }
  const sequences = await db.query<{ sequencename: string }>(
    "select sequencename from pg_sequences where schemaname = 'public' order by 1",
  );
  for (const { sequencename } of sequences.rows) {
    const r = await db.query<{ last_value: string; is_called: boolean }>(
      `select last_value, is_called from public."${sequencename}"`,
    );
    out[`sequence ${sequencename}`] = `${r.rows[0]?.last_value} ${r.rows[0]?.is_called}`;
  }
  return out;
}

describe.skipIf(!STORE_BACKENDS.includes('postgres'))('a PostgreSQL city copied into PGlite', () => {
  let source: TestStore;
  let dir: string;
  let rows = 0;
  beforeAll(async () => {
    source = await openTestStore('postgres');
    await seedCity(source.db, TINY);
    dir = mkdtempSync(join(tmpdir(), 'onestop-pglite-copy-'));
    ({ rows } = await copyPostgresIntoPglite(source.url as string, join(dir, 'db'), { chunkPages: 1 }));
  }, 120_000);
  afterAll(async () => {
    await source?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('holds every row and sequence of the source, byte for byte as text', async () => {
    const client = new pg.Client({ connectionString: source.url as string });
    await client.connect();
    const want = await fingerprint(client).finally(() => client.end());
    const copy = new PGlite(join(dir, 'db'));
    const got = await fingerprint(copy).finally(() => copy.close());
    expect(Number(want.ratings?.split(' ')[0])).toBeGreaterThan(100);
    expect(rows).toBeGreaterThan(0);
    expect(got).toEqual(want);
  });

  it('answers a report as the source does', async () => {
    const copy = await openStore({ kind: 'pglite', dataDir: join(dir, 'db') });
    try {
      const got = await compareUnits(copy.db, PERIOD);
      expect(got.length).toBe(TINY.units);
      expect(got).toEqual(await compareUnits(source.db, PERIOD));
    } finally {
      await copy.close();
    }
  });

  it('refuses a source migrated otherwise (an edited migration), so that the bench seeds instead', async () => {
    const client = new pg.Client({ connectionString: source.url as string });
    await client.connect();
    try {
      await client.query(
        'update drizzle.__drizzle_migrations set hash = md5(hash) where id = (select max(id) from drizzle.__drizzle_migrations)',
      );
      const other = mkdtempSync(join(tmpdir(), 'onestop-pglite-copy-'));
      try {
        await expect(copyPostgresIntoPglite(source.url as string, join(other, 'db'))).rejects.toBeInstanceOf(
          SchemaMismatch,
        );
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    } finally {
      await client.end();
    }
  });
});
