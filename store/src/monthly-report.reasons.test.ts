import { readFileSync } from 'node:fs';
import { HOUR_MS } from '@onestop/protocol';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addContributions, contributionsSql, recomputeRollups } from './judge/rollups.js';
import { frequentReasons } from './monthly-report.js';
import { hourlyRollups, ratings, units } from './schema.js';
import { dailyRollupDrift, openTestStore, planOf, STORE_BACKENDS, type TestStore } from './testing.js';

/**
 * The frequent reasons of a report come from the roll-ups' `reasons`; here they must equal a
 * recount of the raw ratings in plain TypeScript: reasons of placed, judged ratings that no misuse
 * filter caught, whether verified or not, after some ratings were judged again (filtered, or
 * their attribution changed), over periods cut anywhere on the hour (partial days at the edges).
 */
const DAY0 = Date.UTC(2025, 8, 1, -7); // 1 September 2025, 00:00 in Hanoi
const CODES = ['wait', 'rude', 'paper', 'fee'] as const;
const uuid = (n: number) => `0193a0c2-5f00-7000-8000-${String(n).padStart(12, '0')}`;

const judgedArb = fc.record({
  attribution: fc.constantFrom('verified', 'unverified', 'pending'),
  filtered: fc.boolean(),
});
const ratingArb = fc.record({
  unit: fc.constantFrom('u-a', 'u-b'),
  counter: fc.constantFrom('q1', 'q2'),
  officer: fc.constantFrom('cb-a', 'cb-b'),
  minute: fc.integer({ min: 0, max: 4 * 24 * 60 - 1 }),
  placed: fc.boolean(),
  reasons: fc.uniqueArray(fc.constantFrom(...CODES), { maxLength: 3 }),
  first: judgedArb,
  /** Judged again later (null: not). */
  again: fc.option(judgedArb, { nil: null }),
});
const periodArb = fc
  .tuple(fc.integer({ min: -2, max: 4 * 24 }), fc.integer({ min: 0, max: 4 * 24 + 2 }))
  .map(([a, len]) => ({ from: new Date(DAY0 + a * HOUR_MS), to: new Date(DAY0 + (a + len) * HOUR_MS) }));

/** The migration's backfill statements: the reasons of the ratings judged before it, hours to unit days. */
const BACKFILL = (() => {
  const statements = readFileSync(
    new URL('../migrations/0023_rollup_reasons.sql', import.meta.url),
    'utf8',
  ).split('--> statement-breakpoint');
  const reasons = statements.slice(statements.findIndex((s) => s.includes('judged before this migration')));
  // Migrations after 0023 build their levels from the days it filled with their triggers off:
  // 0038's months are rebuilt from the days here as that migration does.
  const months = readFileSync(new URL('../migrations/0038_monthly_rollups.sql', import.meta.url), 'utf8')
    .split('--> statement-breakpoint')
    .filter((s) => /^(-- .*\n)*INSERT INTO "monthly_rollups"/.test(s.trim()));
  return [...reasons, 'DELETE FROM "monthly_rollups"', ...months];
})();

type Judged = { attribution: string; filtered: boolean };
type Drawn = fc.Arbitrary<typeof ratingArb extends fc.Arbitrary<infer T> ? T : never>;
type Rating = Drawn extends fc.Arbitrary<infer T> ? T : never;

/** Written from the rule, not from the SQL: what a report counts of each reason. */
function recount(rs: Rating[], unitId: string | null, period: { from: Date; to: Date }) {
  const n = new Map<string, number>();
  for (const r of rs) {
    const j: Judged = r.again ?? r.first;
    const at = DAY0 + r.minute * 60_000;
    if (!r.placed || j.attribution === 'pending' || j.filtered) continue;
    if ((unitId !== null && r.unit !== unitId) || at < period.from.getTime() || at >= period.to.getTime())
      continue;
    for (const c of r.reasons) n.set(c, (n.get(c) ?? 0) + 1);
  }
  return [...n]
    .map(([reason, k]) => ({ reason, n: k }))
    .sort((a, b) => b.n - a.n || (a.reason < b.reason ? -1 : 1));
}

describe.each(STORE_BACKENDS)('frequent reasons from roll-ups on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    // Plan tests below read the planner without statistics: no upkeep analyzing meanwhile.
    store = await openTestStore(backend, { upkeep: false });
    await store.db.insert(units).values([
      { id: 'u-a', name: 'Phường A', province: 'Hà Nội' },
      { id: 'u-b', name: 'Phường B', province: 'Hà Nội' },
    ]);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('equal a recount of the raw ratings, after re-judging, over any period on the hour', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(ratingArb, { maxLength: 30 }),
        fc.array(periodArb, { minLength: 1, maxLength: 4 }),
        async (rs, periods) => {
          const db = store.db;
          await db.delete(ratings);
          await db.delete(hourlyRollups);
          if (rs.length > 0)
            await db.insert(ratings).values(
              rs.map((r, i) => {
                const at = new Date(DAY0 + r.minute * 60_000);
                return {
                  eventId: uuid(i),
                  unitId: r.unit,
                  counterId: r.counter,
                  deviceId: 'd1',
                  officerId: r.officer,
                  scale: 'keypad4',
                  level: 4,
                  official: 'very_satisfied',
                  score: 100,
                  source: 'keypad',
                  reasons: [...r.reasons],
                  deviceTs: at,
                  at: r.placed ? at : null,
                  attribution: r.first.attribution,
                  filterReason: r.first.filtered ? 'burst' : null,
                  serverTs: at,
                };
              }),
            );
          // First judgement: what judging adds (the seed's and the judge's path).
          await db.execute(
            sql`with contributions as (${contributionsSql(sql`ratings`)}) ${addContributions}`,
          );
          // Judged again: verdicts change, then the touched hours are recomputed.
          const again = rs.flatMap((r, i) => (r.again ? [{ r, i, j: r.again }] : []));
          for (const { i, j } of again)
            await db.execute(sql`update ratings set attribution = ${j.attribution},
            filter_reason = ${j.filtered ? 'burst' : null} where event_id = ${uuid(i)}`);
          await recomputeRollups(
            db,
            again
              .filter(({ r }) => r.placed)
              .map(({ r }) => ({
                unit_id: r.unit,
                counter_id: r.counter,
                hour: new Date(Math.floor((DAY0 + r.minute * 60_000) / HOUR_MS) * HOUR_MS),
              })),
          );
          expect(await dailyRollupDrift(db)).toEqual([]);
          await expectReasons(rs, periods);
          // Migration 0023's backfill gives roll-ups written before it (no reasons) the same counts.
          await db.execute(sql`update hourly_rollups set reasons = '{}'::jsonb`);
          for (const statement of BACKFILL) await db.execute(sql.raw(statement));
          expect(await dailyRollupDrift(db)).toEqual([]);
          await expectReasons(rs, periods);
        },
      ),
      { numRuns: 25 },
    );
  });

  async function expectReasons(rs: Rating[], periods: Array<{ from: Date; to: Date }>) {
    for (const period of periods)
      for (const unitId of [null, 'u-a']) {
        const want = recount(rs, unitId, period);
        expect(await frequentReasons(store.db, unitId, period, 100)).toEqual(want);
        expect(await frequentReasons(store.db, unitId, period)).toEqual(want.slice(0, 5));
      }
  }

  it('reads the roll-ups only, never the ratings', async () => {
    // With sequential scans priced out the plan names every relation it reads.
    const year = {
      from: new Date(DAY0 + 5 * HOUR_MS),
      to: new Date(DAY0 + 365 * 24 * HOUR_MS + 3 * HOUR_MS),
    };
    const plan = await planOf(store.db, async (explaining) => {
      await frequentReasons(explaining, 'u-a', year);
      await frequentReasons(explaining, null, year);
    });
    expect(plan).toContain('unit_daily_rollups');
    expect(plan).toContain('hourly_rollups');
    expect(plan).not.toMatch(/\bratings\b/);
  });
});
