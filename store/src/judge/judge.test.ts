import { newEventId } from '@onestop/protocol';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { recentAudit } from '../audit.js';
import type { IngestEvent } from '../ingest.js';
import { retireOfficer, saveOfficer } from '../roster.js';
import { events, expressionSummaries, hourlyRollups, ratings } from '../schema.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from '../testing.js';
import { judgePending } from './pending.js';
import { judgementByCounter, uncountedRatings } from './queries.js';
import { getUnitSettings, setUnitSettings } from './settings.js';
import {
  BOOTED,
  DELIVERY_MS,
  expressionAt,
  liveCentre,
  ratingAt,
  seatAt,
  sessionAt,
  visitAt,
  type Where,
} from './testing.js';

const NINE = Date.UTC(2025, 8, 1, 2); // Monday 1 September 2025, 09:00 in Hanoi
const MIN = 60_000;
let n = 0;
/** A fresh unit, counter, device and officers (IDs are global) per test, so tests share one database without meeting. */
function place(): Where & { a: string; b: string } {
  n++;
  return { unitId: `u${n}`, counterId: 'q1', deviceId: `d${n}`, a: `cb-a${n}`, b: `cb-b${n}` };
}

describe.each(STORE_BACKENDS)('the judge on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    // The centre's receive time is faked (testing.ts): the test days are in 2025.
    vi.useFakeTimers({ toFake: ['Date'] });
    store = await openTestStore(backend);
  });
  afterAll(async () => {
    vi.useRealTimers();
    await store?.close();
  });
  let centre: ReturnType<typeof liveCentre>;
  beforeEach(() => {
    centre = liveCentre(store.db);
  });

  /** A fresh place whose board is provisioned and booted (testing.ts). */
  async function counter(clock?: Where['clock']) {
    const w = { ...place(), ...(clock ? { clock } : {}) };
    await centre.provision(w);
    return w;
  }
  const roster = (unitId: string, officerId: string) =>
    saveOfficer(store.db, { unitId, officerId, name: officerId, actor: 'test' });
  const ingest = (...batch: IngestEvent[]) => centre.receive(...batch);
  async function verdict(e: IngestEvent) {
    const [r] = await store.db
      .select({ a: ratings.attribution, why: ratings.attributionReason, filter: ratings.filterReason })
      .from(ratings)
      .where(eq(ratings.eventId, e.payload.eventId));
    return r;
  }
  /** The unit's roll-up rating columns per officer row, summed over hours; zero rows left out. */
  async function rolled(unitId: string) {
    const rows = await store.db.select().from(hourlyRollups).where(eq(hourlyRollups.unitId, unitId));
    const out: Record<string, { ratings: number; unverified: number; filtered: number }> = {};
    for (const r of rows) {
      if (r.ratings + r.unverified + r.filtered === 0) continue;
      const o = out[r.officerId] ?? { ratings: 0, unverified: 0, filtered: 0 };
      out[r.officerId] = o;
      o.ratings += r.ratings;
      o.unverified += r.unverified;
      o.filtered += r.filtered;
    }
    return out;
  }

  describe('attribution', () => {
    it('verifies an officer of the unit signed in at the device, and counts the rating for them', async () => {
      const w = await counter();
      await roster(w.unitId, w.a);
      const r = ratingAt(w, NINE + MIN, { officerId: w.a });
      await ingest(sessionAt(w, NINE, 'signed_in', w.a), r);
      expect(await verdict(r)).toEqual({ a: 'verified', why: null, filter: null });
      expect(await rolled(w.unitId)).toEqual({ [w.a]: { ratings: 1, unverified: 0, filtered: 0 } });
    });

    it('no_officer: the device named nobody', async () => {
      const w = await counter();
      await roster(w.unitId, w.a);
      const r = ratingAt(w, NINE + MIN, { officerId: null });
      await ingest(sessionAt(w, NINE, 'signed_in', w.a), r);
      expect(await verdict(r)).toEqual({ a: 'unverified', why: 'no_officer', filter: null });
      expect(await rolled(w.unitId)).toEqual({ '': { ratings: 0, unverified: 1, filtered: 0 } });
    });

    it('unknown_officer: on no roster, even though the device signed them in', async () => {
      const w = await counter();
      const r = ratingAt(w, NINE + MIN, { officerId: 'ghost' });
      await ingest(sessionAt(w, NINE, 'signed_in', 'ghost'), r);
      expect(await verdict(r)).toMatchObject({ a: 'unverified', why: 'unknown_officer' });
      expect(await rolled(w.unitId)).toEqual({ '': { ratings: 0, unverified: 1, filtered: 0 } });
    });

    it('not_on_roster: an officer of another unit signed in here', async () => {
      const w = await counter();
      const elsewhere = place();
      await roster(elsewhere.unitId, `cb-x${n}`);
      const r = ratingAt(w, NINE + MIN, { officerId: `cb-x${n}` });
      await ingest(sessionAt(w, NINE, 'signed_in', `cb-x${n}`), r);
      expect(await verdict(r)).toMatchObject({ a: 'unverified', why: 'not_on_roster' });
      expect(await rolled(w.unitId)).toEqual({ '': { ratings: 0, unverified: 1, filtered: 0 } });
      // This unit's leaders see the ID the device sent, never the name of another unit's officer.
      const period = { from: new Date(NINE), to: new Date(NINE + 60 * MIN) };
      const [listed] = await uncountedRatings(store.db, { unitId: w.unitId, period, limit: 10 });
      expect(listed).toMatchObject({ officerId: `cb-x${n}`, officerName: null });
    });

    it('not_on_roster: retired before the rating, verified for what came before', async () => {
      const w = await counter();
      const officer = `cb-r${n}`;
      await roster(w.unitId, officer);
      const before = ratingAt(w, NINE + 10 * MIN, { officerId: officer });
      await ingest(sessionAt(w, NINE, 'signed_in', officer), before);
      // A leader retires the officer at 09:20; the device still names them a second later.
      centre.advanceTo(NINE + 20 * MIN);
      await retireOfficer(store.db, officer, 'test');
      const after = ratingAt(w, NINE + 20 * MIN + 1_000, { officerId: officer });
      await ingest(after);
      expect(await verdict(before)).toMatchObject({ a: 'verified' });
      expect(await verdict(after)).toMatchObject({ a: 'unverified', why: 'not_on_roster' });
    });

    it('after_sign_out: one second after the officer signed out', async () => {
      const w = await counter();
      await roster(w.unitId, w.a);
      const out = NINE + 30 * MIN;
      const inside = ratingAt(w, out - 1_000, { officerId: w.a });
      const late = ratingAt(w, out + 1_000, { officerId: w.a });
      await ingest(sessionAt(w, NINE, 'signed_in', w.a), inside, sessionAt(w, out, 'signed_out', w.a));
      await ingest(late);
      expect(await verdict(inside)).toMatchObject({ a: 'verified' });
      // Nobody is at the counter either, and that filter names it; the attribution still says why.
      expect(await verdict(late)).toEqual({
        a: 'unverified',
        why: 'after_sign_out',
        filter: 'nobody_at_counter',
      });
      expect(await rolled(w.unitId)).toEqual({
        [w.a]: { ratings: 1, unverified: 0, filtered: 0 },
        '': { ratings: 0, unverified: 0, filtered: 1 },
      });
    });

    it('not_signed_in: another officer holds the counter', async () => {
      const w = await counter();
      await roster(w.unitId, w.a);
      await roster(w.unitId, w.b);
      const r = ratingAt(w, NINE + MIN, { officerId: w.b });
      await ingest(sessionAt(w, NINE, 'signed_in', w.a), r);
      expect(await verdict(r)).toEqual({ a: 'unverified', why: 'not_signed_in', filter: null });
      expect(await rolled(w.unitId)).toEqual({ '': { ratings: 0, unverified: 1, filtered: 0 } });
    });

    it('re-verifies ratings when their sign-in arrives late, and moves them in the roll-ups', async () => {
      const w = await counter();
      await roster(w.unitId, w.a);
      // Three visits, each rated as it ends: not "nobody at the counter", whoever is signed in.
      const visits = [1, 2, 3].map((k) => visitAt(w, NINE + k * MIN - 40_000, NINE + k * MIN - 5_000));
      const rs = visits.map((v, k) =>
        ratingAt(w, NINE + (k + 1) * MIN, { officerId: w.a, visitId: v.visitId }),
      );
      await ingest(...visits.flatMap((v) => v.events), ...rs);
      for (const r of rs) expect(await verdict(r)).toMatchObject({ a: 'unverified', why: 'not_signed_in' });
      expect(await rolled(w.unitId)).toEqual({ '': { ratings: 0, unverified: 3, filtered: 0 } });
      // The outbox replays the sign-in (and a sign-out between the second and third rating).
      await ingest(sessionAt(w, NINE, 'signed_in', w.a), sessionAt(w, NINE + 150_000, 'signed_out', w.a));
      expect(await verdict(rs[0]!)).toEqual({ a: 'verified', why: null, filter: null });
      expect(await verdict(rs[1]!)).toEqual({ a: 'verified', why: null, filter: null });
      expect(await verdict(rs[2]!)).toMatchObject({ a: 'unverified', why: 'after_sign_out' });
      expect(await rolled(w.unitId)).toEqual({
        [w.a]: { ratings: 2, unverified: 0, filtered: 0 },
        '': { ratings: 0, unverified: 1, filtered: 0 },
      });
    });

    describe('signed_in_elsewhere: one officer at one counter at a time', () => {
      /** A second counter of the same unit, its board provisioned. */
      async function otherCounter(w: Where, counterId = 'q2') {
        const o = { unitId: w.unitId, counterId, deviceId: `${w.deviceId}-${counterId}` };
        await centre.provision(o);
        return o;
      }

      it('a later sign-in at another counter supersedes the session here', async () => {
        const w = await counter();
        const q2 = await otherCounter(w);
        await roster(w.unitId, w.a);
        const before = ratingAt(w, NINE + MIN, { officerId: w.a });
        const after = ratingAt(w, NINE + 3 * MIN, { officerId: w.a });
        const there = ratingAt(q2, NINE + 4 * MIN, { officerId: w.a });
        await ingest(sessionAt(w, NINE, 'signed_in', w.a), before);
        await ingest(sessionAt(q2, NINE + 2 * MIN, 'signed_in', w.a));
        await ingest(after, there);
        expect(await verdict(before)).toEqual({ a: 'verified', why: null, filter: null });
        expect(await verdict(after)).toEqual({ a: 'unverified', why: 'signed_in_elsewhere', filter: null });
        expect(await verdict(there)).toEqual({ a: 'verified', why: null, filter: null });
        expect(await rolled(w.unitId)).toEqual({
          [w.a]: { ratings: 2, unverified: 0, filtered: 0 },
          '': { ratings: 0, unverified: 1, filtered: 0 },
        });
        // Signing in here again counts here again, even though the session at q2 is still open.
        const back = ratingAt(w, NINE + 6 * MIN, { officerId: w.a });
        await ingest(sessionAt(w, NINE + 5 * MIN, 'signed_in', w.a), back);
        expect(await verdict(back)).toMatchObject({ a: 'verified' });
      });

      it('a late sign-in elsewhere re-judges the ratings already counted here', async () => {
        const w = await counter();
        const q2 = await otherCounter(w);
        await roster(w.unitId, w.a);
        const rs = [1, 3, 5].map((k) => ratingAt(w, NINE + k * MIN, { officerId: w.a }));
        await ingest(sessionAt(w, NINE, 'signed_in', w.a), ...rs);
        expect(await rolled(w.unitId)).toEqual({ [w.a]: { ratings: 3, unverified: 0, filtered: 0 } });
        // The board at q2 replays its sign-in of 09:02 (and a sign-out at 09:04) from its outbox.
        await ingest(
          sessionAt(q2, NINE + 2 * MIN, 'signed_in', w.a),
          sessionAt(q2, NINE + 4 * MIN, 'signed_out', w.a),
        );
        expect((await Promise.all(rs.map(verdict))).map((v) => v?.why)).toEqual([
          null,
          'signed_in_elsewhere',
          'signed_in_elsewhere',
        ]);
        expect(await rolled(w.unitId)).toEqual({
          [w.a]: { ratings: 1, unverified: 0, filtered: 0 },
          '': { ratings: 0, unverified: 2, filtered: 0 },
        });
      });

      it('two sign-ins at the same instant at two counters: neither is credited', async () => {
        const w = await counter();
        const q2 = await otherCounter(w);
        await roster(w.unitId, w.a);
        const here = ratingAt(w, NINE + MIN, { officerId: w.a });
        const there = ratingAt(q2, NINE + MIN, { officerId: w.a, level: 1 });
        await ingest(
          sessionAt(w, NINE, 'signed_in', w.a),
          sessionAt(q2, NINE, 'signed_in', w.a),
          here,
          there,
        );
        expect(await verdict(here)).toMatchObject({ a: 'unverified', why: 'signed_in_elsewhere' });
        expect(await verdict(there)).toMatchObject({ a: 'unverified', why: 'signed_in_elsewhere' });
      });

      it('a second board of the same counter, or a device of another unit, is not elsewhere', async () => {
        const w = await counter();
        const twin = { unitId: w.unitId, counterId: w.counterId, deviceId: `${w.deviceId}-twin` };
        await centre.provision(twin);
        const foreign = await counter();
        await roster(w.unitId, w.a);
        const r = ratingAt(w, NINE + 3 * MIN, { officerId: w.a });
        await ingest(
          sessionAt(w, NINE, 'signed_in', w.a),
          sessionAt(twin, NINE + MIN, 'signed_in', w.a),
          sessionAt(foreign, NINE + 2 * MIN, 'signed_in', w.a),
          r,
        );
        expect(await verdict(r)).toEqual({ a: 'verified', why: null, filter: null });
      });
    });

    it('a sign-out arriving before its sign-in still ends the session', async () => {
      const w = await counter();
      await roster(w.unitId, w.a);
      const visit = newEventId();
      const after = ratingAt(w, NINE + 20 * MIN, { officerId: w.a, visitId: visit });
      await ingest(sessionAt(w, NINE + 10 * MIN, 'signed_out', w.a));
      await ingest(sessionAt(w, NINE, 'signed_in', w.a));
      await ingest(after);
      expect(await verdict(after)).toMatchObject({ a: 'unverified', why: 'after_sign_out' });
    });
  });

  it('credits camera summaries only to an officer verified as ratings are, else to nobody', async () => {
    const w = await counter();
    const q2 = { unitId: w.unitId, counterId: 'q2', deviceId: `${w.deviceId}-q2` };
    await centre.provision(q2);
    const foreign = place();
    await roster(w.unitId, w.a);
    await roster(foreign.unitId, foreign.a);
    await ingest(sessionAt(w, NINE, 'signed_in', w.a));
    await ingest(expressionAt(w, NINE + MIN, w.a, 0.8)); // verified
    await ingest(expressionAt(w, NINE + 2 * MIN, foreign.a, 0.1)); // another unit's officer
    await ingest(expressionAt(w, NINE + 3 * MIN, w.b, 0.1)); // on no roster, never signed in
    await ingest(sessionAt(q2, NINE + 4 * MIN, 'signed_in', w.a));
    await ingest(expressionAt(w, NINE + 5 * MIN, w.a, 0.1)); // signed in elsewhere since
    const rows = await store.db.select().from(hourlyRollups).where(eq(hourlyRollups.unitId, w.unitId));
    const byOfficer = Object.fromEntries(
      rows.filter((r) => r.expressions > 0).map((r) => [r.officerId, [r.expressions, r.expressionIndexSum]]),
    );
    expect(byOfficer).toEqual({ [w.a]: [1, expect.closeTo(0.8, 5)], '': [3, expect.closeTo(0.3, 5)] });
    const stored = await store.db
      .select({ officerId: expressionSummaries.officerId })
      .from(expressionSummaries)
      .where(eq(expressionSummaries.unitId, w.unitId));
    expect(stored.map((r) => r.officerId).sort()).toEqual([w.a, null, null, null]);
  });

  it('late presence re-judges only the ratings its changed intervals decide', async () => {
    const w = await counter();
    await roster(w.unitId, w.a);
    await roster(w.unitId, w.b);
    const later = ratingAt(w, NINE + 90 * MIN, { officerId: w.a });
    await ingest(sessionAt(w, NINE, 'signed_in', w.a), sessionAt(w, NINE + 10 * MIN, 'signed_out', w.a));
    await ingest(sessionAt(w, NINE + 60 * MIN, 'signed_in', w.a), later);
    expect(await verdict(later)).toEqual({ a: 'verified', why: null, filter: null });
    // The leader shortens the day afterwards: stored verdicts stand until something re-judges them.
    centre.advanceTo(NINE + 120 * MIN);
    await setUnitSettings(store.db, {
      unitId: w.unitId,
      settings: { openingHours: { mon: { open: '06:00', close: '10:15' } } },
      actor: 'leader',
    });
    // B's short session at 09:20 arrives late: it decides ratings until A's sign-in at 10:00 only.
    const between = ratingAt(w, NINE + 22 * MIN, { officerId: w.b });
    await ingest(
      sessionAt(w, NINE + 20 * MIN, 'signed_in', w.b),
      sessionAt(w, NINE + 25 * MIN, 'signed_out', w.b),
      between,
    );
    expect(await verdict(between)).toEqual({ a: 'verified', why: null, filter: null });
    expect(await verdict(later)).toEqual({ a: 'verified', why: null, filter: null });
  });

  describe('filters', () => {
    it('outside_hours: before the default 06:00, and on a day the unit closes', async () => {
      const w = await counter();
      await roster(w.unitId, w.a);
      const early = NINE - 3 * 60 * MIN - 1_000; // 05:59:59
      const r = ratingAt(w, early + 500, { officerId: w.a });
      const onTime = ratingAt(w, NINE - 3 * 60 * MIN + 20_000, { officerId: w.a }); // 06:00:20
      await ingest(sessionAt(w, early, 'signed_in', w.a), r, onTime);
      expect(await verdict(r)).toEqual({ a: 'verified', why: null, filter: 'outside_hours' });
      expect(await verdict(onTime)).toEqual({ a: 'verified', why: null, filter: null });

      await setUnitSettings(store.db, {
        unitId: w.unitId,
        settings: { openingHours: { mon: null } },
        actor: 't',
      });
      const closedDay = ratingAt(w, NINE + 7 * 24 * 60 * MIN, { officerId: w.a }); // next Monday
      await ingest(closedDay);
      expect(await verdict(closedDay)).toMatchObject({ a: 'verified', filter: 'outside_hours' });
      expect(await rolled(w.unitId)).toEqual({
        [w.a]: { ratings: 1, unverified: 0, filtered: 0 },
        '': { ratings: 0, unverified: 0, filtered: 2 },
      });
    });

    it('nobody_at_counter: no session, no occupied seat, no visit', async () => {
      const w = await counter();
      const alone = ratingAt(w, NINE);
      const seated = ratingAt(w, NINE + 10 * MIN);
      const visit = visitAt(w, NINE + 25 * MIN, NINE + 29 * MIN);
      const inVisit = ratingAt(w, NINE + 30 * MIN, { visitId: visit.visitId });
      // A visit ID the centre never received, and one whose rating prompt closed long before.
      const unknownVisit = ratingAt(w, NINE + 40 * MIN, { visitId: newEventId() });
      const longAfter = ratingAt(w, NINE + 50 * MIN, { visitId: visit.visitId });
      await ingest(alone, seatAt(w, NINE + 5 * MIN, 'occupied'), seated, seatAt(w, NINE + 15 * MIN, 'empty'));
      await ingest(...visit.events, inVisit, unknownVisit, longAfter);
      expect(await verdict(alone)).toEqual({
        a: 'unverified',
        why: 'no_officer',
        filter: 'nobody_at_counter',
      });
      expect(await verdict(seated)).toEqual({ a: 'unverified', why: 'no_officer', filter: null });
      expect(await verdict(inVisit)).toEqual({ a: 'unverified', why: 'no_officer', filter: null });
      expect(await verdict(unknownVisit)).toMatchObject({ filter: 'nobody_at_counter' });
      expect(await verdict(longAfter)).toMatchObject({ filter: 'nobody_at_counter' });
    });

    it('repeat_in_visit: one visit, one counted rating, whichever arrives first', async () => {
      const w = await counter();
      await roster(w.unitId, w.a);
      const visit = visitAt(w, NINE + MIN, NINE + 3 * MIN, w.a);
      // The press after the first, 11 s apart: past the rapid-repeat window, still the same visit.
      const presses = Array.from({ length: 5 }, (_, k) =>
        ratingAt(w, NINE + 3 * MIN + k * 11_000, { officerId: w.a, level: 1, visitId: visit.visitId }),
      );
      await ingest(sessionAt(w, NINE, 'signed_in', w.a), ...visit.events, ...presses.slice(1));
      await ingest(presses[0]!); // the first press arrives last (outbox replay)
      const filters = await Promise.all(presses.map(async (r) => (await verdict(r))?.filter));
      expect(filters).toEqual([null, ...Array(4).fill('repeat_in_visit')]);
      expect(await rolled(w.unitId)).toEqual({
        [w.a]: { ratings: 1, unverified: 0, filtered: 0 },
        '': { ratings: 0, unverified: 0, filtered: 4 },
      });
      // A visit ID the centre never saw, pressed 40 times 11 s apart: still one counted.
      const unseen = newEventId();
      const many = Array.from({ length: 40 }, (_, k) =>
        ratingAt(w, NINE + 20 * MIN + k * 11_000, { officerId: w.a, level: 1, visitId: unseen }),
      );
      await ingest(...many);
      expect((await rolled(w.unitId))[w.a]?.ratings).toBe(2);
    });

    it('a visit arriving late decides whether its rating was in a visit', async () => {
      const w = await counter();
      const visit = visitAt(w, NINE + MIN, NINE + 2 * MIN);
      const r = ratingAt(w, NINE + 2 * MIN + 10_000, { visitId: visit.visitId });
      await ingest(r);
      expect(await verdict(r)).toMatchObject({ filter: 'nobody_at_counter' });
      await ingest(...visit.events);
      expect(await verdict(r)).toEqual({ a: 'unverified', why: 'no_officer', filter: null });
      expect(await rolled(w.unitId)).toEqual({ '': { ratings: 0, unverified: 1, filtered: 0 } });
    });

    it('rapid_repeat: a press within 10 s of an earlier one, whichever arrives first', async () => {
      const w = await counter();
      await roster(w.unitId, w.a);
      await ingest(sessionAt(w, NINE, 'signed_in', w.a));
      const first = ratingAt(w, NINE + MIN, { officerId: w.a, level: 1 });
      const repeat = ratingAt(w, NINE + MIN + 9_999, { officerId: w.a, level: 1 });
      const apart = ratingAt(w, NINE + MIN + 20_000, { officerId: w.a, level: 1 });
      await ingest(repeat, apart);
      expect(await verdict(repeat)).toMatchObject({ a: 'verified', filter: null });
      expect(await rolled(w.unitId)).toEqual({ [w.a]: { ratings: 2, unverified: 0, filtered: 0 } });
      // The earlier press arrives last (outbox replay): the repeat becomes filtered, moved exactly.
      await ingest(first);
      expect(await verdict(first)).toEqual({ a: 'verified', why: null, filter: null });
      expect(await verdict(repeat)).toEqual({ a: 'verified', why: null, filter: 'rapid_repeat' });
      expect(await verdict(apart)).toEqual({ a: 'verified', why: null, filter: null });
      expect(await rolled(w.unitId)).toEqual({
        [w.a]: { ratings: 2, unverified: 0, filtered: 0 },
        '': { ratings: 0, unverified: 0, filtered: 1 },
      });
      const [row] = await store.db
        .select()
        .from(hourlyRollups)
        .where(and(eq(hourlyRollups.unitId, w.unitId), eq(hourlyRollups.officerId, w.a)));
      expect(row).toMatchObject({ unsatisfied: 2, scoreSum: 0, levels: { 'keypad4:1': 2 } });
    });

    it('burst_without_visit: the presses beyond 10 in 10 minutes with no visit', async () => {
      const w = await counter();
      await roster(w.unitId, w.a);
      const noVisit = Array.from({ length: 12 }, (_, k) =>
        ratingAt(w, NINE + MIN + k * 30_000, { officerId: w.a }),
      );
      const visit = visitAt(w, NINE + MIN + 11 * 30_000, NINE + MIN + 12 * 30_000 - 1_000);
      const withVisit = ratingAt(w, NINE + MIN + 12 * 30_000, { officerId: w.a, visitId: visit.visitId });
      await ingest(sessionAt(w, NINE, 'signed_in', w.a), ...noVisit.slice(0, 6));
      await ingest(...noVisit.slice(6), ...visit.events, withVisit);
      const filters = await Promise.all(noVisit.map(async (r) => (await verdict(r))?.filter));
      expect(filters).toEqual([...Array(10).fill(null), 'burst_without_visit', 'burst_without_visit']);
      expect(await verdict(withVisit)).toMatchObject({ a: 'verified', filter: null });
      expect(await rolled(w.unitId)).toEqual({
        [w.a]: { ratings: 11, unverified: 0, filtered: 0 },
        '': { ratings: 0, unverified: 0, filtered: 2 },
      });
    });

    it('takes the thresholds from the unit settings', async () => {
      const w = await counter();
      await roster(w.unitId, w.a);
      await setUnitSettings(store.db, {
        unitId: w.unitId,
        settings: { rapidRepeat: { windowSeconds: 0 }, burst: { maxPresses: 2, windowMinutes: 1 } },
        actor: 't',
      });
      const rs = [0, 1, 2, 70].map((s) => ratingAt(w, NINE + MIN + s * 1_000, { officerId: w.a }));
      await ingest(sessionAt(w, NINE, 'signed_in', w.a), ...rs);
      const filters = await Promise.all(rs.map(async (r) => (await verdict(r))?.filter));
      expect(filters).toEqual([null, null, 'burst_without_visit', null]);
    });
  });

  describe('on the time the centre placed, never the device clock', () => {
    const HOUR = 60 * MIN;
    it.each<[string, (t: number) => number]>([
      // 09:01 in Hanoi reads 23:01: outside the default hours if the device clock were believed.
      ['14 hours ahead', (t) => t + 14 * HOUR],
      ['at 1970 (no RTC after a power cut)', (t) => t - BOOTED],
      ['at 2020, before the device was provisioned (a stale RTC)', (t) => Date.UTC(2020, 0, 1) + t - BOOTED],
    ])('a board whose clock is %s: sign-in and ratings re-based alike, in any batches', async (_, clock) => {
      const w = await counter(clock);
      await roster(w.unitId, w.a);
      const first = ratingAt(w, NINE + MIN, { officerId: w.a });
      const repeat = ratingAt(w, NINE + MIN + 5_000, { officerId: w.a });
      const late = ratingAt(w, NINE + 30 * MIN + 1_000, { officerId: w.a });
      await ingest(sessionAt(w, NINE, 'signed_in', w.a));
      await ingest(first, repeat);
      await ingest(sessionAt(w, NINE + 30 * MIN, 'signed_out', w.a), late);
      // The boot is known to within its delivery delay: every event is placed that much late.
      for (const r of [first, repeat, late]) {
        const [row] = await store.db
          .select({ at: ratings.at, deviceTs: ratings.deviceTs })
          .from(ratings)
          .where(eq(ratings.eventId, r.payload.eventId));
        expect(row?.at?.getTime()).toBe(BOOTED + r.payload.mono + DELIVERY_MS);
        expect(row?.deviceTs.getTime()).toBe(r.payload.ts);
      }
      expect(await verdict(first)).toEqual({ a: 'verified', why: null, filter: null });
      expect(await verdict(repeat)).toEqual({ a: 'verified', why: null, filter: 'rapid_repeat' });
      expect(await verdict(late)).toEqual({
        a: 'unverified',
        why: 'after_sign_out',
        filter: 'nobody_at_counter',
      });
      const hours = await store.db.select().from(hourlyRollups).where(eq(hourlyRollups.unitId, w.unitId));
      expect(
        hours.filter((h) => h.ratings + h.unverified + h.filtered > 0).map((h) => h.hour.getTime()),
      ).toEqual([NINE, NINE]);
      expect(await rolled(w.unitId)).toEqual({
        [w.a]: { ratings: 1, unverified: 0, filtered: 0 },
        '': { ratings: 0, unverified: 0, filtered: 2 },
      });
    });
  });

  it('leaves quarantined ratings unjudged and out of the roll-ups, and shows them per counter', async () => {
    const w = await counter();
    await roster(w.unitId, w.a);
    const counted = ratingAt(w, NINE + MIN, { officerId: w.a, visitId: newEventId() });
    // A rating its board kept from a boot before this device was provisioned (numbered before
    // everything the running boot sent), never seen live: its time cannot be placed.
    const kept = ratingAt(w, NINE + MIN, { officerId: w.a, visitId: newEventId() });
    const unplaceable = {
      ...kept,
      payload: { ...kept.payload, bootId: newEventId(), seq: 0, ts: BOOTED - 60 * 86_400_000, mono: 60_000 },
    };
    await ingest(sessionAt(w, NINE, 'signed_in', w.a));
    // In one batch with a rating that counts: the batch is stored whole.
    const result = await ingest(unplaceable, counted);
    expect(result.inserted).toHaveLength(2);
    const [row] = await store.db.select().from(events).where(eq(events.eventId, kept.payload.eventId));
    expect(row).toMatchObject({ at: null, timeSource: 'quarantined' });
    expect(await verdict(unplaceable)).toEqual({ a: 'pending', why: null, filter: null });
    expect(await verdict(counted)).toEqual({ a: 'verified', why: null, filter: null });
    expect(await rolled(w.unitId)).toEqual({ [w.a]: { ratings: 1, unverified: 0, filtered: 0 } });
    // Quarantined ratings are shown by when they were received (the database's clock, not faked).
    const period = { from: new Date(0), to: new Date(Date.UTC(2100, 0, 1)) };
    expect(await judgementByCounter(store.db, { unitId: w.unitId, period })).toEqual([
      { counterId: 'q1', counted: 1, unverified: 0, filtered: 0, quarantined: 1 },
    ]);
    // Judging what is pending at start-up leaves it pending: it has no time to be judged at.
    await judgePending(store.db);
    expect(await verdict(unplaceable)).toEqual({ a: 'pending', why: null, filter: null });
  });

  it('answers leaders per counter and lists what counts for nobody, with reasons', async () => {
    const w = await counter();
    const q2 = { ...w, counterId: 'q2', deviceId: `${w.deviceId}b` };
    await centre.provision(q2);
    await roster(w.unitId, w.a);
    const counted = ratingAt(w, NINE + MIN, { officerId: w.a });
    const repeat = ratingAt(w, NINE + MIN + 1_000, { officerId: w.a });
    const visit = visitAt(q2, NINE + MIN, NINE + 2 * MIN - 5_000);
    const stranger = ratingAt(q2, NINE + 2 * MIN, { officerId: w.a, visitId: visit.visitId });
    await ingest(sessionAt(w, NINE, 'signed_in', w.a), ...visit.events, counted, repeat, stranger);
    const period = { from: new Date(NINE - 60 * MIN), to: new Date(NINE + 60 * MIN) };
    expect(await judgementByCounter(store.db, { unitId: w.unitId, period })).toEqual([
      { counterId: 'q1', counted: 1, unverified: 0, filtered: 1, quarantined: 0 },
      { counterId: 'q2', counted: 0, unverified: 1, filtered: 0, quarantined: 0 },
    ]);
    const list = await uncountedRatings(store.db, { unitId: w.unitId, period, limit: 10 });
    expect(list.map((r) => [r.eventId, r.counterId, r.attributionReason, r.filterReason])).toEqual([
      [stranger.payload.eventId, 'q2', 'not_signed_in', null],
      [repeat.payload.eventId, 'q1', null, 'rapid_repeat'],
    ]);
    expect(list[0]).toMatchObject({ officerId: w.a, officerName: w.a, at: new Date(NINE + 2 * MIN) });
    const q1Only = await uncountedRatings(store.db, { unitId: w.unitId, counterId: 'q1', period, limit: 10 });
    expect(q1Only.map((r) => r.eventId)).toEqual([repeat.payload.eventId]);
    expect(await uncountedRatings(store.db, { unitId: w.unitId, period, limit: 1 })).toHaveLength(1);
  });

  it('judges once, when the store opens, what an older version stored unjudged', async () => {
    const w = await counter();
    await roster(w.unitId, w.a);
    const ok = ratingAt(w, NINE + MIN, { officerId: w.a });
    const stranger = ratingAt(w, NINE + 2 * MIN, { officerId: 'cb-z', visitId: newEventId() });
    await ingest(sessionAt(w, NINE, 'signed_in', w.a), ok, stranger);
    // As before migration 0008: both pending, both counted for whoever the device named.
    const ids = [ok.payload.eventId, stranger.payload.eventId];
    await store.db
      .update(ratings)
      .set({ attribution: 'pending', attributionReason: null, filterReason: null })
      .where(inArray(ratings.eventId, ids));
    await store.db.delete(hourlyRollups).where(eq(hourlyRollups.unitId, w.unitId));
    await store.db.insert(hourlyRollups).values([
      { unitId: w.unitId, counterId: 'q1', officerId: w.a, hour: new Date(NINE), ratings: 1, scoreSum: 100 },
      {
        unitId: w.unitId,
        counterId: 'q1',
        officerId: 'cb-z',
        hour: new Date(NINE),
        ratings: 1,
        scoreSum: 100,
      },
    ]);
    expect(await judgePending(store.db)).toBe(2);
    expect(await judgePending(store.db)).toBe(0);
    expect(await verdict(ok)).toEqual({ a: 'verified', why: null, filter: null });
    expect(await verdict(stranger)).toMatchObject({ a: 'unverified', why: 'unknown_officer' });
    expect(await rolled(w.unitId)).toEqual({
      [w.a]: { ratings: 1, unverified: 0, filtered: 0 },
      '': { ratings: 0, unverified: 1, filtered: 0 },
    });
  });

  it('reads defaults, stores validated settings with an audit entry, refuses bad ones', async () => {
    const w = place();
    expect(await getUnitSettings(store.db, w.unitId)).toMatchObject({
      version: 2,
      openingHours: { mon: { open: '06:00', close: '22:00' }, sun: { open: '06:00', close: '22:00' } },
      rapidRepeat: { windowSeconds: 10 },
      burst: { maxPresses: 10, windowMinutes: 10 },
    });
    await setUnitSettings(store.db, {
      unitId: w.unitId,
      settings: { openingHours: { sat: { open: '07:30', close: '11:30' }, sun: null } },
      actor: 'leader',
    });
    const s = await getUnitSettings(store.db, w.unitId);
    expect(s.openingHours).toMatchObject({ sat: { open: '07:30', close: '11:30' }, sun: null });
    expect(s.openingHours.fri).toEqual({ open: '06:00', close: '22:00' });
    // (PGlite's clock is the faked one: other tests' entries may look newer, so look for this unit's.)
    const entries = await recentAudit(store.db, 1_000, 'unit.settings');
    expect(entries.filter((e) => e.target === w.unitId)).toMatchObject([{ actor: 'leader' }]);
    await expect(
      setUnitSettings(store.db, {
        unitId: w.unitId,
        settings: { openingHours: { mon: { open: '18:00', close: '08:00' } } },
        actor: 'x',
      }),
    ).rejects.toThrow(/openingHours\.mon: close must be after open/);
    await expect(
      setUnitSettings(store.db, { unitId: w.unitId, settings: { burst: { maxPresses: 0 } }, actor: 'x' }),
    ).rejects.toThrow(/burst\.maxPresses/);
    await expect(
      setUnitSettings(store.db, { unitId: w.unitId, settings: { version: 9 }, actor: 'x' }),
    ).rejects.toThrow(/version/);
    expect((await getUnitSettings(store.db, w.unitId)).openingHours.sun).toBeNull();
  });
});
