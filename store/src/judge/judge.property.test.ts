import { RATING_AFTER_VISIT_MS, VISIT_MAX_MS, VISIT_REACH_MS } from '@onestop/evaluation';
import {
  DAY_MS,
  HOUR_MS,
  newEventId,
  officialLevel,
  ratingIndex,
  VIETNAM_OFFSET_MS,
} from '@onestop/protocol';
import { eq, inArray } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { IngestEvent } from '../ingest.js';
import { hourlyRollups, officers, presenceIntervals, ratings } from '../schema.js';
import { dailyRollupDrift, openTestStore, STORE_BACKENDS, type TestStore } from '../testing.js';
import { setUnitSettings } from './settings.js';
import {
  BOOTED,
  DELIVERY_MS,
  happenedAt,
  liveCentre,
  ratingAt,
  seatAt,
  sessionAt,
  visitAt,
} from './testing.js';

/**
 * Random days at two counters of a unit: sign-ins and sign-outs of officers of the unit, of
 * another unit, retired or on no roster; seat occupancy; ratings naming any of them or nobody,
 * with or without a visit, clustered so that repeats and bursts happen; random thresholds; each
 * board's wall clock right or wrong (ahead, behind, 1970). Every event is delivered in random
 * order in random batches, some twice, each batch received a second after its latest event or
 * later (outbox replays; testing.ts). Then every verdict, every presence interval and every
 * roll-up row must equal what this file recomputes from the raw events alone, in plain
 * TypeScript, written from the rules' description (evaluation judgement.ts) and the placement's
 * (time/placement.ts).
 */

const DAY = Date.UTC(2025, 8, 1, -7); // Monday 1 September 2025, 00:00 in Hanoi
/**
 * Clusters 3 h apart from 05:30 to 23:30 (the first and last outside the default hours, so less
 * often), each 90 s wide in whole seconds: repeats, bursts and ties happen.
 */
const instant = fc
  .tuple(
    fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom(0, 6) },
      { weight: 8, arbitrary: fc.integer({ min: 1, max: 4 }) },
    ),
    fc.integer({ min: 0, max: 90 }),
  )
  .map(([k, s]) => DAY + 5.5 * HOUR_MS + k * 3 * HOUR_MS + s * 1000);
/** Mostly the unit's own two officers, whose ratings can be verified. */
const someone = (others: number[]) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(0, 1) },
    { weight: 1, arbitrary: fc.constantFrom(...others) },
  );

const presenceArb = fc.record({
  device: fc.integer({ min: 0, max: 1 }),
  kind: fc.oneof({ weight: 3, arbitrary: fc.constant('session' as const) }, fc.constant('seat' as const)),
  opening: fc.oneof({ weight: 2, arbitrary: fc.constant(true) }, fc.constant(false)),
  officer: someone([2, 3, 4]),
  at: instant,
});
/** A visit at a board, up to two minutes long, its end sometimes not sent (yet). */
const visitArb = fc.record({
  device: fc.integer({ min: 0, max: 1 }),
  at: instant,
  seconds: fc.integer({ min: 0, max: 120 }),
  ended: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, fc.constant(false)),
});
/** A rating's visit: none, one the centre never receives, or one of the generated visits (any board). */
const ratingVisitArb = fc.oneof(
  { weight: 2, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant('unseen' as const) },
  { weight: 3, arbitrary: fc.nat() },
);
const ratingArb = fc.record({
  device: fc.integer({ min: 0, max: 1 }),
  officer: someone([2, 3, 4, 5]),
  visit: ratingVisitArb,
  level: fc.integer({ min: 1, max: 4 }),
  at: instant,
});
const settingsArb = fc.record({
  windowSeconds: fc.constantFrom(0, 10, 60),
  maxPresses: fc.integer({ min: 1, max: 4 }),
  windowMinutes: fc.constantFrom(0, 2, 10),
  monday: fc.oneof(
    { weight: 1, arbitrary: fc.constant(null) },
    {
      weight: 6,
      arbitrary: fc.constantFrom({ open: '06:00', close: '22:00' }, { open: '08:00', close: '17:31' }),
    },
  ),
});
/** A board's wall clock at true instant t: right (NTP), or wrong enough to be re-based. */
const CLOCKS = {
  ntp: (t: number) => t,
  ahead14h: (t: number) => t + 14 * HOUR_MS,
  behind3days: (t: number) => t - 3 * DAY_MS,
  epoch: (t: number) => t - BOOTED,
} as const;
const clockArb = fc.oneof(
  { weight: 3, arbitrary: fc.constant('ntp' as const) },
  fc.constantFrom('ahead14h' as const, 'behind3days' as const, 'epoch' as const),
);
const scenarioArb = fc
  .record({
    presence: fc.array(presenceArb, { minLength: 2, maxLength: 16 }),
    ratings: fc.array(ratingArb, { minLength: 12, maxLength: 40 }),
    visits: fc.array(visitArb, { maxLength: 8 }),
    settings: settingsArb,
    clocks: fc.tuple(clockArb, clockArb),
  })
  .chain((s) => {
    // Events, as `check` lists them: each visit's start (and end), presence, ratings.
    const n = s.visits.reduce((k, v) => k + (v.ended ? 2 : 1), 0) + s.presence.length + s.ratings.length;
    const all = Array.from({ length: n }, (_, i) => i);
    return fc.record({
      scenario: fc.constant(s),
      order: fc.shuffledSubarray(all, { minLength: n, maxLength: n }),
      replays: fc.subarray(all, { maxLength: Math.min(6, n) }),
      cuts: fc.uniqueArray(fc.integer({ min: 1, max: n + 6 }), { maxLength: 6 }),
    });
  });

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

interface Raw {
  eventId: string;
  deviceId: string;
  seq: number;
  at: number;
}
type RawPresence = Raw & { counterId: string; kind: 'session' | 'seat'; opening: boolean; officerId: string };
type RawRating = Raw & {
  counterId: string;
  officerId: string | null;
  visitId: string | null;
  scale: 'keypad4';
  level: number;
};
interface RawVisit {
  visitId: string;
  deviceId: string;
  from: number;
  to: number | null;
}
interface Officer {
  unitId: string;
  retiredAt: number | null;
}
interface Rules {
  hours: Record<number, { open: number; close: number } | null>;
  rapidMs: number;
  burstMax: number;
  burstMs: number;
}

const byPosition = (a: Raw, b: Raw) => a.at - b.at || a.seq - b.seq || (a.eventId < b.eventId ? -1 : 1);
const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

/** Intervals per device and kind: each opening runs to the next opening or matching close. */
function intervals(presence: readonly RawPresence[]) {
  const out: Array<{
    deviceId: string;
    counterId: string;
    kind: string;
    officerId: string;
    from: number;
    to: number | null;
  }> = [];
  const groups = new Map<string, RawPresence[]>();
  for (const p of presence) {
    const k = `${p.deviceId}/${p.kind}`;
    groups.set(k, [...(groups.get(k) ?? []), p]);
  }
  for (const events of groups.values()) {
    events.sort(byPosition);
    events.forEach((o, i) => {
      if (!o.opening) return;
      const end = events
        .slice(i + 1)
        .find((f) => f.opening || o.kind === 'seat' || f.officerId === o.officerId);
      if (end && end.at === o.at) return; // empty: covers nothing, kept nowhere
      out.push({
        deviceId: o.deviceId,
        counterId: o.counterId,
        kind: o.kind,
        officerId: o.officerId,
        from: o.at,
        to: end ? end.at : null,
      });
    });
  }
  return out;
}

function verdicts(
  unitId: string,
  presence: readonly RawPresence[],
  visits: readonly RawVisit[],
  all: readonly RawRating[],
  roster: ReadonlyMap<string, Officer>,
  rules: Rules,
) {
  const spans = intervals(presence);
  const covers = (s: (typeof spans)[number], at: number) => s.from <= at && (s.to === null || at < s.to);
  const out = new Map<string, { a: string; why: string | null; filter: string | null }>();
  /** In a visit the centre stored on the rating's board, from its start to the prompt's close. */
  const inVisit = (r: RawRating) =>
    visits.some(
      (v) =>
        v.visitId === r.visitId &&
        v.deviceId === r.deviceId &&
        v.from <= r.at &&
        r.at <= Math.min(v.to ?? Number.POSITIVE_INFINITY, v.from + VISIT_MAX_MS) + RATING_AFTER_VISIT_MS,
    );
  for (const r of all) {
    const sessions = spans.filter((s) => s.deviceId === r.deviceId && s.kind === 'session');
    const officer = r.officerId === null ? undefined : roster.get(r.officerId);
    // An officer's sign-in at the other counter (every device here is of this unit) since `from`.
    const signedInElsewhereSince = (from: number) =>
      spans.some(
        (s) =>
          s.kind === 'session' &&
          s.officerId === r.officerId &&
          s.counterId !== r.counterId &&
          s.from >= from &&
          s.from <= r.at,
      );
    const mine = sessions.find((s) => s.officerId === r.officerId && covers(s, r.at));
    // The device's latest session begun at or before the rating (its sessions never overlap).
    const latestSession = sessions.filter((s) => s.from <= r.at).sort((a, b) => b.from - a.from)[0];
    let why: string | null;
    if (r.officerId === null) why = 'no_officer';
    else if (!officer) why = 'unknown_officer';
    else if (officer.unitId !== unitId || (officer.retiredAt !== null && officer.retiredAt <= r.at))
      why = 'not_on_roster';
    else if (mine) why = signedInElsewhereSince(mine.from) ? 'signed_in_elsewhere' : null;
    else if (latestSession?.officerId === r.officerId) why = 'after_sign_out';
    else why = 'not_signed_in';

    const local = r.at + VIETNAM_OFFSET_MS;
    const day = rules.hours[new Date(local).getUTCDay()];
    const second = (((local % DAY_MS) + DAY_MS) % DAY_MS) / 1000;
    const somebody = spans.some((s) => s.deviceId === r.deviceId && covers(s, r.at));
    const earlier = all.filter(
      (p) => p.deviceId === r.deviceId && (p.at < r.at || (p.at === r.at && p.eventId < r.eventId)),
    );
    const burst = all.filter(
      (p) => p.deviceId === r.deviceId && !inVisit(p) && p.at <= r.at && p.at > r.at - rules.burstMs,
    );
    let filter: string | null = null;
    if (!day || second < day.open * 60 || second >= day.close * 60) filter = 'outside_hours';
    else if (!inVisit(r) && !somebody) filter = 'nobody_at_counter';
    else if (earlier.some((p) => r.at - p.at < rules.rapidMs)) filter = 'rapid_repeat';
    else if (
      r.visitId !== null &&
      earlier.some((p) => p.visitId === r.visitId && r.at - p.at < VISIT_REACH_MS)
    )
      filter = 'repeat_in_visit';
    else if (!inVisit(r) && rules.burstMs > 0 && burst.length > rules.burstMax)
      filter = 'burst_without_visit';
    out.set(r.eventId, { a: why === null ? 'verified' : 'unverified', why, filter });
  }
  return out;
}

function rollups(
  unitId: string,
  all: readonly RawRating[],
  judged: ReadonlyMap<string, { a: string; filter: string | null }>,
) {
  const rows = new Map<string, Record<string, unknown> & { levels: Record<string, number> }>();
  for (const r of all) {
    const v = judged.get(r.eventId)!;
    const counts = v.a === 'verified' && v.filter === null;
    const hour = Math.floor(r.at / HOUR_MS) * HOUR_MS;
    const officerId = counts ? (r.officerId as string) : '';
    const key = `${r.counterId}|${officerId}|${hour}`;
    const row = rows.get(key) ?? {
      unitId,
      counterId: r.counterId,
      officerId,
      hour,
      ratings: 0,
      verySatisfied: 0,
      satisfied: 0,
      unsatisfied: 0,
      scoreSum: 0,
      unverified: 0,
      filtered: 0,
      levels: {},
    };
    rows.set(key, row);
    const add = (k: string, n = 1) => {
      row[k] = (row[k] as number) + n;
    };
    if (counts) {
      add('ratings');
      const official = officialLevel(r.scale, r.level);
      add(official === 'very_satisfied' ? 'verySatisfied' : official);
      add('scoreSum', ratingIndex(r.scale, r.level));
      const lk = `${r.scale}:${r.level}`;
      row.levels[lk] = (row.levels[lk] ?? 0) + 1;
    } else add(v.filter === null ? 'unverified' : 'filtered');
  }
  return [...rows.values()];
}

let run = 0;

/**
 * When the centre places an event (time/placement.ts): a right clock is believed; a wrong one is
 * replaced by the boot's anchor plus `mono`, and the anchor, learnt from the boot's first event
 * (received live, DELIVERY_MS after it happened), is that much late.
 */
const placedAt = (e: IngestEvent, clock: keyof typeof CLOCKS) =>
  clock === 'ntp' ? e.payload.ts : happenedAt(e) + DELIVERY_MS;

describe.each(STORE_BACKENDS)('judging random days on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    // The centre's receive time is faked (testing.ts): the days are in 2025.
    vi.useFakeTimers({ toFake: ['Date'] });
    store = await openTestStore(backend);
  });
  afterAll(async () => {
    vi.useRealTimers();
    await store?.close();
  });

  async function check({ scenario, order, replays, cuts }: Scenario) {
    run++;
    const unitId = `prop${run}`;
    const where = [0, 1].map((d) => ({
      unitId,
      counterId: `q${d}`,
      deviceId: `${unitId}-d${d}`,
      clock: CLOCKS[scenario.clocks[d]!],
    }));
    const clockOf = new Map(where.map((w, d) => [w.deviceId, scenario.clocks[d]!]));
    const centre = liveCentre(store.db);
    const booted = [];
    for (const w of where) booted.push(await centre.provision(w));
    // 0, 1: this unit; 2: another unit; 3: retired at 11:30; 4: on no roster; 5 (ratings): nobody.
    const officerIds = [0, 1, 2, 3, 4].map((o) => `${unitId}-o${o}`);
    const roster = new Map<string, Officer>([
      [officerIds[0]!, { unitId, retiredAt: null }],
      [officerIds[1]!, { unitId, retiredAt: null }],
      [officerIds[2]!, { unitId: `${unitId}-other`, retiredAt: null }],
      [officerIds[3]!, { unitId, retiredAt: DAY + 11.5 * HOUR_MS }],
    ]);
    await store.db.insert(officers).values(
      [...roster].map(([id, o]) => ({
        id,
        unitId: o.unitId,
        name: id,
        retiredAt: o.retiredAt === null ? null : new Date(o.retiredAt),
      })),
    );
    const s = scenario.settings;
    await setUnitSettings(store.db, {
      unitId,
      settings: {
        openingHours: { mon: s.monday },
        rapidRepeat: { windowSeconds: s.windowSeconds },
        burst: { maxPresses: s.maxPresses, windowMinutes: s.windowMinutes },
      },
      actor: 'property',
    });
    const rules: Rules = {
      // Every instant generated is on a Monday (getUTCDay 1 of the Vietnam wall clock).
      hours: { 1: s.monday && { open: minutes(s.monday.open), close: minutes(s.monday.close) } },
      rapidMs: s.windowSeconds * 1000,
      burstMax: s.maxPresses,
      burstMs: s.windowMinutes * 60_000,
    };

    const visits = scenario.visits.map((v) =>
      visitAt(where[v.device]!, v.at, v.ended ? v.at + v.seconds * 1000 : null),
    );
    const visitIdOf = (visit: (typeof scenario.ratings)[number]['visit']) =>
      visit === null
        ? null
        : visit === 'unseen' || visits.length === 0
          ? newEventId()
          : visits[visit % visits.length]!.visitId;
    const events: IngestEvent[] = [
      ...visits.flatMap((v) => v.events),
      ...scenario.presence.map((p) => {
        const w = where[p.device]!;
        if (p.kind === 'seat') return seatAt(w, p.at, p.opening ? 'occupied' : 'empty');
        return sessionAt(w, p.at, p.opening ? 'signed_in' : 'signed_out', officerIds[p.officer]!);
      }),
      ...scenario.ratings.map((r) =>
        ratingAt(where[r.device]!, r.at, {
          officerId: r.officer === 5 ? null : officerIds[r.officer]!,
          visitId: visitIdOf(r.visit),
          level: r.level,
        }),
      ),
    ];
    const arrivals = [...order, ...replays].map((i) => events[i]!);
    const bounds = [
      0,
      ...[...cuts].sort((a, b) => a - b).filter((c) => c < arrivals.length),
      arrivals.length,
    ];
    for (let b = 0; b + 1 < bounds.length; b++) {
      const batch = arrivals.slice(bounds[b], bounds[b + 1]);
      if (batch.length > 0) await centre.receive(...batch);
    }

    const at = (e: IngestEvent) => placedAt(e, clockOf.get(e.payload.deviceId)!);
    const rawPresence: RawPresence[] = [...booted, ...events].flatMap((e) =>
      e.type === 'presence'
        ? [
            {
              eventId: e.payload.eventId,
              deviceId: e.payload.deviceId,
              counterId: e.counterId,
              seq: e.payload.seq,
              at: at(e),
              kind: e.payload.kind,
              opening: e.payload.state === 'signed_in' || e.payload.state === 'occupied',
              officerId: e.payload.officerId ?? '',
            },
          ]
        : [],
    );
    const rawRatings: RawRating[] = events.flatMap((e) =>
      e.type === 'rating'
        ? [
            {
              eventId: e.payload.eventId,
              deviceId: e.payload.deviceId,
              counterId: e.counterId,
              seq: e.payload.seq,
              at: at(e),
              officerId: e.payload.officerId,
              visitId: e.payload.visitId,
              scale: 'keypad4' as const,
              level: e.payload.level,
            },
          ]
        : [],
    );

    // A visit's start as its start event was placed, its end as its end event was.
    const rawVisits: RawVisit[] = visits.map((v) => ({
      visitId: v.visitId,
      deviceId: v.events[0]!.payload.deviceId,
      from: at(v.events[0]!),
      to: v.events[1] ? at(v.events[1]) : null,
    }));
    const expected = verdicts(unitId, rawPresence, rawVisits, rawRatings, roster, rules);
    const stored = await store.db
      .select({
        id: ratings.eventId,
        a: ratings.attribution,
        why: ratings.attributionReason,
        filter: ratings.filterReason,
      })
      .from(ratings)
      .where(eq(ratings.unitId, unitId));
    expect(new Map(stored.map(({ id, ...v }) => [id, v]))).toEqual(expected);

    const spans = await store.db
      .select()
      .from(presenceIntervals)
      .where(
        inArray(
          presenceIntervals.deviceId,
          where.map((w) => w.deviceId),
        ),
      );
    const asKey = (i: {
      deviceId: string;
      kind: string;
      officerId: string;
      from: number;
      to: number | null;
    }) => `${i.deviceId} ${i.kind} ${i.officerId} ${i.from} ${i.to}`;
    expect(
      spans
        .map((i) => asKey({ ...i, from: i.startedAt.getTime(), to: i.endedAt ? i.endedAt.getTime() : null }))
        .sort(),
    ).toEqual(intervals(rawPresence).map(asKey).sort());

    const rolled = await store.db.select().from(hourlyRollups).where(eq(hourlyRollups.unitId, unitId));
    const nonZero = rolled
      .filter((r) => r.ratings + r.unverified + r.filtered > 0 || Object.keys(r.levels).length > 0)
      .map((r) => ({
        unitId: r.unitId,
        counterId: r.counterId,
        officerId: r.officerId,
        hour: r.hour.getTime(),
        ratings: r.ratings,
        verySatisfied: r.verySatisfied,
        satisfied: r.satisfied,
        unsatisfied: r.unsatisfied,
        scoreSum: r.scoreSum,
        unverified: r.unverified,
        filtered: r.filtered,
        levels: r.levels,
      }));
    const order2 = (x: { counterId: string; officerId: string; hour: number }) =>
      `${x.counterId}|${x.officerId}|${x.hour}`;
    const sortRows = <T extends { counterId: string; officerId: string; hour: number }>(xs: T[]) =>
      xs.sort((a, b) => order2(a).localeCompare(order2(b)));
    expect(sortRows(nonZero)).toEqual(sortRows(rollups(unitId, rawRatings, expected) as typeof nonZero));
    // The daily roll-ups (kept by a trigger) equal the hourly ones summed per Vietnam date after
    // every random delivery order, re-judgement and recomputation.
    expect(await dailyRollupDrift(store.db)).toEqual([]);
  }

  it('stores every verdict, interval and roll-up as recomputed from the raw events', async () => {
    await fc.assert(fc.asyncProperty(scenarioArb, check), { numRuns: 30 });
  }, 120_000);
});
