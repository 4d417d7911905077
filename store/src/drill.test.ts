import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drillRatings, officerPresenceMs } from './drill.js';
import { comments, expressionSummaries, officers, presenceIntervals, ratings, units } from './schema.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

const T = Date.UTC(2025, 8, 1, 2);
const HOUR = 3_600_000;
const at = (minutes: number) => new Date(T + minutes * 60_000);
const PERIOD = { from: new Date(T), to: new Date(T + 10 * HOUR) };
const VISIT = randomUUID();

function rating(i: number, over: Partial<typeof ratings.$inferInsert> = {}) {
  return {
    eventId: randomUUID(),
    unitId: 'u-a',
    counterId: i % 2 === 0 ? 'q01' : 'q02',
    deviceId: 'd',
    officerId: 'cb-x',
    scale: 'keypad4',
    level: 4,
    official: 'very_satisfied',
    score: 100,
    source: 'keypad',
    deviceTs: at(i),
    at: at(i),
    attribution: 'verified',
    ...over,
  } satisfies typeof ratings.$inferInsert;
}

describe.each(STORE_BACKENDS)('drill-down to the ratings on %s', (backend) => {
  let store: TestStore;
  const rows = Array.from({ length: 7 }, (_, i) => rating(i));
  rows[6] = rating(6, { dossierIds: ['HS-1'], visitId: VISIT, reasons: ['slow'] });
  beforeAll(async () => {
    store = await openTestStore(backend);
    const { db } = store;
    await db.insert(units).values([
      { id: 'u-a', name: 'A' },
      { id: 'u-b', name: 'B' },
    ]);
    await db.insert(officers).values({ id: 'cb-x', unitId: 'u-a', name: 'Nguyễn Văn X' });
    await db.insert(ratings).values([
      ...rows,
      rating(3, { unitId: 'u-b' }), // another unit: never listed for u-a
      rating(3, { officerId: 'cb-y' }),
      rating(3, { at: new Date(T + 11 * HOUR) }), // after the period
    ]);
    await db.insert(comments).values([
      { unitId: 'u-a', dossierId: 'HS-1', kind: 'complaint', body: 'Chờ lâu' },
      { unitId: 'u-a', dossierId: 'HS-1', officerId: 'cb-y', kind: 'complaint', body: 'Về cán bộ khác' },
      { unitId: 'u-b', dossierId: 'HS-1', body: 'Ở đơn vị khác' },
    ]);
    await db.insert(expressionSummaries).values({
      eventId: randomUUID(),
      unitId: 'u-a',
      counterId: 'q01',
      deviceId: 'd',
      visitId: VISIT,
      startedAt: at(5),
      endedAt: at(6),
      frames: 10,
      exitFrames: 2,
      mean: {},
      exit: {},
      satisfactionIndex: 72.5,
      confidence: 0.8,
    });
    const session = (start: number, end: number | null, unitId = 'u-a') => ({
      unitId,
      counterId: 'q01',
      deviceId: 'd',
      officerId: 'cb-x',
      kind: 'session',
      startedAt: new Date(T + start * HOUR),
      endedAt: end === null ? null : new Date(T + end * HOUR),
      startEventId: randomUUID(),
    });
    await db.insert(presenceIntervals).values([
      session(-2, 1), // clipped to 1 h
      session(2, 4), // 2 h
      session(3, 5, 'u-b'), // another unit
      session(9, null), // open: to now (9.5 h)
      session(-30, -26), // long before
    ]);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('pages an officer’s ratings newest first with the total, reasons, comment and camera', async () => {
    const first = await drillRatings(store.db, {
      unitId: 'u-a',
      officerId: 'cb-x',
      period: PERIOD,
      limit: 4,
      offset: 0,
    });
    expect(first.total).toBe(7);
    expect(first.rows.map((r) => r.eventId)).toEqual(
      [...rows]
        .reverse()
        .slice(0, 4)
        .map((r) => r.eventId),
    );
    const top = first.rows[0]!;
    expect(top.officerName).toBe('Nguyễn Văn X');
    expect(top.reasons).toEqual(['slow']);
    expect(top.comments.map((c) => c.body)).toEqual(['Chờ lâu']);
    expect(top.camera).toEqual({ models: null, index: 72.5, confidence: expect.closeTo(0.8, 5) });
    expect(first.rows[1]!.camera).toBeNull();
    const second = await drillRatings(store.db, {
      unitId: 'u-a',
      officerId: 'cb-x',
      period: PERIOD,
      limit: 4,
      offset: 4,
    });
    expect(second.rows).toHaveLength(3);
  });

  it('lists one counter’s ratings, whoever was credited', async () => {
    const q01 = await drillRatings(store.db, {
      unitId: 'u-a',
      counterId: 'q01',
      period: PERIOD,
      limit: 50,
      offset: 0,
    });
    expect(q01.total).toBe(4);
    const q02 = await drillRatings(store.db, {
      unitId: 'u-a',
      counterId: 'q02',
      period: PERIOD,
      limit: 50,
      offset: 0,
    });
    // Three of cb-x and the one of cb-y at q02.
    expect(q02.total).toBe(4);
  });

  it('sums the officer’s sessions in the unit clipped to the period and to now', async () => {
    const ms = await officerPresenceMs(store.db, {
      officerId: 'cb-x',
      unitId: 'u-a',
      period: PERIOD,
      now: new Date(T + 9.5 * HOUR),
    });
    expect(ms).toBe(3.5 * HOUR);
  });
});
