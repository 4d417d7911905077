import { readFileSync } from 'node:fs';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { hourCell, hourlyRollups } from './schema.js';
import { dailyRollupDrift, openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';
import { ratingsByWeekdayAndHour, satisfactionTrend } from './trends.js';

const H = 3_600_000;
/** 2025-09-01 00:00 in Hanoi (a Monday) is 2025-08-31 17:00 UTC. */
const MONDAY_VN = Date.UTC(2025, 7, 31, 17);

type Row = typeof hourlyRollups.$inferInsert & { hour: Date };

/**
 * The independent reading of a roll-up hour, by plain arithmetic on UTC+7 rather than through
 * SQL's time zone: the Vietnam wall clock is the UTC clock seven hours on.
 */
function wallClock(hour: Date) {
  const local = new Date(hour.getTime() + 7 * H);
  const weekday = ((local.getUTCDay() + 6) % 7) + 1;
  const monday = new Date(local.getTime() - (weekday - 1) * 24 * H);
  return {
    day: local.toISOString().slice(0, 10),
    week: monday.toISOString().slice(0, 10),
    weekday,
    hour: local.getUTCHours(),
  };
}

function expectedTrend(
  rows: readonly Row[],
  unitId: string | null,
  step: 'day' | 'week',
  from: Date,
  to: Date,
) {
  const out = new Map<string, { verySatisfied: number; satisfied: number; unsatisfied: number }>();
  for (const r of rows) {
    if ((unitId !== null && r.unitId !== unitId) || r.hour < from || r.hour >= to) continue;
    const key = wallClock(r.hour)[step];
    const e = out.get(key) ?? { verySatisfied: 0, satisfied: 0, unsatisfied: 0 };
    e.verySatisfied += r.verySatisfied ?? 0;
    e.satisfied += r.satisfied ?? 0;
    e.unsatisfied += r.unsatisfied ?? 0;
    out.set(key, e);
  }
  return [...out].sort(([a], [b]) => a.localeCompare(b)).map(([start, c]) => ({ start, ...c }));
}

function expectedHeat(rows: readonly Row[], unitId: string | null, from: Date, to: Date) {
  const out = new Map<string, { weekday: number; hour: number; ratings: number }>();
  for (const r of rows) {
    if ((unitId !== null && r.unitId !== unitId) || r.hour < from || r.hour >= to) continue;
    const { weekday, hour } = wallClock(r.hour);
    const key = `${weekday}:${String(hour).padStart(2, '0')}`;
    const e = out.get(key) ?? { weekday, hour, ratings: 0 };
    e.ratings += (r.verySatisfied ?? 0) + (r.satisfied ?? 0) + (r.unsatisfied ?? 0);
    out.set(key, e);
  }
  return [...out]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, c]) => c)
    .filter((c) => c.ratings > 0);
}

const rowArb = fc.record({
  unitId: fc.constantFrom('u-a', 'u-b'),
  counterId: fc.constantFrom('q1', 'q2'),
  officerId: fc.constantFrom('', 'cb-a'),
  hourIndex: fc.integer({ min: -30, max: 24 * 21 }),
  verySatisfied: fc.nat(5),
  satisfied: fc.nat(5),
  unsatisfied: fc.nat(5),
});

describe.each(STORE_BACKENDS)('chart series from roll-ups on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend);
  });
  afterAll(async () => {
    await store?.close();
  });
  beforeEach(async () => {
    await store.db.delete(hourlyRollups);
  });

  it('puts 23:00 and 00:00 in Hanoi on two days, and Sunday 23:00 in the week before Monday', async () => {
    const sunday23 = new Date(MONDAY_VN - H);
    const monday00 = new Date(MONDAY_VN);
    const base = { unitId: 'u-a', counterId: 'q1', officerId: 'cb-a' };
    await store.db.insert(hourlyRollups).values([
      { ...base, hour: sunday23, verySatisfied: 1, satisfied: 0, unsatisfied: 0 },
      { ...base, hour: monday00, verySatisfied: 0, satisfied: 2, unsatisfied: 1 },
    ]);
    const q = { unitId: 'u-a', from: new Date(MONDAY_VN - 24 * H), to: new Date(MONDAY_VN + 24 * H) };
    const days = await satisfactionTrend(store.db, { ...q, step: 'day' });
    expect(days.map((d) => [d.start, d.verySatisfied, d.satisfied, d.unsatisfied])).toEqual([
      ['2025-08-31', 1, 0, 0],
      ['2025-09-01', 0, 2, 1],
    ]);
    const weeks = await satisfactionTrend(store.db, { ...q, step: 'week' });
    expect(weeks.map((w) => w.start)).toEqual(['2025-08-25', '2025-09-01']);
    const heat = await ratingsByWeekdayAndHour(store.db, q);
    expect(heat).toEqual([
      { weekday: 1, hour: 0, ratings: 3 },
      { weekday: 7, hour: 23, ratings: 1 },
    ]);
  });

  it("moves each hour of migration 0022's array to its own column (0027's backfill)", async () => {
    const rows: Row[] = [0, 1, 9, 23, 24 + 13].map((h, i) => ({
      unitId: 'u-a',
      counterId: 'c1',
      officerId: '',
      hour: new Date(MONDAY_VN + h * H),
      satisfied: i + 1,
    }));
    await store.db.insert(hourlyRollups).values(rows);
    const cells = Array.from({ length: 24 }, (_, h) => hourCell(h)).join(', ');
    const read = async () =>
      (
        (await store.db.execute(
          sql.raw(`select day::text, ${cells} from unit_day_hours order by day`),
        )) as unknown as {
          rows: unknown[];
        }
      ).rows;
    const kept = await read();
    // As 0027 found the table: the array filled, the columns not yet.
    await store.db.execute(sql.raw(`alter table unit_day_hours add column ratings integer[]`));
    await store.db.execute(sql.raw(`update unit_day_hours set ratings = array[${cells}]`));
    await store.db.execute(sql.raw(`update unit_day_hours set ${cells.replaceAll(',', ' = 0,')} = 0`));
    const backfill = readFileSync(
      new URL('../migrations/0027_unit_day_hour_columns.sql', import.meta.url),
      'utf8',
    )
      .split('--> statement-breakpoint')
      .filter((statement) => /^UPDATE "unit_day_hours"/m.test(statement));
    expect(backfill).toHaveLength(1);
    await store.db.execute(sql.raw(backfill[0]!));
    await store.db.execute(sql.raw(`alter table unit_day_hours drop column ratings`));
    expect(await read()).toEqual(kept);
    expect(kept.length).toBeGreaterThanOrEqual(2);
  });

  it('sums per Vietnam day, week and weekday × hour as an independent recount does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(rowArb, {
          maxLength: 40,
          selector: (r) => `${r.unitId}|${r.counterId}|${r.officerId}|${r.hourIndex}`,
        }),
        fc.constantFrom('u-a', null),
        fc.integer({ min: -24, max: 48 }),
        fc.integer({ min: 1, max: 24 * 20 }),
        async (drawn, unitId, fromHour, hours) => {
          await store.db.delete(hourlyRollups);
          const rows: Row[] = drawn.map(({ hourIndex, ...r }) => ({
            ...r,
            hour: new Date(MONDAY_VN + hourIndex * H),
          }));
          if (rows.length > 0) await store.db.insert(hourlyRollups).values(rows);
          const from = new Date(MONDAY_VN + fromHour * H);
          const to = new Date(from.getTime() + hours * H);
          for (const step of ['day', 'week'] as const)
            expect(await satisfactionTrend(store.db, { unitId, from, to, step })).toEqual(
              expectedTrend(rows, unitId, step, from, to),
            );
          expect(await ratingsByWeekdayAndHour(store.db, { unitId, from, to })).toEqual(
            expectedHeat(rows, unitId, from, to),
          );
        },
      ),
      { numRuns: 15 },
    );
  });

  it('sums whole calendar months from the monthly cells as an independent recount does', async () => {
    // Rows from mid-July to mid-November 2025, periods from days to four months across them.
    const monthsRowArb = rowArb.chain((r) =>
      fc.integer({ min: -24 * 45, max: 24 * 75 }).map((hourIndex) => ({ ...r, hourIndex })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(monthsRowArb, {
          maxLength: 60,
          selector: (r) => `${r.unitId}|${r.counterId}|${r.officerId}|${r.hourIndex}`,
        }),
        fc.constantFrom('u-a', null),
        fc.integer({ min: -24 * 40, max: 24 * 10 }),
        fc.integer({ min: 1, max: 24 * 120 }),
        async (drawn, unitId, fromHour, hours) => {
          await store.db.delete(hourlyRollups);
          const rows: Row[] = drawn.map(({ hourIndex, ...r }) => ({
            ...r,
            hour: new Date(MONDAY_VN + hourIndex * H),
          }));
          if (rows.length > 0) await store.db.insert(hourlyRollups).values(rows);
          expect(await dailyRollupDrift(store.db)).toEqual([]);
          // Whole days (the reports' periods) as often as not: those read the monthly cells.
          const from = new Date(MONDAY_VN + (fromHour - (fromHour % 24)) * H);
          const to = new Date(from.getTime() + (hours % 2 === 0 ? hours - (hours % 24) + 24 : hours) * H);
          expect(await ratingsByWeekdayAndHour(store.db, { unitId, from, to })).toEqual(
            expectedHeat(rows, unitId, from, to),
          );
        },
      ),
      { numRuns: 15 },
    );
  });
});
