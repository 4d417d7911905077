import {
  type BirthMessage,
  type Channel,
  decodeMessage,
  EXAMPLES,
  type ExpressionEvent,
  newEventId,
  type PresenceEvent,
  type RatingEvent,
  type VisitEvent,
  vietnamDate,
} from '@onestop/protocol';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type IngestEvent, ingestBatch } from '../ingest.js';
import { saveOfficer } from '../roster.js';
import {
  alerts,
  deviceBoots,
  devices,
  events,
  expressionSummaries,
  hourlyRollups,
  presenceIntervals,
  ratings,
  visits,
} from '../schema.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from '../testing.js';
import { quarantineCounts, quarantinedEvents } from './quarantine.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** The day of the story: 20 Nov 2026; `utc(h, m)` is that day's time in UTC (Hanoi is UTC+7). */
const utc = (h: number, m = 0, s = 0) => Date.UTC(2026, 10, 20, h, m, s);
const PROVISIONED = Date.UTC(2026, 10, 10);
const UNIT = 'trung-van';

/** Wall clocks of a board: right (NTP), 1970 (no RTC after a power cut), a stale 2020 RTC, 4 years ahead. */
const CLOCKS = {
  ntp: (t: number) => t,
  epoch: (_t: number, mono: number) => mono,
  stale2020: (_t: number, mono: number) => Date.UTC(2020, 0, 1) + mono,
  ahead: (t: number) => t + 4 * 365 * DAY + HOUR,
  behind3h: (t: number) => t - 3 * HOUR,
} as const;
type ClockKind = keyof typeof CLOCKS;

/**
 * A counter board as the agent runs it: `seq` never goes backwards across boots; each boot has its
 * id, its true start and its wall clock. Every payload goes through the protocol's decode, as at
 * the door: an odd clock must never be refused.
 */
class Board {
  private seq = 0;
  bootId = '';
  private bootedAt = 0;
  private clock: ClockKind = 'ntp';

  constructor(
    readonly deviceId: string,
    readonly counterId: string,
    /** Who signs in at it: one officer signed in at two counters at once is credited at neither. */
    readonly officerId = 'cb-lan',
  ) {}

  boot(at: number, clock: ClockKind): string {
    this.bootId = newEventId();
    this.bootedAt = at;
    this.clock = clock;
    return this.bootId;
  }

  private env(t: number) {
    const mono = t - this.bootedAt;
    return {
      v: 1 as const,
      eventId: newEventId(),
      deviceId: this.deviceId,
      bootId: this.bootId,
      seq: this.seq++,
      ts: CLOCKS[this.clock](t, mono),
      mono,
    };
  }

  /** The birth it publishes at instant `t` (a (re)connect); an older agent says no `mono`. */
  birthAt(t: number, withMono = true): BirthMessage {
    const { mono: _, ...birth } = { ...EXAMPLES.birth, deviceId: this.deviceId, bootId: this.bootId };
    return withMono ? { ...birth, mono: t - this.bootedAt } : birth;
  }

  /** A device-clock reading of instant `t` (for payload times such as a visit's start). */
  reads(t: number): number {
    return CLOCKS[this.clock](t, t - this.bootedAt);
  }

  private decoded<C extends Channel>(channel: C, type: IngestEvent['type'], payload: object): IngestEvent {
    const r = decodeMessage(
      { unitId: UNIT, counterId: this.counterId, deviceId: this.deviceId, channel },
      JSON.stringify(payload),
    );
    if (!r.ok) throw new Error(`refused at the door: ${r.reason}`);
    return { unitId: UNIT, counterId: this.counterId, type, payload: r.value } as IngestEvent;
  }

  rating(t: number): IngestEvent {
    const p: RatingEvent = {
      ...EXAMPLES['evt/rating'],
      ...this.env(t),
      officerId: this.officerId,
      visitId: null,
    };
    return this.decoded('evt/rating', 'rating', p);
  }

  visitEnd(startedAt: number, endedAt: number): IngestEvent {
    const p: VisitEvent = {
      ...this.env(endedAt),
      phase: 'end',
      visitId: newEventId(),
      officerId: 'cb-lan',
      ticket: 'A001',
      dossierIds: [],
      startedAt: this.reads(startedAt),
      endedAt: this.reads(endedAt),
      reason: 'rated',
      rated: true,
    };
    return this.decoded('evt/visit', 'visit', p);
  }

  expression(startedAt: number, endedAt: number): IngestEvent {
    const { mean, exit } = EXAMPLES['evt/expression'];
    const p: ExpressionEvent = {
      ...this.env(endedAt),
      visitId: null,
      officerId: 'cb-lan',
      startedAt: this.reads(startedAt),
      endedAt: this.reads(endedAt),
      frames: 10,
      exitFrames: 2,
      mean,
      exit,
      satisfactionIndex: 0.7,
      confidence: 0.5,
    };
    return this.decoded('evt/expression', 'expression', p);
  }

  signIn(t: number): IngestEvent {
    const p: PresenceEvent = {
      ...this.env(t),
      kind: 'session',
      state: 'signed_in',
      officerId: this.officerId,
      source: 'badge',
    };
    return this.decoded('evt/presence', 'presence', p);
  }
}

describe.each(STORE_BACKENDS)('placing device times at ingest on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    store = await openTestStore(backend);
  });
  afterAll(async () => {
    vi.useRealTimers();
    await store?.close();
  });

  let n = 0;
  /** A device provisioned on 10 Nov, on its own counter. */
  async function provision(provisionedAt = PROVISIONED, officerId?: string): Promise<Board> {
    const id = `q${++n}-board`;
    await store.db.insert(devices).values({
      id,
      unitId: UNIT,
      counterId: `q${n}`,
      username: `dev-${id}`,
      passwordHash: 'x',
      createdAt: new Date(provisionedAt),
    });
    return new Board(id, `q${n}`, officerId);
  }
  /** What the broker does with a birth message: the device's live boot. */
  const birth = (b: Board) =>
    store.db.update(devices).set({ bootId: b.bootId }).where(eq(devices.id, b.deviceId));
  const receive = (at: number, batch: IngestEvent[]) => {
    vi.setSystemTime(at);
    return ingestBatch(store.db, batch);
  };
  const placed = async (e: IngestEvent) => {
    const [row] = await store.db.select().from(events).where(eq(events.eventId, e.payload.eventId));
    return { at: row?.at?.getTime() ?? null, timeSource: row?.timeSource, deviceTs: row?.deviceTs.getTime() };
  };
  /**
   * Roll-up counts of a counter per hour: ratings (every one placed in the hour, whether the judge
   * credits it to an officer or not: cb-lan is on no roster here), visits, expressions.
   */
  const hours = async (b: Board) => {
    const perHour = new Map<string, number[]>();
    const rows = await store.db
      .select()
      .from(hourlyRollups)
      .where(eq(hourlyRollups.counterId, b.counterId))
      .orderBy(hourlyRollups.hour);
    for (const r of rows) {
      const hour = new Date(r.hour).toISOString();
      const sum = perHour.get(hour) ?? [0, 0, 0];
      perHour.set(hour, [
        (sum[0] ?? 0) + r.ratings + r.unverified + r.filtered,
        (sum[1] ?? 0) + r.visits,
        (sum[2] ?? 0) + r.expressions,
      ]);
    }
    return [...perHour].filter(([, c]) => c.some((x) => x > 0)).map(([hour, c]) => [hour, ...c]);
  };
  const openAlert = async (b: Board, kind: string) =>
    (
      await store.db
        .select()
        .from(alerts)
        .where(and(eq(alerts.deviceId, b.deviceId), eq(alerts.kind, kind), isNull(alerts.resolvedAt)))
    )[0]?.message ?? null;

  it.each<[ClockKind, string]>([
    ['epoch', 'chậm 56 năm'],
    ['stale2020', 'chậm 6 năm'],
  ])(
    're-bases a board reading %s after a power cut into the right hour, and alerts until NTP fixes it',
    async (clock, skew) => {
      const b = await provision();
      b.boot(utc(1), 'ntp');
      await birth(b);
      const before = b.rating(utc(2, 10));
      await receive(utc(2, 10, 1), [before]);
      expect(await placed(before)).toMatchObject({ at: utc(2, 10), timeSource: 'device' });

      // Power cut at 02:30; the board is back at 02:40 with a wrong clock.
      const bootB2 = utc(2, 40);
      b.boot(bootB2, clock);
      await birth(b);
      const rating = b.rating(utc(3, 5));
      const visit = b.visitEnd(utc(3, 4), utc(3, 6));
      const expression = b.expression(utc(3, 4), utc(3, 6));
      // Delivered a second after the last of them: the boot is placed to within that second.
      await receive(utc(3, 6, 1), [rating, visit, expression]);
      const r = await placed(rating);
      expect(r.timeSource).toBe('rebased');
      expect(r.deviceTs).toBe(b.reads(utc(3, 5)));
      expect((r.at ?? 0) - utc(3, 5)).toBeGreaterThanOrEqual(0);
      expect((r.at ?? 0) - utc(3, 5)).toBeLessThanOrEqual(1_000);
      const [v] = await store.db
        .select()
        .from(visits)
        .where(eq(visits.id, (visit.payload as VisitEvent).visitId));
      // The visit's own times are moved with its event.
      expect(v?.startedAt.getTime()).toBe(utc(3, 4, 1));
      expect(v?.endedAt?.getTime()).toBe(utc(3, 6, 1));
      const [x] = await store.db
        .select()
        .from(expressionSummaries)
        .where(eq(expressionSummaries.eventId, expression.payload.eventId));
      expect(x?.startedAt.getTime()).toBe(utc(3, 4, 1));
      const [boot] = await store.db.select().from(deviceBoots).where(eq(deviceBoots.bootId, b.bootId));
      expect(boot?.bootedAtMs).toBe(bootB2 + 1_000);

      // A rating of 02:50 that waited in the outbox, sent after a reconnect: placed by the anchor.
      const waited = b.rating(utc(2, 50));
      await receive(utc(3, 20), [waited]);
      expect(await placed(waited)).toMatchObject({ at: utc(2, 50, 1), timeSource: 'rebased' });

      expect(await hours(b)).toEqual([
        [new Date(utc(2)).toISOString(), 2, 0, 0],
        [new Date(utc(3)).toISOString(), 1, 1, 1],
      ]);
      expect(await openAlert(b, 'clock_skew')).toContain(skew);

      // NTP answers at 04:00: the next live event agrees with the boot and resolves the alert.
      b.boot(bootB2, 'ntp');
      const fixed = b.rating(utc(4));
      await receive(utc(4, 0, 1), [fixed]);
      expect(await placed(fixed)).toMatchObject({ at: utc(4), timeSource: 'device' });
      expect(await openAlert(b, 'clock_skew')).toBeNull();
    },
  );

  it('re-bases a rating dated 2030 from a live boot to when it was received', async () => {
    const b = await provision();
    b.boot(utc(1), 'ahead');
    await birth(b);
    const rating = b.rating(utc(2, 30));
    expect(rating.payload.ts).toBeGreaterThan(Date.UTC(2030, 0, 1));
    await receive(utc(2, 30) + 300, [rating]);
    expect(await placed(rating)).toMatchObject({ at: utc(2, 30) + 300, timeSource: 'rebased' });
    expect(await hours(b)).toEqual([[new Date(utc(2)).toISOString(), 1, 0, 0]]);
    expect(await openAlert(b, 'clock_skew')).toMatch(/nhanh 4 năm/);
  });

  it('quarantines events dated before provisioning from a boot never seen live: stored, counted nowhere, shown, alerted', async () => {
    const b = await provision();
    // The board's old boot, never seen live, left events dated before the device was provisioned.
    b.boot(PROVISIONED - 6 * DAY, 'ntp');
    const t = PROVISIONED - 5 * DAY;
    const old = [b.visitEnd(t - MIN, t), b.expression(t - MIN, t), b.signIn(t)];
    // Now running boot (announced by its birth) is live and has sent events already.
    b.boot(utc(1), 'ntp');
    await birth(b);
    await receive(utc(1, 30, 1), [b.rating(utc(1, 30))]);

    await receive(utc(2), old);
    for (const e of old)
      expect(await placed(e)).toMatchObject({ at: null, timeSource: 'quarantined', deviceTs: t });
    expect(await store.db.$count(visits, eq(visits.deviceId, b.deviceId))).toBe(0);
    expect(await store.db.$count(expressionSummaries, eq(expressionSummaries.deviceId, b.deviceId))).toBe(0);
    expect(await store.db.$count(presenceIntervals, eq(presenceIntervals.deviceId, b.deviceId))).toBe(0);
    expect(await hours(b)).toEqual([[new Date(utc(1)).toISOString(), 1, 0, 0]]);

    const shown = await quarantinedEvents(store.db, { unitId: UNIT, limit: 50 });
    const mine = shown.filter((q) => q.deviceId === b.deviceId);
    expect(mine.map((q) => q.type).sort()).toEqual(['expression', 'presence', 'visit']);
    expect(mine.every((q) => q.deviceTs.getTime() === t)).toBe(true);
    expect(await quarantinedEvents(store.db, { unitId: 'kim-anh', limit: 50 })).toEqual([]);
    expect((await quarantineCounts(store.db, UNIT)).get(b.deviceId)).toBe(3);
    expect(await openAlert(b, 'quarantined_events')).toMatch(/^3 sự kiện/);
  });

  it('places a replay of an old boot through the anchor learnt while that boot was live, not otherwise', async () => {
    const b = await provision();
    // Boot A runs on a 1970 clock while the network is up, then boot B never reaches the centre
    // live, then boot C is running when both replay their outbox.
    const bootA = b.boot(utc(1), 'epoch');
    await birth(b);
    await receive(utc(1, 10) + 500, [b.rating(utc(1, 10))]);
    const replayA = b.rating(utc(1, 40));
    b.boot(utc(2), 'epoch');
    // (A visit: a quarantined rating is the judge's to keep out of the roll-ups, ratings.ts.)
    const replayB = b.visitEnd(utc(2, 19), utc(2, 20));
    b.boot(utc(3), 'ntp');
    await birth(b);
    await receive(utc(3, 30), [replayA, replayB, b.rating(utc(3, 29))]);
    expect(bootA).not.toBe(b.bootId);
    expect(await placed(replayA)).toMatchObject({ at: utc(1, 40) + 500, timeSource: 'rebased' });
    expect(await placed(replayB)).toMatchObject({ at: null, timeSource: 'quarantined' });
  });

  it('takes the events of a new boot as live before its birth is on record, by their sequence', async () => {
    const b = await provision();
    b.boot(utc(1), 'ntp');
    await birth(b);
    await receive(utc(1, 5, 1), [b.rating(utc(1, 5))]);
    // Restarted at 02:00 on a 1970 clock; the broker has not written the new birth yet.
    b.boot(utc(2), 'epoch');
    const first = b.rating(utc(2, 1));
    await receive(utc(2, 1, 1), [first]);
    expect(await placed(first)).toMatchObject({ at: utc(2, 1, 1), timeSource: 'rebased' });
  });

  it('puts a re-based event in the Vietnam day it happened in, across midnight', async () => {
    const b = await provision();
    // 23:30 in Hanoi on 20 Nov, a board without RTC after a power cut.
    b.boot(utc(16, 30), 'epoch');
    await birth(b);
    const beforeMidnight = b.rating(utc(16, 59, 50)); // 23:59:50 on 20 Nov in Hanoi
    const afterMidnight = b.rating(utc(17, 0, 20)); // 00:00:20 on 21 Nov
    await receive(utc(17, 0, 20) + 500, [beforeMidnight, afterMidnight]);
    const at1 = (await placed(beforeMidnight)).at ?? 0;
    const at2 = (await placed(afterMidnight)).at ?? 0;
    expect([vietnamDate(at1), vietnamDate(at2)]).toEqual(['2026-11-20', '2026-11-21']);
    expect(await hours(b)).toEqual([
      [new Date(utc(16)).toISOString(), 1, 0, 0],
      [new Date(utc(17)).toISOString(), 1, 0, 0],
    ]);
  });

  describe('a board offline from its boot, its morning replayed from the outbox', () => {
    // Booted at 07:00 in Hanoi (00:00 UTC), the network down until 08:00: the officer signed in at
    // 07:05 and was rated from 07:10 to 07:50; the outbox drains oldest first in several batches.
    const SIGN_IN = utc(0, 5);
    const RATED = [10, 20, 30, 40, 50].map((m) => utc(0, m));
    const BACK = utc(1);
    /** What the broker records of a birth received `delay` ms after it was sent at `sent`. */
    const recordBirth = (b: Board, sent: number, withMono = true, delay = 300) =>
      store.db
        .update(devices)
        .set({ bootId: b.bootId, birth: b.birthAt(sent, withMono), birthReceivedAt: new Date(sent + delay) })
        .where(eq(devices.id, b.deviceId));
    const morning = (b: Board) => ({ signIn: b.signIn(SIGN_IN), rated: RATED.map((t) => b.rating(t)) });
    /** Replays the morning as the outbox does: three batches, two seconds apart. */
    const replay = async (m: ReturnType<typeof morning>) => {
      const [r1, r2, r3, r4, r5] = m.rated;
      if (!r1 || !r2 || !r3 || !r4 || !r5) throw new Error('five ratings');
      await receive(BACK + 2_000, [m.signIn, r1]);
      await receive(BACK + 4_000, [r2, r3]);
      await receive(BACK + 6_000, [r4, r5]);
    };
    const verdicts = async (m: ReturnType<typeof morning>) =>
      (
        await store.db
          .select({ id: ratings.eventId, a: ratings.attribution, why: ratings.attributionReason })
          .from(ratings)
          .where(
            inArray(
              ratings.eventId,
              m.rated.map((r) => r.payload.eventId),
            ),
          )
      ).map((r) => `${r.a}${r.why ? `:${r.why}` : ''}`);
    /** Ratings credited to cb-lan per hour of the counter. */
    const credited = async (b: Board) =>
      (
        await store.db
          .select()
          .from(hourlyRollups)
          .where(and(eq(hourlyRollups.counterId, b.counterId), eq(hourlyRollups.officerId, b.officerId)))
          .orderBy(hourlyRollups.hour)
      )
        .filter((r) => r.ratings > 0)
        .map((r) => [new Date(r.hour).toISOString(), r.ratings]);
    const anchorOf = async (b: Board) =>
      (await store.db.select().from(deviceBoots).where(eq(deviceBoots.bootId, b.bootId)))[0]?.anchor;
    beforeAll(async () => {
      for (const [officerId, name] of [
        ['cb-lan', 'Lan'],
        ['cb-mai', 'Mai'],
      ] as const)
        await saveOfficer(store.db, { unitId: UNIT, officerId, name, actor: 'test' });
    });

    it.each([
      ['after its birth is on record', true],
      ['before its birth is on record (the broker writes once a second)', false],
    ])(
      'places a right clock at its true times, replayed %s: credited, in the hour it happened',
      async (_, first) => {
        // Each story has its own officer: the same one signed in at two counters at once is
        // credited at neither (store/src/judge).
        const b = await provision(PROVISIONED, first ? 'cb-lan' : 'cb-mai');
        b.boot(utc(0), 'ntp');
        const m = morning(b);
        if (first) await recordBirth(b, BACK);
        await replay(m);
        if (!first) await recordBirth(b, BACK);
        for (const [e, t] of [
          [m.signIn, SIGN_IN] as const,
          ...m.rated.map((r, i) => [r, RATED[i] ?? 0] as const),
        ])
          expect(await placed(e)).toMatchObject({ at: t, timeSource: 'device' });
        expect(await verdicts(m)).toEqual(Array(5).fill('verified'));

        // Live again: the next event brings the birth's tight anchor into the boot's record.
        const live = b.rating(utc(1, 10));
        await receive(utc(1, 10, 1), [live]);
        expect(await placed(live)).toMatchObject({ at: utc(1, 10), timeSource: 'device' });
        expect(await anchorOf(b)).toBe('birth');
        expect(await credited(b)).toEqual([
          [new Date(utc(0)).toISOString(), 5],
          [new Date(utc(1)).toISOString(), 1],
        ]);
      },
    );

    it('re-bases a clock 3 hours behind by the birth, sign-in and ratings alike: credited', async () => {
      const b = await provision();
      b.boot(utc(0), 'behind3h');
      const m = morning(b);
      await recordBirth(b, BACK);
      await replay(m);
      // Placed by the birth's anchor: as late as the birth took to arrive (300 ms).
      for (const [e, t] of [
        [m.signIn, SIGN_IN] as const,
        ...m.rated.map((r, i) => [r, RATED[i] ?? 0] as const),
      ])
        expect(await placed(e)).toMatchObject({ at: t + 300, timeSource: 'rebased' });
      expect(await verdicts(m)).toEqual(Array(5).fill('verified'));
      expect(await credited(b)).toEqual([[new Date(utc(0)).toISOString(), 5]]);
      expect(await anchorOf(b)).toBe('birth');
      expect(await openAlert(b, 'clock_skew')).toMatch(/chậm 3 giờ/);
    });

    it('from an older agent (no mono in its birth): the bound only bounds, a clock behind is believed', async () => {
      const b = await provision();
      b.boot(utc(0), 'behind3h');
      const m = morning(b);
      await recordBirth(b, BACK, false);
      await replay(m);
      // Nothing proves this clock wrong: every event is where it says, sign-in before ratings.
      expect(await placed(m.signIn)).toMatchObject({ at: SIGN_IN - 3 * HOUR, timeSource: 'device' });
      expect(await verdicts(m)).toEqual(Array(5).fill('verified'));
      expect(await anchorOf(b)).toBe('event');
      // One provably ahead (a clock jump) is put at the bound: never before it truly happened.
      b.boot(utc(0), 'ahead');
      const ahead = b.rating(utc(0, 55));
      await receive(BACK + 8_000, [ahead]);
      const p = await placed(ahead);
      expect(p.timeSource).toBe('rebased');
      expect(p.at).toBeGreaterThanOrEqual(utc(0, 55));
      expect(p.at).toBeLessThanOrEqual(BACK + 8_000);
    });
  });
  it('never lets one forged mono drag a boot back to its provisioning date', async () => {
    const b = await provision();
    b.boot(utc(1), 'ntp');
    await birth(b);
    const honest = b.rating(utc(2));
    await receive(utc(2, 0, 1), [honest]);
    // A live event claiming the boot began on the provisioning date (its clock agrees with nothing).
    const forged = b.rating(utc(2, 30));
    forged.payload.mono = utc(2, 30) - PROVISIONED - HOUR;
    await receive(utc(2, 30, 1), [forged]);
    const later = b.rating(utc(3));
    await receive(utc(3, 0, 1), [later]);
    expect(await placed(later)).toMatchObject({ at: utc(3), timeSource: 'device' });
    const [boot] = await store.db.select().from(deviceBoots).where(eq(deviceBoots.deviceId, b.deviceId));
    expect(Math.abs(Number(boot?.bootedAtMs) - utc(1))).toBeLessThanOrEqual(1_000);
  });

  it('holds a replay to the outbox order: a clock that contradicts it is set aside', async () => {
    const b = await provision();
    const old = b.boot(utc(0), 'ntp');
    // Boot 1 is never seen live: its backlog is sent after the next boot is on record.
    const first = b.rating(utc(0, 10));
    const second = b.rating(utc(0, 20));
    b.boot(utc(1), 'ntp');
    await birth(b);
    const live = b.rating(utc(1, 5));
    await receive(utc(1, 5, 1), [live]);
    expect(old).not.toBe(b.bootId);
    // The replay claims five days earlier although it comes after `first` (placed 00:10) and
    // before `live` (01:05): the order bounds it, the window is too wide to place it by: set aside.
    await receive(utc(1, 6), [first]);
    second.payload.ts = utc(0, 20) - 5 * DAY;
    await receive(utc(1, 7), [second]);
    expect(await placed(first)).toMatchObject({ at: utc(0, 10), timeSource: 'device' });
    expect(await placed(second)).toMatchObject({ at: null, timeSource: 'quarantined' });
  });

  it('quarantines an unanchored replay older than an outbox keeps events', async () => {
    const b = await provision(utc(0) - 90 * DAY);
    b.boot(utc(0) - 40 * DAY, 'ntp');
    const ancient = b.rating(utc(0) - 40 * DAY + MIN);
    const recent = b.rating(utc(0) - 20 * DAY);
    // The board is on another boot by now: the old one is a replay, never seen live.
    b.boot(utc(0), 'ntp');
    await birth(b);
    await receive(utc(1), [b.rating(utc(1))]);
    await receive(utc(1, 1), [ancient, recent]);
    expect(await placed(ancient)).toMatchObject({ at: null, timeSource: 'quarantined' });
    expect(await placed(recent)).toMatchObject({ at: utc(0) - 20 * DAY, timeSource: 'device' });
  });
});
