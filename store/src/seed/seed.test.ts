import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Executor } from '../db.js';
import { openStore } from '../db.js';
import { prepareJudging, rejudge } from '../judge/judge.js';
import { recomputeRollups } from '../judge/rollups.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from '../testing.js';
import { type SeedOptions, type SeedTotals, SMALL_SCALE, seedCity } from './seed.js';

const OPTIONS: SeedOptions = { seed: 7, ...SMALL_SCALE, end: '2026-03-31' };
const rows = async <T>(db: Executor, q: ReturnType<typeof sql>) =>
  ((await db.execute(q)) as unknown as { rows: T[] }).rows;
/** Every roll-up row as text, in key order: two snapshots are equal only if every column is. */
const rollupText = (db: Executor) =>
  rows<{ t: string }>(
    db,
    sql`select string_agg(h::text, E'\n' order by unit_id, counter_id, officer_id, hour) as t from hourly_rollups h`,
  ).then((r) => r[0]?.t ?? '');

describe.each(STORE_BACKENDS)('onestop seed on %s', (backend) => {
  let store: TestStore;
  let totals: SeedTotals;
  beforeAll(async () => {
    store = await openTestStore(backend);
    totals = await seedCity(store.db, OPTIONS);
  }, 120_000);
  afterAll(() => store?.close());

  it('fills every table about as asked', () => {
    expect(totals.units).toBe(6);
    expect(totals.counters).toBe(18);
    expect(totals.ratings).toBeGreaterThan(OPTIONS.ratings * 0.7);
    expect(totals.ratings).toBeLessThan(OPTIONS.ratings * 1.3);
    expect(totals.visits).toBeGreaterThan(totals.ratings * 0.9);
    expect(totals.uncounted).toBeGreaterThan(0);
    expect(totals.expressions).toBeGreaterThan(0);
    expect(totals.comments).toBeGreaterThan(0);
  });

  it("derives every dossier's outcome before it returns: nothing left for the first page to do", async () => {
    const [n] = await rows<{ dirty: number; outcomes: number; days: number }>(
      store.db,
      sql`select (select count(*)::int from dossier_outcome_dirty) as dirty,
        (select count(*)::int from dossier_outcomes) as outcomes, (select count(*)::int from dossier_days) as days`,
    );
    expect(n?.dirty).toBe(0);
    expect(n?.outcomes).toBeGreaterThan(totals.ratings * 0.5);
    expect(n?.days).toBeGreaterThan(0);
  });

  it('stores the verdicts the judge gives: re-judging every device changes nothing', async () => {
    const devices = await rows<{ id: string; unit_id: string }>(
      store.db,
      sql`select id, unit_id from devices`,
    );
    const reasons = await rows<{ r: string }>(
      store.db,
      sql`select distinct coalesce(attribution_reason, '-') || '/' || coalesce(filter_reason, '-') as r from ratings order by 1`,
    );
    // Both kinds of deliberately uncounted rating are there to be checked.
    expect(reasons.map((r) => r.r)).toEqual(
      ['-/-', '-/rapid_repeat', 'no_officer/-', 'no_officer/rapid_repeat'].filter((r) =>
        reasons.some((x) => x.r === r),
      ),
    );
    expect(reasons.map((r) => r.r)).toContain('no_officer/-');
    expect(reasons.map((r) => r.r)).toContain('-/rapid_repeat');
    const before = await rollupText(store.db);
    const changed = await store.db.transaction(async (tx) => {
      const judging = await prepareJudging(
        tx,
        devices.map((d) => ({ unitId: d.unit_id, payload: { deviceId: d.id } })),
      );
      return rejudge(
        tx,
        devices.map((d) => ({ device_id: d.id, from_ms: 0, to_ms: null })),
        judging,
      );
    });
    expect(changed).toBe(0);
    expect(await rollupText(store.db)).toBe(before);
  });

  it('builds roll-ups equal to an exact recompute from the raw rows', async () => {
    const before = await rollupText(store.db);
    expect(before.length).toBeGreaterThan(0);
    const keys = await rows<{ unit_id: string; counter_id: string; hour: string }>(
      store.db,
      sql`select distinct unit_id, counter_id, hour from hourly_rollups`,
    );
    await store.db.transaction((tx) => recomputeRollups(tx, keys));
    expect(await rollupText(store.db)).toBe(before);
    // Visits and camera sums against their raw rows, hour by hour.
    const off = await rows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from (
        select unit_id, counter_id, hour, sum(visits) as visits, sum(expressions) as expressions
        from hourly_rollups group by 1, 2, 3
      ) h full join (
        select unit_id, counter_id, date_trunc('hour', ended_at) as hour, count(*) as visits from visits group by 1, 2, 3
      ) v using (unit_id, counter_id, hour)
      full join (
        select unit_id, counter_id, date_trunc('hour', ended_at) as hour, count(*) as expressions
        from expression_summaries group by 1, 2, 3
      ) e using (unit_id, counter_id, hour)
      where coalesce(h.visits, 0) <> coalesce(v.visits, 0) or coalesce(h.expressions, 0) <> coalesce(e.expressions, 0)`,
    );
    expect(off[0]?.n).toBe(0);
  });

  it('leaves every index the migrations made, rebuilt after the bulk load', async () => {
    const names = await rows<{ n: string }>(
      store.db,
      sql`select indexname as n from pg_indexes where tablename in ('ratings', 'visits', 'comments') order by 1`,
    );
    expect(names.map((r) => r.n)).toEqual(
      expect.arrayContaining([
        'ratings_dossier_ids_idx',
        'ratings_pending_idx',
        'visits_dossier_ids_idx',
        'comments_new_unit_idx',
      ]),
    );
  });

  it('refuses a database that already has units', async () => {
    await expect(seedCity(store.db, OPTIONS)).rejects.toThrow(/empty database/);
  });
});

describe('an interrupted seed', () => {
  it('leaves the database as it found it: empty, every index in place, ready to run again', async () => {
    const s = await openStore({ kind: 'pglite', dataDir: null });
    try {
      const indexes = () =>
        rows<{ n: string }>(
          s.db,
          sql`select indexname as n from pg_indexes where schemaname = current_schema() order by 1`,
        );
      const before = await indexes();
      const small = { ...OPTIONS, units: 3, counters: 6, ratings: 600, days: 10 };
      // Interrupted in the middle of the bulk load, after the indexes were dropped.
      const stop = (step: string) => {
        if (step === 'units') throw new Error('interrupted');
      };
      await expect(seedCity(s.db, small, stop)).rejects.toThrow('interrupted');
      expect(await indexes()).toEqual(before);
      expect(await rows<{ n: number }>(s.db, sql`select count(*)::int as n from units`)).toEqual([{ n: 0 }]);
      expect((await seedCity(s.db, small)).units).toBe(3);
    } finally {
      await s.close();
    }
  }, 120_000);
});

describe('onestop seed is reproducible', () => {
  it('gives the same rows for the same seed, other rows for another', async () => {
    const digest = async (seed: number) => {
      const s = await openStore({ kind: 'pglite', dataDir: null });
      try {
        await seedCity(s.db, { ...OPTIONS, seed, units: 2, counters: 4, ratings: 500, days: 10 });
        const [r] = await rows<{ d: string }>(
          s.db,
          sql`select md5(string_agg(r::text, ',' order by event_id)) as d from ratings r`,
        );
        return r?.d;
      } finally {
        await s.close();
      }
    };
    const a = await digest(1);
    expect(await digest(1)).toBe(a);
    expect(await digest(2)).not.toBe(a);
  }, 120_000);
});
