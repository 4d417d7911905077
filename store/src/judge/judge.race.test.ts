import { and, eq } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { countsForOfficer } from '../counted.js';
import { saveOfficer } from '../roster.js';
import { hourlyRollups, ratings } from '../schema.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from '../testing.js';
import { liveCentre, ratingAt, sessionAt } from './testing.js';

const NINE = Date.UTC(2025, 8, 1, 2); // Monday 1 September 2025, 09:00 in Hanoi
const MIN = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Two ingest lanes storing events of two devices of ONE counter at the same time (PostgreSQL
 * only: PGlite has one connection, so nothing runs concurrently there). A late sign-out on one
 * device re-judges and recomputes the (unit, counter, hour) roll-ups while the other device's
 * fresh rating adds to the same rows: the unit's judging lock must serialise them, or the
 * recompute, reading `ratings` before the other transaction committed, overwrites its count.
 */
describe.skipIf(!STORE_BACKENDS.includes('postgres'))('two lanes judging one counter', () => {
  let store: TestStore;
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    store = await openTestStore('postgres');
  });
  afterAll(async () => {
    vi.useRealTimers();
    await store?.close();
  });

  it('a roll-up recompute never loses a rating counted concurrently by the other device', async () => {
    const centre = liveCentre(store.db);
    const unitId = 'race-u';
    const d1 = { unitId, counterId: 'q1', deviceId: 'race-d1' };
    const d2 = { unitId, counterId: 'q1', deviceId: 'race-d2' };
    await centre.provision(d1);
    await centre.provision(d2);
    await saveOfficer(store.db, { unitId, officerId: 'cb-race', name: 'x', actor: 't' });
    await centre.receive(
      sessionAt(d1, NINE, 'signed_in', 'cb-race'),
      ratingAt(d1, NINE + MIN, { officerId: 'cb-race' }),
      ratingAt(d1, NINE + 4 * MIN, { officerId: 'cb-race' }),
    );
    await centre.receive(sessionAt(d2, NINE, 'signed_in', 'cb-race'));
    centre.advanceTo(NINE + 10 * MIN);

    // A third connection holds the counter's roll-up rows, so that both lanes are in flight at once.
    const holder = new pg.Client({ connectionString: store.url ?? '' });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query('select * from hourly_rollups where unit_id = $1 for update', [unitId]);
      const fresh = centre.receive(ratingAt(d2, NINE + 5 * MIN, { officerId: 'cb-race' }));
      await sleep(300);
      const lateSignOut = centre.receive(sessionAt(d1, NINE + 3 * MIN, 'signed_out', 'cb-race'));
      await sleep(300);
      await holder.query('commit');
      await Promise.all([fresh, lateSignOut]);
    } finally {
      await holder.end();
    }

    const rolled = await store.db
      .select()
      .from(hourlyRollups)
      .where(and(eq(hourlyRollups.unitId, unitId), eq(hourlyRollups.officerId, 'cb-race')));
    const counted = await store.db.$count(ratings, and(eq(ratings.unitId, unitId), countsForOfficer()));
    // d1's first rating (before the sign-out) and d2's rating count; d1's second does not.
    expect(counted).toBe(2);
    expect(rolled.reduce((n, r) => n + r.ratings, 0)).toBe(counted);
  });
});
