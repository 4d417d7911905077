import { newEventId } from '@onestop/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RatingCursor, ratingsPage } from './monthly-report.js';
import { ratings, units } from './schema.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

const T0 = new Date(Date.UTC(2026, 10, 12, 2, 0));
const period = { from: new Date(Date.UTC(2026, 10, 1)), to: new Date(Date.UTC(2026, 11, 1)) };

describe.each(STORE_BACKENDS)('raw ratings read page by page on %s', (backend) => {
  let store: TestStore;
  /** Seven ratings, three of them at the same instant: the cursor must break the tie by event ID. */
  const times = [0, 1, 1, 1, 2, 3, 4].map((m) => new Date(T0.getTime() + m * 60_000));
  const ids = times.map(() => newEventId());

  beforeAll(async () => {
    store = await openTestStore(backend);
    await store.db.insert(units).values({ id: 'tv', name: 'Trung Văn', province: 'Hà Nội' });
    await store.db.insert(ratings).values([
      ...times.map((at, i) => ({
        eventId: ids[i]!,
        unitId: 'tv',
        counterId: 'q01',
        deviceId: 'd1',
        scale: 'keypad3',
        level: 3,
        official: 'very_satisfied',
        score: 100,
        source: 'keypad',
        deviceTs: at,
        at,
      })),
      // Quarantined (no placed time), another unit, another month: never exported here.
      {
        eventId: newEventId(),
        unitId: 'tv',
        counterId: 'q01',
        deviceId: 'd1',
        scale: 'keypad3',
        level: 3,
        official: 'very_satisfied',
        score: 100,
        source: 'keypad',
        deviceTs: T0,
        at: null,
      },
      {
        eventId: newEventId(),
        unitId: 'ka',
        counterId: 'q01',
        deviceId: 'd2',
        scale: 'keypad3',
        level: 3,
        official: 'very_satisfied',
        score: 100,
        source: 'keypad',
        deviceTs: T0,
        at: T0,
      },
      {
        eventId: newEventId(),
        unitId: 'tv',
        counterId: 'q01',
        deviceId: 'd1',
        scale: 'keypad3',
        level: 3,
        official: 'very_satisfied',
        score: 100,
        source: 'keypad',
        deviceTs: period.to,
        at: period.to,
      },
    ]);
    // Stored instants carry microseconds (PostgreSQL keeps them, a JS Date does not): a cursor
    // rounded to the millisecond would read these again.
    await store.db.execute(sql`update ratings set at = at + interval '321 microseconds' where unit_id = 'tv'
      and at is not null and at >= ${T0.toISOString()}::timestamptz and at < ${period.to.toISOString()}::timestamptz`);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('returns every rating of the unit and period exactly once, oldest first, in pages of any size', async () => {
    const expected = times
      .map((at, i) => ({ at: at.getTime(), id: ids[i]! }))
      .sort((a, b) => a.at - b.at || a.id.localeCompare(b.id))
      .map((r) => r.id);
    for (const limit of [1, 2, 3, 7, 100]) {
      const seen: string[] = [];
      let after: RatingCursor | null = null;
      for (let guard = 0; guard < 20; guard++) {
        const page = await ratingsPage(store.db, { unitId: 'tv', period, after, limit });
        seen.push(...page.map((r) => r.eventId));
        const last = page.at(-1);
        if (page.length < limit || !last?.at) break;
        after = last.cursor;
      }
      expect(seen, `limit ${limit}`).toEqual(expected);
    }
  });
});
