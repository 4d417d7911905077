import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareUnits,
  deviceDetail,
  expressionStats,
  findUnit,
  listUnits,
  officerRecord,
  officerSummaries,
  presenceIntervalsOf,
  recentRatings,
  unitDevices,
  unsatisfiedRatings,
} from './reports.js';
import { devices, hourlyRollups, officers, presenceIntervals, ratings, units } from './schema.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

/**
 * The report queries on hand-made roll-ups and ratings, edge by edge: the tests that mutation
 * testing (npm run mutation) showed missing. Rows are written directly so that what is checked
 * is the report, not the ingest that normally writes them.
 */
const H = 3_600_000;
const T = Date.UTC(2025, 8, 1, 2); // 09:00 in Hanoi, on the hour
const at = (ms: number) => new Date(ms);
/** The event ID of rating(n). */
const rid = (n: number) => uuid(n + 1000);
const period = { from: at(T), to: at(T + 2 * H) };
const uuid = (n: number) => `0193a0c2-5f00-7000-8000-${String(n).padStart(12, '0')}`;

function rollup(over: Partial<typeof hourlyRollups.$inferInsert>): typeof hourlyRollups.$inferInsert {
  return { unitId: 'u-a', counterId: 'q1', officerId: 'cb-a', hour: at(T), ...over };
}

function rating(n: number, over: Partial<typeof ratings.$inferInsert>): typeof ratings.$inferInsert {
  return {
    eventId: uuid(n + 1000),
    unitId: 'u-a',
    counterId: 'q1',
    deviceId: 'd1',
    officerId: 'cb-a',
    scale: 'keypad4',
    level: 4,
    official: 'very_satisfied',
    score: 100,
    source: 'keypad',
    deviceTs: at(T + n * 60_000),
    serverTs: at(T + n * 60_000 + 500),
    ...over,
  };
}

describe('expressionStats', () => {
  it('has no mean without samples and no interval from a single one', () => {
    expect(expressionStats(0, 0, 0)).toEqual({ samples: 0, mean: null, ci95: null });
    expect(expressionStats(1, 70, 4900)).toEqual({ samples: 1, mean: 70, ci95: null });
  });

  it('gives the mean and the half-width of the 95 % interval from sums', () => {
    // Samples 60 and 80: mean 70, sample variance 200, half-width 1.96 · √(200 / 2) = 19.6.
    const s = expressionStats(2, 140, 60 * 60 + 80 * 80);
    expect(s.samples).toBe(2);
    expect(s.mean).toBe(70);
    expect(s.ci95).toBeCloseTo(19.6, 10);
    // Three samples 60, 70, 80: variance 100 (divided by n − 1 = 2), half-width 1.96 · √(100 / 3).
    expect(expressionStats(3, 210, 14_900).ci95).toBeCloseTo(1.96 * Math.sqrt(100 / 3), 10);
    // Five samples of 33.3: no spread, and the rounding of the sums (here just below zero)
    // never turns into an interval of NaN.
    expect(expressionStats(5, 166.5, 5544.449999999999).ci95).toBe(0);
  });
});

describe.each(STORE_BACKENDS)('report queries on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend);
    const db = store.db;
    await db.insert(units).values([
      { id: 'u-a', name: 'Phường A', province: 'Hà Nội' },
      { id: 'u-b', name: 'Phường B', province: 'Hà Nội' },
      { id: 'u-c', name: 'Xã C', province: 'Phú Thọ' },
    ]);
    await db.insert(officers).values([
      { id: 'cb-a', unitId: 'u-a', name: 'Nguyễn Văn A' },
      { id: 'cb-b', unitId: 'u-a', name: 'Trần Thị B' },
      { id: 'cb-z', unitId: 'u-a', name: 'Lê Văn Z' },
    ]);
    await db.insert(hourlyRollups).values([
      // cb-a: two hours in the period, one just before it, one at its (excluded) end.
      rollup({
        ratings: 3,
        verySatisfied: 1,
        satisfied: 1,
        unsatisfied: 1,
        scoreSum: 167,
        levels: { 'keypad4:4': 1, 'keypad4:3': 1, 'keypad4:1': 1 },
        visits: 4,
        unratedVisits: 1,
        expressions: 2,
        expressionIndexSum: 140,
        expressionIndexSqSum: 10_000,
      }),
      rollup({
        counterId: 'q2',
        hour: at(T + H),
        ratings: 1,
        verySatisfied: 1,
        scoreSum: 100,
        levels: { 'keypad4:4': 1 },
        visits: 1,
      }),
      rollup({ hour: at(T - H), ratings: 50, unsatisfied: 50, levels: { 'keypad4:1': 50 } }),
      rollup({ hour: at(T + 2 * H), ratings: 70, unsatisfied: 70, levels: { 'keypad4:1': 70 } }),
      // cb-b: more ratings than cb-a, so listed first.
      rollup({
        officerId: 'cb-b',
        ratings: 5,
        satisfied: 5,
        scoreSum: 335,
        levels: { 'keypad4:3': 5 },
      }),
      // Nobody signed in: the empty officer.
      rollup({ officerId: '', ratings: 1, unsatisfied: 1, levels: { 'keypad4:1': 1 } }),
      // cb-z: only visits and camera samples, no rating.
      rollup({ officerId: 'cb-z', visits: 2, unratedVisits: 2, expressions: 1, expressionIndexSum: 55 }),
      // cb-a's time in another unit: not in u-a's reports nor in their own record.
      rollup({ unitId: 'u-b', ratings: 2, verySatisfied: 2, scoreSum: 200, levels: { 'keypad4:4': 2 } }),
    ]);
    await db.insert(ratings).values([
      rating(1, {}),
      rating(2, { level: 1, official: 'unsatisfied', score: 0, reasons: ['slow'], dossierIds: ['D-1'] }),
      rating(3, { level: 3, official: 'satisfied', score: 67 }),
      rating(4, { unitId: 'u-b', level: 1, official: 'unsatisfied', score: 0 }),
      // Outside the period, before and at its end.
      rating(-5, { level: 1, official: 'unsatisfied', score: 0 }),
      rating(120, { level: 1, official: 'unsatisfied', score: 0 }),
      rating(5, { officerId: 'cb-b', level: 1, official: 'unsatisfied', score: 0 }),
    ]);
    const interval = (n: number, over: Partial<typeof presenceIntervals.$inferInsert>) => ({
      unitId: 'u-a',
      counterId: 'q1',
      deviceId: 'd1',
      officerId: 'cb-a',
      kind: 'session',
      startedAt: at(T),
      endedAt: at(T + H),
      startEventId: uuid(100 + n),
      ...over,
    });
    await db.insert(presenceIntervals).values([
      interval(1, {}),
      interval(2, { counterId: 'q2', officerId: 'cb-b', endedAt: null }), // still signed in
      interval(3, { startedAt: at(T - 3 * H), endedAt: at(T - H) }), // ended before the period
      interval(4, { startedAt: at(T + 2 * H), endedAt: null }), // starts at the period's end
      interval(5, { startedAt: at(T - H), endedAt: at(T) }), // ends exactly at its start
      interval(6, { kind: 'seat' }), // not a session
      interval(7, { unitId: 'u-b' }),
    ]);
    await db.insert(devices).values([
      { id: 'd1', unitId: 'u-a', counterId: 'q1', username: 'dev-d1', passwordHash: 'scrypt$secret' },
      { id: 'd0', unitId: 'u-a', counterId: 'q0', username: 'dev-d0', passwordHash: 'scrypt$secret' },
      { id: 'd9', unitId: 'u-b', counterId: 'q1', username: 'dev-d9', passwordHash: 'scrypt$secret' },
    ]);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('sums an officer over the period only, derives shares, and orders by ratings', async () => {
    const s = await officerSummaries(store.db, 'u-a', period);
    expect(s.map((x) => x.officerId)).toEqual(['cb-b', 'cb-a', null, 'cb-z']);
    const a = s.find((x) => x.officerId === 'cb-a')!;
    expect(a).toMatchObject({
      officerName: 'Nguyễn Văn A',
      ratings: 4,
      unsatisfied: 1,
      levels: { 'keypad4:4': 2, 'keypad4:3': 1, 'keypad4:1': 1 },
      satisfiedShare: 0.75,
      meanScore: 267 / 4,
    });
    expect(a.expression.samples).toBe(2);
    expect(a.expression.mean).toBe(70);
    expect(a.expression.ci95).toBeCloseTo(19.6, 10);
    const nobody = s.find((x) => x.officerId === null)!;
    expect(nobody).toMatchObject({ officerName: null, ratings: 1, satisfiedShare: 0, meanScore: 0 });
    // No ratings: no share and no mean, rather than a 0 % that would read as all unsatisfied.
    const z = s.find((x) => x.officerId === 'cb-z')!;
    expect(z).toMatchObject({ ratings: 0, satisfiedShare: null, meanScore: null, levels: {} });
    expect(z.expression).toEqual({ samples: 1, mean: 55, ci95: null });
  });

  it('breaks ties between officers by their ID', async () => {
    const tie = { from: at(T + 2 * H), to: at(T + 3 * H) };
    await store.db
      .insert(hourlyRollups)
      .values([
        rollup({ unitId: 'u-c', officerId: 'cb-b', hour: at(T + 2 * H), ratings: 1, scoreSum: 100 }),
        rollup({ unitId: 'u-c', officerId: 'cb-a', hour: at(T + 2 * H), ratings: 1, scoreSum: 100 }),
      ]);
    expect((await officerSummaries(store.db, 'u-c', tie)).map((x) => x.officerId)).toEqual(['cb-a', 'cb-b']);
  });

  it('compares every unit, with null shares where nothing was rated', async () => {
    const c = await compareUnits(store.db, period);
    expect(c.map((u) => u.unitId)).toEqual(['u-a', 'u-b', 'u-c']);
    const [a, b, cc] = c;
    expect(a).toMatchObject({
      unitName: 'Phường A',
      province: 'Hà Nội',
      ratings: 10,
      visits: 7,
      unratedVisits: 3,
      satisfiedShare: 0.8,
      verySatisfiedShare: 0.2,
      meanScore: 602 / 10,
    });
    expect(a!.expression.samples).toBe(3);
    expect(a!.expression.mean).toBeCloseTo(65, 10);
    expect(b).toMatchObject({ ratings: 2, satisfiedShare: 1, verySatisfiedShare: 1, meanScore: 100 });
    expect(cc).toMatchObject({
      ratings: 0,
      satisfiedShare: null,
      verySatisfiedShare: null,
      meanScore: null,
      visits: 0,
      unratedVisits: 0,
      expression: { samples: 0, mean: null, ci95: null },
    });
  });

  it('lists the latest ratings newest first, for one unit or all, with the officer name', async () => {
    const unitA = await recentRatings(store.db, { unitId: 'u-a', limit: 3 });
    expect(unitA.map((r) => r.eventId)).toEqual([rid(120), rid(5), rid(3)]);
    expect(unitA[1]).toMatchObject({ officerName: 'Trần Thị B', level: 1, official: 'unsatisfied' });
    const all = await recentRatings(store.db, { limit: 100 });
    expect(all).toHaveLength(7);
    expect(all.map((r) => r.unitId)).toContain('u-b');
    const since = await recentRatings(store.db, { limit: 100, storedSince: at(T + 4 * 60_000 + 500) });
    expect(since.map((r) => r.eventId).sort()).toEqual([rid(4), rid(5), rid(120)].sort());
  });

  it('lists the unsatisfied ratings of a unit in the period with their reasons and dossiers', async () => {
    const u = await unsatisfiedRatings(store.db, 'u-a', period);
    expect(u.map((r) => r.eventId)).toEqual([rid(5), rid(2)]);
    expect(u[1]).toMatchObject({ reasons: ['slow'], dossierIds: ['D-1'], officerName: 'Nguyễn Văn A' });
    expect(await unsatisfiedRatings(store.db, 'u-a', period, 1)).toHaveLength(1);
  });

  it('gives the sessions that overlap the period, per counter, newest first', async () => {
    const p = await presenceIntervalsOf(store.db, 'u-a', period);
    expect(p.map((x) => [x.counterId, x.officerId, x.startedAt.getTime()])).toEqual([
      ['q1', 'cb-a', T],
      ['q1', 'cb-a', T - H],
      ['q2', 'cb-b', T],
    ]);
    expect(p[2]).toMatchObject({ officerName: 'Trần Thị B', endedAt: null });
  });

  it("gives an officer's own record in their current unit only", async () => {
    const r = await officerRecord(store.db, 'cb-a', period);
    expect(r?.officer).toMatchObject({ id: 'cb-a', unitId: 'u-a' });
    expect(r?.summary).toMatchObject({ officerId: 'cb-a', ratings: 4 });
    expect(r?.byHour).toEqual([
      { hour: 9, ratings: 3, unsatisfied: 1 },
      { hour: 10, ratings: 1, unsatisfied: 0 },
    ]);
    expect(r?.latest.map((x) => x.eventId)).toEqual([rid(3), rid(2), rid(1)]);
    expect(await officerRecord(store.db, 'nobody', period)).toBeNull();
    // An officer with no roll-ups in the period has a record without a summary.
    const empty = await officerRecord(store.db, 'cb-b', { from: at(T + 5 * H), to: at(T + 6 * H) });
    expect(empty).toMatchObject({ summary: null, byHour: [], latest: [] });
  });

  it('never shows a device password hash, and lists devices by unit and counter', async () => {
    const d = await deviceDetail(store.db, 'd1');
    expect(d).toMatchObject({ id: 'd1', counterId: 'q1' });
    expect(d).not.toHaveProperty('passwordHash');
    expect(await deviceDetail(store.db, 'nope')).toBeNull();
    expect((await unitDevices(store.db, 'u-a')).map((x) => x.deviceId)).toEqual(['d0', 'd1']);
    expect((await unitDevices(store.db, null)).map((x) => x.deviceId)).toEqual(['d0', 'd1', 'd9']);
    expect(await findUnit(store.db, 'u-c')).toMatchObject({ name: 'Xã C', province: 'Phú Thọ' });
    expect(await findUnit(store.db, 'nope')).toBeNull();
    expect((await listUnits(store.db)).map((u) => u.id)).toEqual(['u-a', 'u-b', 'u-c']);
  });
});
