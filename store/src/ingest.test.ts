import { newEventId, type PresenceEvent, type RatingEvent, type VisitEvent } from '@onestop/protocol';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type IngestEvent, ingestBatch as ingestNow } from './ingest.js';
import { saveOfficer } from './roster.js';
import {
  devices,
  events,
  expressionSummaries,
  hourlyRollups,
  presenceIntervals,
  ratings,
  visits,
} from './schema.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

const HOUR = Date.UTC(2025, 8, 1, 2); // 09:00 in Hanoi
/** Every device's agent started an hour before, with its clock right (NTP): `ts` is believed. */
const BOOTED = HOUR - 3_600_000;
const origin = { unitId: 'trung-van', counterId: 'q01' };
let seq = 0;
function env(deviceId: string, ts: number) {
  return {
    v: 1 as const,
    eventId: newEventId(),
    deviceId,
    bootId: '0193a0c2-5b1e-7c3d-9f00-1a2b3c4d5e6f',
    seq: seq++,
    ts,
    mono: ts - BOOTED,
  };
}

/**
 * Ingests as the centre would receive the batch: a second after its latest event (or at
 * `receivedAt`), so that the devices' clocks agree with their boots and times are kept as sent.
 */
function ingestBatch(db: TestStore['db'], batch: readonly IngestEvent[], receivedAt?: number) {
  vi.setSystemTime(receivedAt ?? Math.max(...batch.map((e) => e.payload.ts)) + 1_000);
  return ingestNow(db, batch);
}
function rating(deviceId: string, ts: number, level: number, officerId: string | null = 'cb-a'): IngestEvent {
  const payload: RatingEvent = {
    ...env(deviceId, ts),
    visitId: null,
    officerId,
    dossierIds: [],
    ticket: null,
    scale: 'keypad4',
    level,
    source: 'keypad',
    reasons: [],
    responseMs: 1000,
  };
  return { ...origin, type: 'rating', payload };
}
function presence(deviceId: string, ts: number, state: 'signed_in' | 'signed_out'): IngestEvent {
  const payload: PresenceEvent = {
    ...env(deviceId, ts),
    kind: 'session',
    state,
    officerId: 'cb-a',
    source: 'badge',
  };
  return { ...origin, type: 'presence', payload };
}

describe.each(STORE_BACKENDS)('ingestBatch on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    store = await openTestStore(backend);
    // Ratings count for an officer of the unit's roster signed in at the counter (store/src/judge).
    await saveOfficer(store.db, { ...origin, officerId: 'cb-a', name: 'Cán bộ A', actor: 'test' });
    // Provisioned a month before the events.
    await store.db.insert(devices).values(
      ['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7', 'd8', 'd9', 'd10'].map((id) => ({
        id,
        ...origin,
        username: `dev-${id}`,
        passwordHash: 'x',
        createdAt: new Date(HOUR - 31 * 86_400_000),
      })),
    );
  });
  afterAll(async () => {
    vi.useRealTimers();
    await store?.close();
  });

  it('stores each event once and derives official level, score and hourly roll-ups', async () => {
    await ingestBatch(store.db, [presence('d1', HOUR, 'signed_in')]);
    const batch = [
      rating('d1', HOUR + 60_000, 4),
      rating('d1', HOUR + 120_000, 1),
      rating('d1', HOUR + 180_000, 2),
    ];
    const first = await ingestBatch(store.db, batch);
    expect(first.inserted).toHaveLength(3);
    expect(first.duplicates).toEqual([]);
    // A redelivery plus a repeat inside the same batch: nothing new, all reported as duplicates.
    const again = await ingestBatch(store.db, [batch[0]!, batch[0]!, rating('d1', HOUR + 240_000, 3)]);
    expect(again.inserted).toHaveLength(1);
    expect(again.duplicates).toEqual([batch[0]!.payload.eventId, batch[0]!.payload.eventId]);

    const rows = await store.db.select().from(ratings).where(eq(ratings.deviceId, 'd1'));
    expect(rows.map((r) => [r.level, r.official, r.score]).sort()).toEqual([
      [1, 'unsatisfied', 0],
      // Points of the official level (OFFICIAL_INDEX_POINTS): Bình thường and Hài lòng alike.
      [2, 'satisfied', 50],
      [3, 'satisfied', 50],
      [4, 'very_satisfied', 100],
    ]);
    const [roll] = await store.db.select().from(hourlyRollups).where(eq(hourlyRollups.officerId, 'cb-a'));
    expect(roll).toMatchObject({ ratings: 4, verySatisfied: 1, satisfied: 2, unsatisfied: 1, scoreSum: 200 });
    // The distribution is rolled up too, merged across batches (reports never scan ratings).
    expect(roll?.levels).toEqual({ 'keypad4:4': 1, 'keypad4:3': 1, 'keypad4:2': 1, 'keypad4:1': 1 });
    expect(roll?.hour.getTime()).toBe(HOUR);
    expect(await store.db.$count(events, eq(events.deviceId, 'd1'))).toBe(5); // 4 ratings, 1 sign-in
    await ingestBatch(store.db, [rating('d1', HOUR + 300_000, 4)]);
    const [after] = await store.db.select().from(hourlyRollups).where(eq(hourlyRollups.officerId, 'cb-a'));
    expect(after?.levels).toEqual({ 'keypad4:4': 2, 'keypad4:3': 1, 'keypad4:2': 1, 'keypad4:1': 1 });
  });

  it('acknowledges a batch of redeliveries from one probe, without a transaction or a unit lock', async () => {
    const batch = [presence('d2', HOUR, 'signed_in'), rating('d2', HOUR + 60_000, 4)];
    await ingestBatch(store.db, batch);
    // Counts what ingestBatch opens; a transaction is where the units' judging locks are taken.
    let transactions = 0;
    const counted = new Proxy(store.db, {
      get(target, key, receiver) {
        if (key === 'transaction') transactions++;
        return Reflect.get(target, key, receiver);
      },
    });
    vi.setSystemTime(HOUR + 120_000);
    const again = await ingestNow(counted, [...batch].reverse());
    expect(again).toEqual({ inserted: [], duplicates: batch.map((e) => e.payload.eventId).reverse() });
    expect(transactions).toBe(0);
    // A redelivery beside a new event: only the new one is judged, and only it is counted.
    const fresh = rating('d2', HOUR + 90_000, 1);
    const mixed = await ingestNow(counted, [batch[1]!, fresh]);
    expect(mixed.inserted.map((e) => e.payload.eventId)).toEqual([fresh.payload.eventId]);
    expect(mixed.duplicates).toEqual([batch[1]!.payload.eventId]);
    expect(transactions).toBe(1);
    expect(await store.db.$count(ratings, eq(ratings.deviceId, 'd2'))).toBe(2);
  });

  it('stores ratings beside other events in one batch, with their arrays, time and payload intact', async () => {
    const r = rating('d9', HOUR + 1_234, 3, null);
    if (r.type !== 'rating') throw new Error('not a rating');
    r.payload.dossierIds = ['H01.1-250901-0001', 'H01.1-250901-0002'];
    r.payload.reasons = ['slow'];
    const mixed = [presence('d9', HOUR + 1_000, 'signed_in'), r, presence('d9', HOUR + 2_000, 'signed_out')];
    const res = await ingestBatch(store.db, mixed);
    expect(res.inserted.map((e) => e.payload.eventId)).toEqual(mixed.map((e) => e.payload.eventId));
    const [row] = await store.db.select().from(ratings).where(eq(ratings.deviceId, 'd9'));
    expect(row).toMatchObject({
      officerId: null,
      dossierIds: r.payload.dossierIds,
      reasons: ['slow'],
      score: 50,
    });
    expect(row?.deviceTs.getTime()).toBe(HOUR + 1_234);
    const [ev] = await store.db.select().from(events).where(eq(events.eventId, r.payload.eventId));
    expect(ev?.payload).toEqual(r.payload);
    // Naming no officer, it counts for nobody: on the unit's '' row as unverified.
    expect(row).toMatchObject({
      attribution: 'unverified',
      attributionReason: 'no_officer',
      filterReason: null,
    });
    const [roll] = await store.db.select().from(hourlyRollups).where(eq(hourlyRollups.officerId, ''));
    expect(roll).toMatchObject({ ratings: 0, unverified: 1, filtered: 0, scoreSum: 0, levels: {} });
    expect(await store.db.$count(presenceIntervals, eq(presenceIntervals.deviceId, 'd9'))).toBe(1);
  });

  it('merges visit start and end in either order and counts unrated visits', async () => {
    const visitId = '0193a0c2-5f00-7000-8000-0000000000aa';
    const start: VisitEvent = {
      ...env('d2', HOUR + 1000),
      phase: 'start',
      visitId,
      officerId: 'cb-b',
      ticket: 'A001',
      trigger: 'ticket',
      startedAt: HOUR + 1000,
    };
    const end: VisitEvent = {
      ...env('d2', HOUR + 90_000),
      phase: 'end',
      visitId,
      officerId: 'cb-b',
      ticket: 'A001',
      dossierIds: ['000.00.12.H26-250101-0001'],
      startedAt: HOUR + 500,
      endedAt: HOUR + 90_000,
      reason: 'rating_timeout',
      rated: false,
    };
    await ingestBatch(store.db, [{ ...origin, type: 'visit', payload: end }]);
    // The start is replayed after the end was stored.
    await ingestBatch(store.db, [{ ...origin, type: 'visit', payload: start }], HOUR + 92_000);
    const [v] = await store.db.select().from(visits).where(eq(visits.id, visitId));
    expect(v).toMatchObject({ trigger: 'ticket', endReason: 'rating_timeout', rated: false, ticket: 'A001' });
    expect(v?.startedAt.getTime()).toBe(HOUR + 1000);
    expect(v?.dossierIds).toEqual(['000.00.12.H26-250101-0001']);
    const [roll] = await store.db.select().from(hourlyRollups).where(eq(hourlyRollups.officerId, 'cb-b'));
    expect(roll).toMatchObject({ visits: 1, unratedVisits: 1, ratings: 0 });
  });

  it('takes an event ID in upper case as the same event: stored as new, projected, then a duplicate', async () => {
    const spelt = <E extends IngestEvent>(e: E, eventId: string): E =>
      ({ ...e, payload: { ...e.payload, eventId } }) as E;
    const upper = <E extends IngestEvent>(e: E): E => spelt(e, e.payload.eventId.toUpperCase());
    const signIn = upper(presence('d8', HOUR, 'signed_in'));
    const visitId = '0193a0c2-5f00-7000-8000-0000000000d8';
    const start: VisitEvent = {
      ...env('d8', HOUR + 1_000),
      eventId: newEventId().toUpperCase(),
      phase: 'start',
      visitId,
      officerId: 'cb-a',
      ticket: 'A008',
      trigger: 'ticket',
      startedAt: HOUR + 1_000,
    };
    const press = upper(rating('d8', HOUR + 60_000, 4));
    const first = await ingestBatch(store.db, [
      signIn,
      { ...origin, type: 'visit', payload: start },
      press,
      // The same event spelt in lower case within the batch: a repeat.
      spelt(press, press.payload.eventId.toLowerCase()),
    ]);
    expect(first.inserted.map((e) => e.payload.eventId)).toEqual([
      signIn.payload.eventId,
      start.eventId,
      press.payload.eventId,
    ]);
    expect(first.duplicates).toEqual([press.payload.eventId.toLowerCase()]);
    // Projected: the sign-in opened an interval, so the rating counts for the officer.
    expect(await store.db.$count(presenceIntervals, eq(presenceIntervals.deviceId, 'd8'))).toBe(1);
    const [row] = await store.db.select().from(ratings).where(eq(ratings.deviceId, 'd8'));
    expect(row).toMatchObject({ attribution: 'verified' });
    // Redelivered in lower case: answered as stored, nothing counted twice.
    const again = await ingestBatch(store.db, [spelt(signIn, signIn.payload.eventId.toLowerCase())]);
    expect(again).toEqual({ inserted: [], duplicates: [signIn.payload.eventId.toLowerCase()] });
    expect(await store.db.$count(events, eq(events.deviceId, 'd8'))).toBe(3);
  });

  it('re-judges the rating a late visit start names, when the start spells its event ID in upper case', async () => {
    const visitId = '0193a0c2-5f00-7000-8000-0000000000da';
    // Nobody signed in at d10: a press outside any known visit is nobody's.
    const press = rating('d10', HOUR + 60_000, 4);
    const named = { ...press, payload: { ...press.payload, visitId } } as IngestEvent;
    await ingestBatch(store.db, [named]);
    const filter = async () =>
      (await store.db.select().from(ratings).where(eq(ratings.deviceId, 'd10')))[0]?.filterReason;
    expect(await filter()).toBe('nobody_at_counter');
    const start: VisitEvent = {
      ...env('d10', HOUR + 1_000),
      eventId: newEventId().toUpperCase(),
      phase: 'start',
      visitId,
      officerId: 'cb-a',
      ticket: 'A010',
      trigger: 'ticket',
      startedAt: HOUR + 1_000,
    };
    await ingestBatch(store.db, [{ ...origin, type: 'visit', payload: start }], HOUR + 61_000);
    // The visit now covers the press: it counts.
    expect(await filter()).toBeNull();
  });

  it('opens and closes presence intervals, also within one batch', async () => {
    await ingestBatch(store.db, [
      presence('d3', HOUR + 10_000, 'signed_out'),
      presence('d3', HOUR, 'signed_in'),
    ]);
    await ingestBatch(store.db, [presence('d3', HOUR + 20_000, 'signed_in')]);
    const rows = await store.db
      .select()
      .from(presenceIntervals)
      .where(eq(presenceIntervals.deviceId, 'd3'))
      .orderBy(presenceIntervals.startedAt);
    expect(
      rows.map((r) => [r.startedAt.getTime() - HOUR, r.endedAt ? r.endedAt.getTime() - HOUR : null]),
    ).toEqual([
      [0, 10_000],
      [20_000, null],
    ]);
  });

  it('pairs presence per device in rounds; a close with nothing open stays only in events', async () => {
    const lonelyClose = presence('d5', HOUR + 5_000, 'signed_out');
    // Two devices at once, each with a sign-in and sign-out in the batch, one out of order.
    await ingestBatch(store.db, [
      presence('d6', HOUR + 9_000, 'signed_out'),
      lonelyClose,
      presence('d6', HOUR + 1_000, 'signed_in'),
      presence('d7', HOUR + 2_000, 'signed_in'),
      presence('d7', HOUR + 3_000, 'signed_out'),
      presence('d7', HOUR + 4_000, 'signed_in'),
    ]);
    const spans = async (deviceId: string) =>
      (
        await store.db
          .select()
          .from(presenceIntervals)
          .where(eq(presenceIntervals.deviceId, deviceId))
          .orderBy(presenceIntervals.startedAt)
      ).map((r) => [r.startedAt.getTime() - HOUR, r.endedAt ? r.endedAt.getTime() - HOUR : null]);
    expect(await spans('d5')).toEqual([]);
    expect(await store.db.$count(events, eq(events.eventId, lonelyClose.payload.eventId))).toBe(1);
    expect(await spans('d6')).toEqual([[1_000, 9_000]]);
    expect(await spans('d7')).toEqual([
      [2_000, 3_000],
      [4_000, null],
    ]);
    // A sign-out arriving in a later batch closes the open one; its redelivery changes nothing.
    const late = presence('d7', HOUR + 6_000, 'signed_out');
    await ingestBatch(store.db, [late]);
    expect((await ingestBatch(store.db, [late])).inserted).toEqual([]);
    expect(await spans('d7')).toEqual([
      [2_000, 3_000],
      [4_000, 6_000],
    ]);
  });

  it('stores expression summaries apart from ratings, with index sums for the uncertainty', async () => {
    const probs = {
      neutral: 0.2,
      happy: 0.7,
      sad: 0.02,
      angry: 0.02,
      fearful: 0.02,
      disgusted: 0.02,
      surprised: 0.02,
    };
    const mk = (i: number): IngestEvent => ({
      ...origin,
      type: 'expression',
      payload: {
        ...env('d4', HOUR + 5000),
        visitId: null,
        officerId: 'cb-c',
        startedAt: HOUR,
        endedAt: HOUR + 5000,
        frames: 10,
        exitFrames: 2,
        mean: probs,
        exit: probs,
        satisfactionIndex: i,
        confidence: 0.5,
      },
    });
    // Credited to the officer only as a rating would be: on the roster, signed in at the device.
    await saveOfficer(store.db, { ...origin, officerId: 'cb-c', name: 'Cán bộ C', actor: 'test' });
    const signIn = presence('d4', HOUR - 60_000, 'signed_in');
    await ingestBatch(store.db, [
      { ...signIn, payload: { ...signIn.payload, officerId: 'cb-c' } } as IngestEvent,
    ]);
    await ingestBatch(store.db, [mk(0.5), mk(1)]);
    expect(await store.db.$count(expressionSummaries, eq(expressionSummaries.deviceId, 'd4'))).toBe(2);
    const [roll] = await store.db.select().from(hourlyRollups).where(eq(hourlyRollups.officerId, 'cb-c'));
    expect(roll).toMatchObject({
      expressions: 2,
      expressionIndexSum: 1.5,
      expressionIndexSqSum: 1.25,
      ratings: 0,
    });
  });
  it('keeps with each camera estimate the models of the boot that made it, none for another boot', async () => {
    const models = [{ name: 'expression-v2', sha256: 'e'.repeat(64) }];
    const bootId = '0193a0c2-5b1e-7c3d-9f00-1a2b3c4d5e6f';
    await store.db.insert(devices).values({
      id: 'd-models',
      ...origin,
      username: 'dev-d-models',
      passwordHash: 'x',
      createdAt: new Date(HOUR - 31 * 86_400_000),
      // Spelt in upper case by the device (the wire accepts either case): still the same boot.
      birth: { bootId: bootId.toUpperCase(), models },
    });
    const probs = { neutral: 1, happy: 0, sad: 0, angry: 0, fearful: 0, disgusted: 0, surprised: 0 };
    const mk = (boot: string): IngestEvent => ({
      ...origin,
      type: 'expression',
      payload: {
        ...env('d-models', HOUR + 5000),
        bootId: boot,
        visitId: null,
        officerId: null,
        startedAt: HOUR,
        endedAt: HOUR + 5000,
        frames: 10,
        exitFrames: 2,
        mean: probs,
        exit: probs,
        satisfactionIndex: 0.5,
        confidence: 0.5,
      },
    });
    const same = mk(bootId);
    const other = mk('0193a0c2-5b1e-7c3d-9f00-000000000000');
    await ingestBatch(store.db, [same, other]);
    const rows = await store.db
      .select({ id: expressionSummaries.eventId, models: expressionSummaries.models })
      .from(expressionSummaries)
      .where(eq(expressionSummaries.deviceId, 'd-models'));
    const byId = new Map(rows.map((r) => [r.id, r.models]));
    expect(byId.get(same.payload.eventId)).toEqual(models);
    // An estimate of another boot (an update since, an outbox replayed) would name the wrong model.
    expect(byId.get(other.payload.eventId)).toBeNull();
  });
});
