import { readFileSync } from 'node:fs';
import { DAY_MS, HOUR_MS, VIETNAM_TIME_ZONE } from '@onestop/protocol';
import { and, getTableName, gte, lt, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Executor } from './db.js';
import {
  DAY_AND_WEEK_LEVELS,
  deferCoarserLevels,
  MONTHLY_LEVELS,
  STATEMENT_LEVELS,
} from './projections/coarser-rollup.js';
import { rollupsOver } from './rollups-over.js';
import { hourlyRollups } from './schema.js';
import { dailyRollupDrift, openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

const DAY0 = Date.UTC(2026, 0, 5, -7); // Monday 5 January 2026, 00:00 in Hanoi
/** Twenty days: two whole ISO weeks and days around them, for the weekly unit roll-ups too. */
const HOURS = 20 * 24;
const at = (h: number) => new Date(DAY0 + h * HOUR_MS).toISOString();

/** A write to one hourly row: an upsert adding counts and levels, or a delete. */
const writeArb = fc.record({
  counter: fc.constantFrom('c1', 'c2'),
  officer: fc.constantFrom('', 'o1', 'o2'),
  hour: fc.integer({ min: 0, max: HOURS - 1 }),
  del: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  ratings: fc.integer({ min: 0, max: 5 }),
  unsatisfied: fc.integer({ min: 0, max: 3 }),
  visits: fc.integer({ min: 0, max: 4 }),
  sample: fc.double({ min: -1, max: 1, noNaN: true }),
  level: fc.constantFrom('3:1', '3:2', '4:4'),
});

/** The figures a report sums, from a relation shaped like `hourly_rollups`. */
async function sums(store: TestStore, from: Date, to: Date, daily: boolean) {
  const source = daily ? rollupsOver({ from, to }) : hourlyRollups;
  const unitSums = (grain: 'unit' | 'unitWeek') =>
    store.db
      .select({
        ratings: sql<number>`coalesce(sum(${hourlyRollups.ratings}), 0)::int`,
        visits: sql<number>`coalesce(sum(${hourlyRollups.visits}), 0)::int`,
        units: sql<number>`count(distinct ${hourlyRollups.unitId})::int`,
      })
      .from(daily ? rollupsOver({ from, to }, grain) : hourlyRollups)
      .where(and(gte(hourlyRollups.hour, from), lt(hourlyRollups.hour, to)));
  const [[unitRow], [weekRow]] = await Promise.all([unitSums('unit'), unitSums('unitWeek')]);
  const [row] = await store.db
    .select({
      ratings: sql<number>`coalesce(sum(${hourlyRollups.ratings}), 0)::int`,
      unsatisfied: sql<number>`coalesce(sum(${hourlyRollups.unsatisfied}), 0)::int`,
      visits: sql<number>`coalesce(sum(${hourlyRollups.visits}), 0)::int`,
      rows: sql<number>`count(distinct ${hourlyRollups.counterId} || ${hourlyRollups.officerId})::int`,
    })
    .from(source)
    .where(and(gte(hourlyRollups.hour, from), lt(hourlyRollups.hour, to)));
  return { ...row, unit: unitRow, week: weekRow };
}

describe('daily roll-ups', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore('pglite');
  });
  afterAll(async () => {
    await store.close();
  });

  it('dates hours by the time zone protocol defines', async () => {
    const r = (await store.db.execute(
      sql`select prosrc from pg_proc where proname = 'daily_rollups_apply'`,
    )) as unknown as { rows: Array<{ prosrc: string }> };
    expect(r.rows[0]?.prosrc).toContain(`AT TIME ZONE '${VIETNAM_TIME_ZONE}'`);
  });

  it('stay equal to the hourly rows per Vietnam date, and periods sum alike from either', async () => {
    let unit = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(writeArb, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: HOURS }),
        fc.integer({ min: 0, max: HOURS }),
        async (writes, a, b) => {
          unit++;
          const unitId = `u${unit}`;
          for (const w of writes) {
            const hour = new Date(DAY0 + w.hour * HOUR_MS).toISOString();
            if (w.del) {
              await store.db.execute(
                sql`delete from hourly_rollups where unit_id = ${unitId} and counter_id = ${w.counter}
                  and officer_id = ${w.officer} and hour = ${hour}::timestamptz`,
              );
              continue;
            }
            // The merge of the ingest upsert (projections/rollup.ts) in miniature: add, or set.
            await store.db.execute(sql`insert into hourly_rollups as h (unit_id, counter_id, officer_id, hour,
                ratings, unsatisfied, visits, expressions, expression_index_sum, levels)
              values (${unitId}, ${w.counter}, ${w.officer}, ${hour}::timestamptz, ${w.ratings}, ${w.unsatisfied},
                ${w.visits}, 1, ${w.sample},
                case when ${w.ratings}::int = 0 then '{}'::jsonb else jsonb_build_object(${w.level}::text, ${w.ratings}::int) end)
              on conflict (unit_id, counter_id, officer_id, hour) do update set
                ratings = excluded.ratings, unsatisfied = h.unsatisfied + excluded.unsatisfied,
                visits = h.visits + excluded.visits, expressions = h.expressions + 1,
                expression_index_sum = h.expression_index_sum + excluded.expression_index_sum,
                levels = case when excluded.ratings = 0 then '{}'::jsonb else excluded.levels end`);
          }
          expect(await dailyRollupDrift(store.db)).toEqual([]);
          // Any period, whole days or not, sums the same from rollupsOver as from the hours.
          const from = new Date(DAY0 + Math.min(a, b) * HOUR_MS);
          const to = new Date(DAY0 + Math.max(a, b) * HOUR_MS);
          expect(await sums(store, from, to, true)).toEqual(await sums(store, from, to, false));
          const wholeDays = { from: new Date(DAY0 + DAY_MS), to: new Date(DAY0 + 17 * DAY_MS) };
          expect(await sums(store, wholeDays.from, wholeDays.to, true)).toEqual(
            await sums(store, wholeDays.from, wholeDays.to, false),
          );
        },
      ),
      { numRuns: 40 },
    );
  }, 120_000);

  it("rebuild the weeks of days stored before them with migration 0026's backfill", async () => {
    const statements = readFileSync(
      new URL('../migrations/0026_unit_weekly_rollups.sql', import.meta.url),
      'utf8',
    ).split('--> statement-breakpoint');
    const backfill = statements.filter(
      (s) => !s.includes('FUNCTION') && /^(INSERT INTO|UPDATE) "unit_weekly_rollups"/m.test(s),
    );
    expect(backfill).toHaveLength(2);
    const unitId = 'backfilled';
    for (const [i, hour] of [0, 30, 200, 201, 470].entries())
      await store.db.execute(sql`insert into hourly_rollups (unit_id, counter_id, officer_id, hour, ratings, visits, reasons)
        values (${unitId}, 'c1', '', ${new Date(DAY0 + hour * HOUR_MS).toISOString()}::timestamptz, ${i + 1}, 1,
          jsonb_build_object('slow', ${i + 1}::int))`);
    const kept = await store.db.execute(
      sql`select * from unit_weekly_rollups where unit_id = ${unitId} order by week`,
    );
    // As the migration found them: unit days with no weeks.
    await store.db.execute(sql`delete from unit_weekly_rollups`);
    for (const statement of backfill) await store.db.execute(sql.raw(statement));
    expect(await dailyRollupDrift(store.db)).toEqual([]);
    const rebuilt = await store.db.execute(
      sql`select * from unit_weekly_rollups where unit_id = ${unitId} order by week`,
    );
    expect((rebuilt as unknown as { rows: unknown[] }).rows).toEqual(
      (kept as unknown as { rows: unknown[] }).rows,
    );
    expect((rebuilt as unknown as { rows: unknown[] }).rows).toHaveLength(3);
  });

  it('are summed set-wise by a bulk load into the rows their triggers would have kept', async () => {
    const read = async (db: Executor = store.db) =>
      Promise.all(
        DAY_AND_WEEK_LEVELS.map(async (l) => {
          const table = getTableName(l.target);
          const keys = Object.keys(l.key).join(', ');
          return (
            (await db.execute(sql.raw(`select * from ${table} order by ${keys}`))) as unknown as {
              rows: unknown[];
            }
          ).rows;
        }),
      );
    // Levels and reasons that cancel out within a day: a bulk sum must drop the 0 keys as the
    // triggers' merges do.
    const write = async (db: Executor = store.db) => {
      for (const [i, hour] of [0, 1, 30, 200, 201, 470].entries())
        await db.execute(sql`insert into hourly_rollups (unit_id, counter_id, officer_id, hour, ratings,
            unsatisfied, visits, expressions, expression_index_sum, levels, reasons)
          values ('bulk', ${i % 2 ? 'c1' : 'c2'}, ${i % 3 ? 'o1' : ''}, ${new Date(DAY0 + hour * HOUR_MS).toISOString()}::timestamptz,
            ${i + 1}, ${i % 2}, 1, 1, ${i / 7}, jsonb_build_object('3:1', ${i + 1}::int, '4:4', ${i === 1 ? -1 : 1}::int),
            jsonb_build_object('slow', ${i === 1 ? -1 : i + 1}::int))`);
    };
    await store.db.execute(sql`delete from hourly_rollups`);
    await write();
    const kept = await read();
    expect(kept.map((rows) => rows.length)).toEqual([6, 4, 3]);
    await store.db.execute(sql`delete from hourly_rollups`);
    expect((await read()).flat()).toEqual([]);
    await store.db.transaction(async (tx) => {
      const sum = await deferCoarserLevels(tx, DAY_AND_WEEK_LEVELS);
      await write(tx);
      expect((await read(tx)).flat()).toEqual([]);
      await sum();
    });
    expect(await read()).toEqual(kept);
    expect(await dailyRollupDrift(store.db)).toEqual([]);
  });
});

describe('an update of an hour in place', () => {
  it('moves each coarser row once, by the difference, and leaves an unchanged row alone', async () => {
    const store = await openTestStore('pglite');
    try {
      const levels = [...DAY_AND_WEEK_LEVELS, ...MONTHLY_LEVELS].map((l) => getTableName(l.target));
      // Row updates this transaction made per table, so far (PostgreSQL's own count).
      const updates = async (tx: Executor) => {
        const r = (await tx.execute(
          sql`select relname, n_tup_upd::int as n from pg_stat_xact_user_tables`,
        )) as unknown as { rows: Array<{ relname: string; n: number }> };
        return Object.fromEntries(levels.map((t) => [t, r.rows.find((x) => x.relname === t)?.n ?? 0]));
      };
      const upsert = (tx: Executor, ratings: number, level: string) =>
        tx.execute(sql`insert into hourly_rollups as h (unit_id, counter_id, officer_id, hour, ratings, satisfied, levels)
          values ('u', 'c', 'o', ${new Date(DAY0 + 9 * HOUR_MS).toISOString()}::timestamptz, ${ratings}, ${ratings},
            jsonb_build_object(${level}::text, ${ratings}::int))
          on conflict (unit_id, counter_id, officer_id, hour) do update set
            ratings = excluded.ratings, satisfied = excluded.satisfied, levels = excluded.levels`);
      await store.db.transaction(async (tx) => {
        await upsert(tx, 1, '3:1');
        const inserted = await updates(tx);
        await upsert(tx, 2, '3:2');
        const updated = await updates(tx);
        // Before migration 0039: 2 day updates, 4 unit-day, 8 unit-week, 4 month, 2 unit-month.
        // Since 0041 also per statement, whatever the rows it changes (next test).
        for (const t of levels) expect([t, updated[t]! - inserted[t]!]).toEqual([t, 1]);
        await upsert(tx, 2, '3:2');
        expect(await updates(tx)).toEqual(updated);
        const [day] = (
          (await tx.execute(
            sql`select hours, ratings, levels from daily_rollups where unit_id = 'u'`,
          )) as unknown as {
            rows: unknown[];
          }
        ).rows;
        expect(day).toEqual({ hours: 1, ratings: 2, levels: { '3:2': 2 } });
      });
      expect(await dailyRollupDrift(store.db)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe.each(STORE_BACKENDS)('a statement that changes many hours at once, on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend);
  });
  afterAll(async () => {
    await store.close();
  });

  /** One statement: an upsert of many hours, a delete of several, or a move of a counter's hours. */
  const statementArb = fc.oneof(
    fc.record({
      kind: fc.constant('upsert' as const),
      writes: fc.array(writeArb, { minLength: 1, maxLength: 12 }),
    }),
    fc.record({
      kind: fc.constant('delete' as const),
      hours: fc.array(fc.integer({ min: 0, max: HOURS - 1 }), { minLength: 1, maxLength: 8 }),
    }),
    // An update that moves rows to other keys: across days, weeks and months, onto each other never
    // (the shift is applied to one counter, whose shifted hours are all free only if unused).
    fc.record({
      kind: fc.constant('move' as const),
      counter: fc.constantFrom('c1', 'c2'),
      shiftHours: fc.integer({ min: 1, max: 200 }),
    }),
    fc.record({ kind: fc.constant('recount' as const), extra: fc.integer({ min: -1, max: 2 }) }),
  );

  it('keeps every level equal to the hours, as one row at a time did', async () => {
    let unit = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(statementArb, { minLength: 1, maxLength: 10 }), async (statements) => {
        unit++;
        const unitId = `s${unit}`;
        for (const st of statements) {
          if (st.kind === 'upsert') {
            // One row per key in a statement (PostgreSQL refuses to upsert a row twice): the last.
            const byKey = new Map(st.writes.map((w) => [`${w.counter}/${w.officer}/${w.hour}`, w]));
            const rows = [...byKey.values()].map(
              (w) =>
                sql`(${unitId}, ${w.counter}, ${w.officer}, ${at(w.hour)}::timestamptz, ${w.ratings}::int, ${w.unsatisfied}::int,
                  ${w.visits}::int, 1, ${w.sample}::float8,
                  case when ${w.ratings}::int = 0 then '{}'::jsonb else jsonb_build_object(${w.level}::text, ${w.ratings}::int) end,
                  jsonb_build_object('slow', ${w.unsatisfied}::int) - (case when ${w.unsatisfied}::int = 0 then 'slow' else '' end))`,
            );
            await store.db.execute(sql`insert into hourly_rollups as h (unit_id, counter_id, officer_id, hour,
                ratings, unsatisfied, visits, expressions, expression_index_sum, levels, reasons)
              values ${sql.join(rows, sql`, `)}
              on conflict (unit_id, counter_id, officer_id, hour) do update set
                ratings = excluded.ratings, unsatisfied = h.unsatisfied + excluded.unsatisfied,
                visits = h.visits + excluded.visits, expressions = h.expressions + 1,
                expression_index_sum = h.expression_index_sum + excluded.expression_index_sum,
                levels = excluded.levels, reasons = "counts_merged"(h.reasons, excluded.reasons)`);
          } else if (st.kind === 'delete') {
            await store.db.execute(sql`delete from hourly_rollups where unit_id = ${unitId}
              and hour in (select (${at(0)}::timestamptz + h * interval '1 hour') from unnest(${`{${st.hours.join(',')}}`}::int[]) as h)`);
          } else if (st.kind === 'move') {
            // Only when no shifted hour lands on a stored one (that would be a duplicate key).
            await store.db.execute(sql`update hourly_rollups h set hour = h.hour + ${st.shiftHours} * interval '1 hour'
              where h.unit_id = ${unitId} and h.counter_id = ${st.counter}
                and not exists (select 1 from hourly_rollups x join hourly_rollups y
                  on y.unit_id = x.unit_id and y.counter_id = x.counter_id and y.officer_id = x.officer_id
                  and y.hour = x.hour + ${st.shiftHours} * interval '1 hour'
                  where x.unit_id = ${unitId} and x.counter_id = ${st.counter})`);
          } else {
            // Every hour of the unit changed in place, some not at all (extra 0 on visits alone).
            await store.db.execute(sql`update hourly_rollups set visits = greatest(0, visits + ${st.extra}::int)
              where unit_id = ${unitId}`);
          }
          expect(await dailyRollupDrift(store.db)).toEqual([]);
        }
      }),
      { numRuns: 40 },
    );
  }, 240_000);

  it('moves each coarser row once per statement, however many of its hours changed', async () => {
    const levels = STATEMENT_LEVELS.map((l) => getTableName(l.target));
    await store.db.transaction(async (tx) => {
      const counts = async () => {
        const r = (await tx.execute(
          sql`select relname, n_tup_ins::int as i, n_tup_upd::int as u from pg_stat_xact_user_tables`,
        )) as unknown as { rows: Array<{ relname: string; i: number; u: number }> };
        return Object.fromEntries(
          levels.map((t) => {
            const row = r.rows.find((x) => x.relname === t);
            return [t, (row?.i ?? 0) + (row?.u ?? 0)];
          }),
        );
      };
      // Ten hours of one counter's day, then all ten again: one row per level each time.
      // Sums in float8 whose total over the hours is not exact (0.1 steps).
      const day = (n: number) =>
        tx.execute(sql`insert into hourly_rollups as h (unit_id, counter_id, officer_id, hour, ratings, satisfied,
            expressions, expression_index_sum, expression_index_sq_sum)
          select 'once', 'c', 'o', ${at(8)}::timestamptz + g * interval '1 hour', ${n}::int, ${n}::int,
            1, 0.1 * g + 0.7, 0.01 * g * g + 0.001 from generate_series(0, 9) g
          on conflict (unit_id, counter_id, officer_id, hour) do update set ratings = h.ratings + excluded.ratings,
            satisfied = h.satisfied + excluded.satisfied`);
      const before = await counts();
      await day(1);
      const inserted = await counts();
      for (const t of levels) expect([t, inserted[t]! - before[t]!]).toEqual([t, 1]);
      await day(2);
      const updated = await counts();
      for (const t of levels) expect([t, updated[t]! - inserted[t]!]).toEqual([t, 1]);
      // Ten hours rewritten unchanged: no level touched, no float residue written (a + b − a − b).
      const floats = sql`select expression_index_sum, expression_index_sq_sum from daily_rollups where unit_id = 'once'`;
      const floatsBefore = ((await tx.execute(floats)) as unknown as { rows: unknown[] }).rows;
      await tx.execute(sql`update hourly_rollups set visits = visits where unit_id = 'once'`);
      expect(await counts()).toEqual(updated);
      expect(((await tx.execute(floats)) as unknown as { rows: unknown[] }).rows).toEqual(floatsBefore);
    });
    expect(await dailyRollupDrift(store.db)).toEqual([]);
  });
});

describe('monthly roll-ups', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore('pglite');
  });
  afterAll(async () => {
    await store.close();
  });

  /** 1 December 2025, 00:00 in Hanoi; writes over four months, so periods hold whole months. */
  const DEC1 = Date.UTC(2025, 11, 1, -7);
  const MONTH_HOURS = 24 * 121;
  const monthWriteArb = writeArb.chain((w) =>
    fc.integer({ min: 0, max: MONTH_HOURS - 1 }).map((hour) => ({ ...w, hour })),
  );

  /** Per counter and officer, what the officer and counter tables sum, from either relation. */
  async function tables(from: Date, to: Date, months: boolean) {
    const r = await store.db
      .select({
        counterId: hourlyRollups.counterId,
        officerId: hourlyRollups.officerId,
        ratings: sql<number>`sum(${hourlyRollups.ratings})::int`,
        unsatisfied: sql<number>`sum(${hourlyRollups.unsatisfied})::int`,
        visits: sql<number>`sum(${hourlyRollups.visits})::int`,
        expressions: sql<number>`sum(${hourlyRollups.expressions})::int`,
        sum: sql<number>`round(sum(${hourlyRollups.expressionIndexSum})::numeric, 9)::float8`,
        levels: sql<Array<Record<string, number>>>`jsonb_agg(${hourlyRollups.levels})`,
      })
      .from(months ? rollupsOver({ from, to }, 'counterMonth', ['levels']) : hourlyRollups)
      .where(and(gte(hourlyRollups.hour, from), lt(hourlyRollups.hour, to)))
      .groupBy(hourlyRollups.counterId, hourlyRollups.officerId)
      .orderBy(hourlyRollups.counterId, hourlyRollups.officerId);
    // Level counts merged as the officer table merges them, zeros left out.
    return r.map(({ levels, ...row }) => {
      const merged: Record<string, number> = {};
      for (const m of levels) for (const [k, n] of Object.entries(m)) merged[k] = (merged[k] ?? 0) + n;
      return { ...row, levels: Object.fromEntries(Object.entries(merged).filter(([, n]) => n !== 0)) };
    });
  }

  it('stay equal to the hourly rows per Vietnam month, and periods sum alike from either', async () => {
    let unit = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(monthWriteArb, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 0, max: 120 }),
        fc.integer({ min: 0, max: MONTH_HOURS }),
        async (writes, a, b, edge) => {
          unit++;
          const unitId = `m${unit}`;
          await store.db.execute(sql`delete from hourly_rollups`);
          for (const w of writes) {
            const hour = new Date(DEC1 + w.hour * HOUR_MS).toISOString();
            if (w.del) {
              await store.db.execute(
                sql`delete from hourly_rollups where unit_id = ${unitId} and counter_id = ${w.counter}
                  and officer_id = ${w.officer} and hour = ${hour}::timestamptz`,
              );
              continue;
            }
            await store.db.execute(sql`insert into hourly_rollups as h (unit_id, counter_id, officer_id, hour,
                ratings, unsatisfied, visits, expressions, expression_index_sum, levels)
              values (${unitId}, ${w.counter}, ${w.officer}, ${hour}::timestamptz, ${w.ratings}, ${w.unsatisfied},
                ${w.visits}, 1, ${w.sample},
                case when ${w.ratings}::int = 0 then '{}'::jsonb else jsonb_build_object(${w.level}::text, ${w.ratings}::int) end)
              on conflict (unit_id, counter_id, officer_id, hour) do update set
                ratings = excluded.ratings, unsatisfied = h.unsatisfied + excluded.unsatisfied,
                visits = h.visits + excluded.visits, expressions = h.expressions + 1,
                expression_index_sum = h.expression_index_sum + excluded.expression_index_sum,
                levels = case when excluded.ratings = 0 then '{}'::jsonb else excluded.levels end`);
          }
          expect(await dailyRollupDrift(store.db)).toEqual([]);
          // Whole days (a report's period) and a period with a partial hour at one edge.
          const from = new Date(DEC1 + Math.min(a, b) * DAY_MS);
          const to = new Date(DEC1 + (Math.max(a, b) + 1) * DAY_MS);
          expect(await tables(from, to, true)).toEqual(await tables(from, to, false));
          const ragged = new Date(Math.max(from.getTime(), Math.min(to.getTime(), DEC1 + edge * HOUR_MS)));
          expect(await tables(ragged, to, true)).toEqual(await tables(ragged, to, false));
        },
      ),
      { numRuns: 30 },
    );
  }, 240_000);

  it("are rebuilt from the days stored before them by migration 0038's back-fill", async () => {
    const statements = readFileSync(
      new URL('../migrations/0038_monthly_rollups.sql', import.meta.url),
      'utf8',
    )
      .split('--> statement-breakpoint')
      .map((s) => s.trim());
    const backfill = statements.filter((s) =>
      /^(-- .*\n)*INSERT INTO "(monthly_rollups|unit_month_hours)"/.test(s),
    );
    expect(backfill).toHaveLength(2);
    await store.db.execute(sql`delete from hourly_rollups`);
    for (const [i, hour] of [0, 30, 700, 701, 1500, 2900].entries())
      await store.db.execute(sql`insert into hourly_rollups (unit_id, counter_id, officer_id, hour, ratings,
          very_satisfied, visits, levels, reasons)
        values ('backfilled', ${i % 2 ? 'c1' : 'c2'}, '', ${new Date(DEC1 + hour * HOUR_MS).toISOString()}::timestamptz,
          ${i + 1}, ${i + 1}, 1, jsonb_build_object('5:5', ${i + 1}::int), jsonb_build_object('slow', ${i + 1}::int))`);
    const read = async () =>
      Promise.all(
        [
          'monthly_rollups order by unit_id, counter_id, officer_id, month',
          'unit_month_hours order by unit_id, month, weekday',
        ].map(
          async (t) =>
            ((await store.db.execute(sql.raw(`select * from ${t}`))) as unknown as { rows: unknown[] }).rows,
        ),
      );
    const kept = await read();
    expect(kept[0]).toHaveLength(4);
    // As the migration found them: days with no months.
    await store.db.execute(sql`delete from monthly_rollups`);
    await store.db.execute(sql`delete from unit_month_hours`);
    for (const statement of backfill) await store.db.execute(sql.raw(statement));
    expect(await dailyRollupDrift(store.db)).toEqual([]);
    expect(await read()).toEqual(kept);
  });
});

describe('the JSON columns of a period’s roll-ups', () => {
  const period = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-03-01T00:00:00Z') };
  const text = (r: ReturnType<typeof rollupsOver>) => new PgDialect().sqlToQuery(sql`select * from ${r}`).sql;

  it('are read only when asked for, at every grain', () => {
    for (const grain of ['counter', 'counterMonth', 'unit', 'unitWeek'] as const) {
      expect(text(rollupsOver(period, grain))).not.toMatch(/\breasons\b|\blevels\b/);
      expect(text(rollupsOver(period, grain, ['reasons']))).toMatch(/\breasons\b/);
    }
    expect(text(rollupsOver(period, 'counterMonth', ['levels']))).toMatch(/\blevels\b/);
  });

  it('refuse levels where the grain has none', () => {
    expect(() => rollupsOver(period, 'unitWeek', ['levels'])).toThrow(/no levels/);
  });
});
