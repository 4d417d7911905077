import { expressionIndex, satisfactionIndex, satisfiedShare } from '@onestop/evaluation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compareUnits,
  counterSummaries,
  deviceDetail,
  findUnit,
  listUnits,
  officerRecord,
  officerSummaries,
  presenceIntervalsOf,
  recentRatings,
  unitDevices,
  unsatisfiedRatings,
} from './reports.js';
import {
  comments,
  devices,
  hourlyRollups,
  officers,
  presenceIntervals,
  ratings,
  units,
  visits,
} from './schema.js';
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
    // Placed and verified: counted, unless a test says otherwise.
    at: at(T + n * 60_000),
    attribution: 'verified',
    serverTs: at(T + n * 60_000 + 500),
    ...over,
  };
}

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
        // Camera estimates 0.6 and 0.8 (each 0–1).
        expressions: 2,
        expressionIndexSum: 1.4,
        expressionIndexSqSum: 1.0,
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
      rollup({
        officerId: 'cb-z',
        visits: 2,
        unratedVisits: 2,
        expressions: 1,
        expressionIndexSum: 0.55,
        expressionIndexSqSum: 0.3025,
      }),
      // cb-a's time in another unit: not in u-a's reports nor in their own record.
      rollup({ unitId: 'u-b', ratings: 2, verySatisfied: 2, scoreSum: 200, levels: { 'keypad4:4': 2 } }),
    ]);
    const unsatisfied = { level: 1, official: 'unsatisfied', score: 0 } as const;
    await db.insert(ratings).values([
      rating(1, { dossierIds: ['D-A'] }),
      rating(2, { ...unsatisfied, reasons: ['slow'], dossierIds: ['D-1'] }),
      rating(3, { level: 3, official: 'satisfied', score: 50, dossierIds: ['D-B', 'D-C'] }),
      rating(4, { ...unsatisfied, unitId: 'u-b' }),
      // Outside the period, before and at its end.
      rating(-5, unsatisfied),
      rating(120, unsatisfied),
      rating(5, { ...unsatisfied, officerId: 'cb-b' }),
      // Stored but not counted for any officer: unverified, filtered, quarantined.
      rating(-10, {
        ...unsatisfied,
        at: at(T + 10 * 60_000),
        attribution: 'unverified',
        dossierIds: ['D-X'],
      }),
      rating(-11, {
        ...unsatisfied,
        at: at(T + 11 * 60_000),
        filterReason: 'rapid_repeat',
        dossierIds: ['D-X'],
      }),
      rating(-12, { ...unsatisfied, at: null, dossierIds: ['D-X'] }),
      // The device clock says before the period; the placed time, which counts, is inside it.
      rating(-13, { ...unsatisfied, at: at(T + 13 * 60_000), dossierIds: ['D-13'] }),
      // And the other way round: claimed inside, placed before.
      rating(-14, { ...unsatisfied, deviceTs: at(T + 14 * 60_000), at: at(T - H), dossierIds: ['D-Y'] }),
    ]);
    const visit = (n: number, startedAt: Date, dossierIds: string[]) => ({
      id: uuid(200 + n),
      unitId: 'u-a',
      counterId: 'q1',
      deviceId: 'd1',
      startedAt,
      dossierIds,
    });
    await db
      .insert(visits)
      .values([visit(1, at(T + 20 * 60_000), ['D-A', 'D-V']), visit(2, at(T - H), ['D-OLD'])]);
    await db.insert(comments).values([
      { unitId: 'u-a', dossierId: 'D-B', kind: 'complaint', body: 'Phải đi lại ba lần' },
      // Another unit's comment on a dossier with the same ID: not this unit's complaint.
      { unitId: 'u-b', dossierId: 'D-C', kind: 'complaint', body: 'Chậm' },
      // Thanks, or a comment nobody marked: no complaint.
      { unitId: 'u-a', dossierId: 'D-A', kind: 'praise', body: 'Cảm ơn cán bộ' },
      { unitId: 'u-a', dossierId: 'D-C', kind: null, body: 'Cán bộ nhiệt tình' },
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

  it('sums an officer over the period only, with official counts and figures, ordered by ratings', async () => {
    const s = await officerSummaries(store.db, 'u-a', period);
    expect(s.map((x) => x.officerId)).toEqual(['cb-b', 'cb-a', null, 'cb-z']);
    const a = s.find((x) => x.officerId === 'cb-a')!;
    const official = { verySatisfied: 2, satisfied: 1, unsatisfied: 1 };
    expect(a).toMatchObject({
      officerName: 'Nguyễn Văn A',
      ratings: 4,
      official,
      levels: { 'keypad4:4': 2, 'keypad4:3': 1, 'keypad4:1': 1 },
    });
    // (2 × 100 + 1 × 50) / 4, exact; four ratings are too few for a verdict.
    expect(a.index).toEqual(satisfactionIndex.compute(official));
    expect(a.index).toMatchObject({ value: 62.5, n: 4, state: 'too_few' });
    expect(a.satisfiedShare).toEqual(satisfiedShare.compute(official));
    expect(a.satisfiedShare.value).toBe(0.75);
    expect(a.verySatisfiedShare.value).toBe(0.5);
    // The camera on 0–100: estimates 0.6 and 0.8 give 70.
    expect(a.expression).toEqual(expressionIndex.compute({ samples: 2, sum: 1.4, sqSum: 1.0 }));
    expect(a.expression.value).toBeCloseTo(70, 10);
    const nobody = s.find((x) => x.officerId === null)!;
    expect(nobody).toMatchObject({
      officerName: null,
      ratings: 1,
      satisfiedShare: { value: 0 },
      index: { value: 0 },
    });
    // No ratings: no share and no index, rather than a 0 % that would read as all unsatisfied.
    const z = s.find((x) => x.officerId === 'cb-z')!;
    expect(z).toMatchObject({ ratings: 0, levels: {}, satisfiedShare: { value: null, state: 'no_data' } });
    expect(z.index.value).toBeNull();
    expect(z.expression).toMatchObject({ n: 1, low: null, high: null });
    expect(z.expression.value).toBeCloseTo(55, 10);
  });

  it('gives each officer the Decision 766 indicator over the dossiers of their counted ratings', async () => {
    const s = await officerSummaries(store.db, 'u-a', period);
    // D-A, D-C fine; D-B named by a comment; D-1 and D-13 rated unsatisfied. D-X only on
    // ratings that count for nobody.
    expect(s.find((x) => x.officerId === 'cb-a')!.dossierSatisfaction).toMatchObject({
      dossiers: 5,
      ratedUnsatisfied: 2,
      complainedAbout: 1,
      overdue: 0,
      satisfied: 2,
      overdueSource: 'none',
      share: { value: 2 / 5, n: 5, state: 'too_few' },
    });
    expect(s.find((x) => x.officerId === 'cb-b')!.dossierSatisfaction).toMatchObject({ dossiers: 0 });
  });

  it('takes overdue dossiers from the source that feeds them', async () => {
    const overdue = {
      name: 'test-dossier-system',
      overdue: async () => [
        { unitId: 'u-a', dossierId: 'D-C' },
        { unitId: 'u-b', dossierId: 'D-A' },
      ],
    };
    const [a] = (await compareUnits(store.db, period, { overdue })).filter((u) => u.unitId === 'u-a');
    expect(a!.dossierSatisfaction).toMatchObject({
      overdue: 1,
      satisfied: 2,
      overdueSource: 'test-dossier-system',
    });
  });

  it('sums each counter of a unit', async () => {
    const c = await counterSummaries(store.db, 'u-a', period);
    expect(c.map((x) => [x.counterId, x.ratings, x.visits])).toEqual([
      ['q1', 9, 6],
      ['q2', 1, 1],
    ]);
    expect(c[0]!.official).toEqual({ verySatisfied: 1, satisfied: 6, unsatisfied: 2 });
    expect(c[1]!.index.value).toBe(100);
  });

  it('breaks ties between officers by their ID', async () => {
    const tie = { from: at(T + 2 * H), to: at(T + 3 * H) };
    await store.db
      .insert(hourlyRollups)
      .values([
        rollup({ unitId: 'u-c', officerId: 'cb-b', hour: at(T + 2 * H), ratings: 1, verySatisfied: 1 }),
        rollup({ unitId: 'u-c', officerId: 'cb-a', hour: at(T + 2 * H), ratings: 1, verySatisfied: 1 }),
      ]);
    expect((await officerSummaries(store.db, 'u-c', tie)).map((x) => x.officerId)).toEqual(['cb-a', 'cb-b']);
  });

  it('compares every unit, with no figures where nothing was rated', async () => {
    const c = await compareUnits(store.db, period);
    expect(c.map((u) => u.unitId)).toEqual(['u-a', 'u-b', 'u-c']);
    const [a, b, cc] = c;
    expect(a).toMatchObject({
      unitName: 'Phường A',
      province: 'Hà Nội',
      ratings: 10,
      official: { verySatisfied: 2, satisfied: 6, unsatisfied: 2 },
      visits: 7,
      unratedVisits: 3,
      satisfiedShare: { value: 0.8 },
      verySatisfiedShare: { value: 0.2 },
      index: { value: 50 },
    });
    expect(a!.expression.n).toBe(3);
    expect(a!.expression.value).toBeCloseTo(65, 10);
    // The unit's dossiers add those of its visits (D-V); a visit before the period does not. Its
    // citizens' unverified Không hài lòng on D-X counts against the unit (not the filtered or
    // quarantined ones); D-Y, first rated before the period, counts in that earlier period.
    expect(a!.dossierSatisfaction).toMatchObject({
      dossiers: 7,
      ratedUnsatisfied: 3,
      complainedAbout: 1,
      satisfied: 3,
    });
    expect(b).toMatchObject({ ratings: 2, satisfiedShare: { value: 1 }, verySatisfiedShare: { value: 1 } });
    expect(b!.index.value).toBe(100);
    expect(cc).toMatchObject({ ratings: 0, visits: 0, unratedVisits: 0 });
    for (const f of [
      cc!.satisfiedShare,
      cc!.verySatisfiedShare,
      cc!.index,
      cc!.expression,
      cc!.dossierSatisfaction.share,
    ])
      expect(f).toEqual({ value: null, low: null, high: null, n: 0, state: 'no_data' });
  });

  it("compares one unit alone as it stands among every unit (a ward's report)", async () => {
    const wide = { from: at(T - 48 * H), to: at(T + 48 * H) };
    for (const p of [period, wide]) {
      const city = await compareUnits(store.db, p);
      for (const unitId of ['u-a', 'u-b', 'u-c']) {
        const one = await compareUnits(store.db, p, { unitId });
        expect(one).toEqual(city.filter((u) => u.unitId === unitId));
      }
    }
    expect(await compareUnits(store.db, period, { unitId: 'u-none' })).toEqual([]);
  });

  it('lists the latest ratings newest first, for one unit or all, with the officer name', async () => {
    const unitA = await recentRatings(store.db, { unitId: 'u-a', limit: 3 });
    expect(unitA.map((r) => r.eventId)).toEqual([rid(120), rid(5), rid(3)]);
    expect(unitA[1]).toMatchObject({ officerName: 'Trần Thị B', level: 1, official: 'unsatisfied' });
    expect(unitA[1]).toMatchObject({ attribution: 'verified', counted: true, filterReason: null });
    const all = await recentRatings(store.db, { limit: 100 });
    expect(all).toHaveLength(12);
    // The verdict travels with each row; an officer of another unit is never named.
    const byId = new Map(all.map((r) => [r.eventId, r]));
    expect(byId.get(rid(-10))).toMatchObject({ attribution: 'unverified', counted: false });
    expect(byId.get(rid(-11))).toMatchObject({ filterReason: 'rapid_repeat', counted: false });
    expect(byId.get(rid(-12))).toMatchObject({ at: null, counted: false });
    expect(byId.get(rid(4))).toMatchObject({ unitId: 'u-b', officerId: 'cb-a', officerName: null });
    expect(all.map((r) => r.unitId)).toContain('u-b');
    const since = await recentRatings(store.db, { limit: 100, storedSince: at(T + 4 * 60_000 + 500) });
    expect(since.map((r) => r.eventId).sort()).toEqual([rid(4), rid(5), rid(120)].sort());
  });

  it('lists the unsatisfied ratings of a unit in the period with their reasons and dossiers', async () => {
    // Counted ratings only, by placed time.
    const u = await unsatisfiedRatings(store.db, 'u-a', period);
    expect(u.map((r) => r.eventId)).toEqual([rid(-13), rid(5), rid(2)]);
    expect(u[2]).toMatchObject({ reasons: ['slow'], dossierIds: ['D-1'], officerName: 'Nguyễn Văn A' });
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
    expect(r?.byHour.map((h) => [h.hour, h.ratings, h.official])).toEqual([
      [9, 3, { verySatisfied: 1, satisfied: 1, unsatisfied: 1 }],
      [10, 1, { verySatisfied: 1, satisfied: 0, unsatisfied: 0 }],
    ]);
    expect(r?.byHour[0]?.satisfiedShare).toMatchObject({ value: 2 / 3, state: 'too_few' });
    expect(r?.latest.map((x) => x.eventId)).toEqual([rid(-13), rid(3), rid(2), rid(1)]);
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
