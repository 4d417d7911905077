import { type SQL, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshDossierOutcomes } from './dossier-outcomes.js';
import { dossierSatisfactionOf } from './dossiers.js';
import { comments, ratings, visits } from './schema.js';
import { openTestStore, planOf, STORE_BACKENDS, type TestStore } from './testing.js';

const T = Date.UTC(2025, 8, 1, 2);
const H = 3_600_000;
const period = { from: new Date(T), to: new Date(T + 8 * H) };
const D = 24 * H;
/**
 * Whole ISO weeks (from dossier_weeks) between whole Vietnam days (from dossier_days) between
 * partial ones (from dossier_outcomes): Thursday 14 August 2025, 06:43 in Hanoi, to Saturday
 * 20 September, 14:09. Each `when` below falls in another whole week of it.
 */
const wide = { from: new Date(T - 18 * D - 17 * 60_000), to: new Date(T + 19 * D + 3 * H + 9 * 60_000) };
const UNITS = ['u-a', 'u-b'];
const OFFICERS = ['cb-a', 'cb-b'];
const DOSSIERS = ['D-1', 'D-2', 'D-3', 'D-4', 'D-5', 'D-6'];

const when = fc.constantFrom<'before' | 'inside' | 'after'>('before', 'inside', 'after');
const instant = (w: 'before' | 'inside' | 'after', minute: number) =>
  new Date({ before: T - 9 * D, inside: T + minute * 60_000, after: T + 9 * D }[w]);
const dossierIds = fc.uniqueArray(fc.constantFrom(...DOSSIERS), { maxLength: 3 });

const ratingArb = fc.record({
  unitId: fc.constantFrom(...UNITS),
  officerId: fc.constantFrom(...OFFICERS),
  unsatisfied: fc.boolean(),
  verified: fc.boolean(),
  filtered: fc.boolean(),
  placed: fc.option(when, { nil: null }),
  minute: fc.nat(400),
  dossierIds,
});
const visitArb = fc.record({ unitId: fc.constantFrom(...UNITS), when, minute: fc.nat(400), dossierIds });
const commentArb = fc.record({
  unitId: fc.constantFrom(...UNITS),
  dossierId: fc.option(fc.constantFrom(...DOSSIERS), { nil: null }),
  kind: fc.constantFrom<'complaint' | 'praise' | null>('complaint', 'praise', null),
});

type Of<A> = A extends fc.Arbitrary<infer T> ? T : never;
type Scenario = {
  ratings: Of<typeof ratingArb>[];
  visits: Of<typeof visitArb>[];
  comments: Of<typeof commentArb>[];
};

/**
 * The indicator recomputed from the generated rows, by another road than the SQL: a dossier counts
 * in the period holding its first counting rating or visit, and fails on any unsatisfied counting
 * rating or a complaint, whenever.
 */
function expected(
  s: Scenario,
  by: 'unit' | 'officer',
  counts: (first: 'before' | 'inside' | 'after') => boolean = (w) => w === 'inside',
) {
  // A unit's citizens rate it whoever the rating names; an officer is judged on credited ones.
  const counted = s.ratings.filter((r) => (by === 'unit' || r.verified) && !r.filtered && r.placed !== null);
  const order = { before: 0, inside: 1, after: 2 } as const;
  type When = keyof typeof order;
  const seen = new Map<
    string,
    { unitId: string; officerId: string | null; dossier: string; bad: boolean; first: When }
  >();
  const see = (unitId: string, officerId: string | null, dossier: string, bad: boolean, at: When) => {
    const key = JSON.stringify([unitId, officerId, dossier]);
    const e = seen.get(key) ?? { unitId, officerId, dossier, bad: false, first: at };
    e.bad ||= bad;
    if (order[at] < order[e.first]) e.first = at;
    seen.set(key, e);
  };
  for (const r of counted)
    for (const d of r.dossierIds)
      see(r.unitId, by === 'officer' ? r.officerId : null, d, r.unsatisfied, r.placed as When);
  if (by === 'unit')
    for (const v of s.visits) for (const d of v.dossierIds) see(v.unitId, null, d, false, v.when);
  const groups = new Map<
    string,
    { dossiers: number; ratedUnsatisfied: number; complainedAbout: number; satisfied: number }
  >();
  for (const e of [...seen.values()].filter((x) => counts(x.first))) {
    const key = JSON.stringify([e.unitId, e.officerId]);
    const g = groups.get(key) ?? { dossiers: 0, ratedUnsatisfied: 0, complainedAbout: 0, satisfied: 0 };
    const complained = s.comments.some(
      (c) => c.unitId === e.unitId && c.dossierId === e.dossier && c.kind === 'complaint',
    );
    g.dossiers += 1;
    if (e.bad) g.ratedUnsatisfied += 1;
    if (complained) g.complainedAbout += 1;
    if (!e.bad && !complained) g.satisfied += 1;
    groups.set(key, g);
  }
  return groups;
}

/** The figures of each unit or officer row, keyed as `expected` keys them. */
function countsByOwner(rows: Awaited<ReturnType<typeof dossierSatisfactionOf>>) {
  return new Map(
    rows.map((r) => [
      JSON.stringify([r.unitId, r.officerId]),
      {
        dossiers: r.dossiers,
        ratedUnsatisfied: r.ratedUnsatisfied,
        complainedAbout: r.complainedAbout,
        satisfied: r.satisfied,
      },
    ]),
  );
}

describe.each(STORE_BACKENDS)('the Decision 766 dossier indicator on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    // Plan tests below read the planner without statistics: no upkeep analyzing meanwhile.
    store = await openTestStore(backend, { upkeep: false });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('matches an independent count over random ratings, visits and comments', async () => {
    let n = 0;
    const uuid = () => `0193a0c2-5f00-7000-8000-${String(++n).padStart(12, '0')}`;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          ratings: fc.array(ratingArb, { maxLength: 25 }),
          visits: fc.array(visitArb, { maxLength: 8 }),
          comments: fc.array(commentArb, { maxLength: 6 }),
        }),
        async (s: Scenario) => {
          const db = store.db;
          await db.delete(ratings);
          await db.delete(visits);
          await db.delete(comments);
          if (s.ratings.length)
            await db.insert(ratings).values(
              s.ratings.map((r) => ({
                eventId: uuid(),
                unitId: r.unitId,
                counterId: 'q1',
                deviceId: 'd1',
                officerId: r.officerId,
                scale: 'keypad4',
                level: r.unsatisfied ? 1 : 3,
                official: r.unsatisfied ? 'unsatisfied' : 'satisfied',
                score: r.unsatisfied ? 0 : 50,
                source: 'keypad',
                dossierIds: r.dossierIds,
                deviceTs: new Date(T),
                at: r.placed === null ? null : instant(r.placed, r.minute),
                attribution: r.verified ? 'verified' : 'unverified',
                filterReason: r.filtered ? 'rapid_repeat' : null,
              })),
            );
          if (s.visits.length)
            await db.insert(visits).values(
              s.visits.map((v) => ({
                id: uuid(),
                unitId: v.unitId,
                counterId: 'q1',
                deviceId: 'd1',
                startedAt: instant(v.when, v.minute),
                dossierIds: v.dossierIds,
              })),
            );
          if (s.comments.length)
            await db.insert(comments).values(s.comments.map((c) => ({ ...c, body: 'góp ý' })));
          for (const by of ['unit', 'officer'] as const) {
            const rows = await dossierSatisfactionOf(db, { unitId: null, by }, period);
            expect(countsByOwner(rows)).toEqual(expected(s, by));
            for (const r of rows) expect(r.share.value).toBe(r.satisfied / r.dossiers);
            // One unit alone gives that unit's rows.
            const one = await dossierSatisfactionOf(db, { unitId: 'u-a', by }, period);
            const order = (xs: typeof rows) =>
              [...xs].sort((a, b) => String(a.officerId).localeCompare(String(b.officerId)));
            expect(order(one)).toEqual(order(rows.filter((r) => r.unitId === 'u-a')));
            // Over whole days and partial edges, every dossier counts once.
            const long = await dossierSatisfactionOf(db, { unitId: null, by }, wide);
            expect(countsByOwner(long)).toEqual(expected(s, by, () => true));
          }
          // Kept change by change (rows deleted and inserted run after run), the outcomes equal a
          // derivation from scratch, and the days their counts.
          const outcomes = sql`select unit_id, officer_id, dossier_id, first_at, day, rated_unsatisfied, complained
            from dossier_outcomes order by 1, 2, 3`;
          const rowsOf = async (q: SQL) => ((await db.execute(q)) as unknown as { rows: unknown[] }).rows;
          const kept = await rowsOf(outcomes);
          await db.execute(sql`insert into dossier_outcome_dirty values ('*', '*')`);
          await refreshDossierOutcomes(db);
          expect(await rowsOf(outcomes)).toEqual(kept);
          const days =
            await rowsOf(sql`select unit_id, officer_id, day::text, dossiers, rated_unsatisfied, complained, failed
            from dossier_days order by 1, 2, 3`);
          const summed = await rowsOf(sql`select unit_id, officer_id, day::text, count(*)::int as dossiers,
              (count(*) filter (where rated_unsatisfied))::int as rated_unsatisfied,
              (count(*) filter (where complained))::int as complained,
              (count(*) filter (where rated_unsatisfied or complained))::int as failed
            from dossier_outcomes group by 1, 2, 3 order by 1, 2, 3`);
          expect(days).toEqual(summed);
          // And the weeks the days' sums.
          const weeks =
            await rowsOf(sql`select unit_id, officer_id, week::text, dossiers, rated_unsatisfied, complained, failed
            from dossier_weeks order by 1, 2, 3`);
          const perWeek = await rowsOf(sql`select unit_id, officer_id, iso_week_start(day)::text as week,
              sum(dossiers)::int as dossiers, sum(rated_unsatisfied)::int as rated_unsatisfied,
              sum(complained)::int as complained, sum(failed)::int as failed
            from dossier_days group by 1, 2, 3 order by 1, 2, 3`);
          expect(weeks).toEqual(perWeek);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('reads a period from the dossier days and the edges by time, never the raw rows', async () => {
    // With sequential scans priced out, the plan shows which indexes the query can use; a read
    // that went back to ratings, visits or comments (or scanned all outcomes) fails here.
    const plan = await planOf(store.db, async (explaining) => {
      await dossierSatisfactionOf(explaining, { unitId: null, by: 'unit' }, wide);
      await dossierSatisfactionOf(explaining, { unitId: 'u-a', by: 'officer' }, wide);
    });
    expect(plan).toContain('dossier_days_officer_day_idx');
    expect(plan).toMatch(/Index Scan using dossier_weeks_\w+ on dossier_weeks/);
    expect(plan).toContain('dossier_days_unit_id_officer_id_day_pk');
    expect(plan).toContain('dossier_outcomes_first');
    expect(plan).not.toMatch(/ratings|visits|comments|Seq Scan/);
  });

  it('counts an unverified Không hài lòng against the unit, not the officer; thanks lower nothing', async () => {
    const db = store.db;
    await db.delete(ratings);
    await db.delete(visits);
    await db.delete(comments);
    const rating = (eventId: string, dossier: string, over: Partial<typeof ratings.$inferInsert>) => ({
      eventId,
      unitId: 'u-a',
      counterId: 'q1',
      deviceId: 'd1',
      officerId: 'cb-a',
      scale: 'keypad4',
      level: 1,
      official: 'unsatisfied',
      score: 0,
      source: 'keypad',
      dossierIds: [dossier],
      deviceTs: new Date(T + H),
      at: new Date(T + H),
      attribution: 'verified',
      ...over,
    });
    await db.insert(ratings).values([
      // Named an officer who was not signed in: still a citizen unhappy with dossier D-1.
      rating('0193a0c2-5f00-7000-8000-00000000a001', 'D-1', {
        attribution: 'unverified',
        attributionReason: 'not_signed_in',
      }),
      // Caught by a misuse filter, or not placed in time: not a rating of anyone.
      rating('0193a0c2-5f00-7000-8000-00000000a002', 'D-2', { filterReason: 'rapid_repeat' }),
      rating('0193a0c2-5f00-7000-8000-00000000a003', 'D-3', { at: null }),
      rating('0193a0c2-5f00-7000-8000-00000000a004', 'D-4', { level: 3, official: 'satisfied', score: 50 }),
      rating('0193a0c2-5f00-7000-8000-00000000a005', 'D-5', { level: 3, official: 'satisfied', score: 50 }),
    ]);
    await db.insert(comments).values([
      { unitId: 'u-a', dossierId: 'D-4', kind: 'praise', body: 'Cảm ơn chị cán bộ rất nhiệt tình' },
      { unitId: 'u-a', dossierId: 'D-4', kind: null, body: 'Góp ý cũ, không đánh dấu' },
      { unitId: 'u-a', dossierId: 'D-5', kind: 'complaint', body: 'Phải đi lại ba lần' },
    ]);
    const [unit] = await dossierSatisfactionOf(db, { unitId: 'u-a', by: 'unit' }, period);
    expect(unit).toMatchObject({ dossiers: 3, ratedUnsatisfied: 1, complainedAbout: 1, satisfied: 1 });
    const officer = await dossierSatisfactionOf(db, { unitId: 'u-a', by: 'officer' }, period);
    expect(officer).toMatchObject([
      { officerId: 'cb-a', dossiers: 2, ratedUnsatisfied: 0, complainedAbout: 1, satisfied: 1 },
    ]);
  });
});
