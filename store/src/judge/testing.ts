import {
  EXAMPLES,
  type ExpressionEvent,
  newEventId,
  type PresenceEvent,
  type RatingEvent,
  type VisitEvent,
} from '@onestop/protocol';
import { vi } from 'vitest';
import type { Database } from '../db.js';
import { type IngestEvent, ingestBatch } from '../ingest.js';
import { devices } from '../schema.js';

/**
 * Test events for the judge's suites, as counter boards send them and the centre receives them.
 * The centre places every event in time before judging it (time/placement.ts): it believes a
 * board's clock only when it agrees with the boot's monotonic clock (`mono`), anchored by events
 * received live. So, as in a live ward, every board here:
 * - is provisioned a month before the test days;
 * - booted at BOOTED (05:00 in Hanoi on Monday 1 September 2025), so `mono = t − BOOTED` for an
 *   event that happened at `t`; its wall clock reads `clock(t)` (right, as with NTP, unless the
 *   test gives it a wrong one);
 * - announced its boot in a birth message (with its `mono`, as every current agent does) and was
 *   seen live as it booted (its camera reported the seat empty, delivered a second later), so the
 *   centre knows the boot to within that second before the test's events, which may then arrive
 *   in any order, late or twice, as an outbox replays.
 * Times below are the true instants `t`, in ms.
 */
export const BOOTED = Date.UTC(2025, 8, 1, -2);
const PROVISIONED = BOOTED - 30 * 86_400_000;
/** How late the centre receives what a board sends live. */
export const DELIVERY_MS = 1_000;
/** When each board's camera first reported its seat (empty). */
const BOOT_SEEN = BOOTED + 5_000;
const BOOT = '0193a0c2-5b1e-7c3d-9f00-1a2b3c4d5e6f';
let seq = 0;

export interface Where {
  unitId: string;
  counterId: string;
  deviceId: string;
  /** The board's wall clock at true instant `t` (default: right). */
  clock?: (t: number) => number;
}

function envelope(w: Where, t: number) {
  seq++;
  const ts = w.clock ? w.clock(t) : t;
  return {
    v: 1 as const,
    eventId: newEventId(),
    deviceId: w.deviceId,
    bootId: BOOT,
    seq,
    ts,
    mono: t - BOOTED,
  };
}

/** When the event truly happened (what `mono` says, as every test board booted at BOOTED). */
export const happenedAt = (e: IngestEvent) => BOOTED + e.payload.mono;

export function ratingAt(
  w: Where,
  t: number,
  over: Partial<Pick<RatingEvent, 'officerId' | 'visitId' | 'level' | 'scale'>> = {},
): IngestEvent & { type: 'rating' } {
  const payload: RatingEvent = {
    ...envelope(w, t),
    visitId: null,
    officerId: null,
    dossierIds: [],
    ticket: null,
    scale: 'keypad4',
    level: 4,
    source: 'keypad',
    reasons: [],
    responseMs: 1000,
    ...over,
  };
  return { unitId: w.unitId, counterId: w.counterId, type: 'rating', payload };
}

export function sessionAt(
  w: Where,
  t: number,
  state: 'signed_in' | 'signed_out',
  officerId: string,
): IngestEvent & { type: 'presence' } {
  const payload: PresenceEvent = {
    ...envelope(w, t),
    kind: 'session',
    state,
    officerId,
    source: 'badge',
  };
  return { unitId: w.unitId, counterId: w.counterId, type: 'presence', payload };
}

/**
 * A visit served at the board from `startedAt` to `endedAt` (null: its end not sent yet): the
 * start event, sent at the start, and the end event, sent at the end; its `visitId` for ratings.
 */
export function visitAt(
  w: Where,
  startedAt: number,
  endedAt: number | null,
  officerId: string | null = null,
) {
  const visitId = newEventId();
  const start = envelope(w, startedAt);
  const opened: VisitEvent = {
    ...start,
    phase: 'start',
    visitId,
    officerId,
    ticket: null,
    trigger: 'ticket',
    startedAt: start.ts,
  };
  const events: Array<IngestEvent & { type: 'visit' }> = [
    { unitId: w.unitId, counterId: w.counterId, type: 'visit', payload: opened },
  ];
  if (endedAt !== null) {
    const end = envelope(w, endedAt);
    const closed: VisitEvent = {
      ...end,
      phase: 'end',
      visitId,
      officerId,
      ticket: null,
      dossierIds: [],
      startedAt: start.ts,
      endedAt: end.ts,
      reason: 'rated',
      rated: true,
    };
    events.push({ unitId: w.unitId, counterId: w.counterId, type: 'visit', payload: closed });
  }
  return { visitId, events };
}

/** A camera summary of the 30 s before `t`, naming `officerId` as the device believes. */
export function expressionAt(
  w: Where,
  t: number,
  officerId: string | null,
  satisfactionIndex = 0.5,
): IngestEvent & { type: 'expression' } {
  const e = envelope(w, t);
  const neutral = { neutral: 1, happy: 0, sad: 0, angry: 0, fearful: 0, disgusted: 0, surprised: 0 };
  const payload: ExpressionEvent = {
    ...e,
    visitId: null,
    officerId,
    startedAt: e.ts - 30_000,
    endedAt: e.ts,
    frames: 10,
    exitFrames: 2,
    mean: neutral,
    exit: neutral,
    satisfactionIndex,
    confidence: 0.9,
  };
  return { unitId: w.unitId, counterId: w.counterId, type: 'expression', payload };
}

export function seatAt(w: Where, t: number, state: 'occupied' | 'empty'): IngestEvent & { type: 'presence' } {
  const payload: PresenceEvent = {
    ...envelope(w, t),
    kind: 'seat',
    state,
    officerId: null,
    source: 'camera',
  };
  return { unitId: w.unitId, counterId: w.counterId, type: 'presence', payload };
}

/**
 * The centre, for one test: its clock (faked `Date`; the caller runs
 * `vi.useFakeTimers({ toFake: ['Date'] })`) never goes back, and a batch is received
 * DELIVERY_MS after the latest event in it happened, or later if the clock is already past that:
 * a batch of older events is then an outbox replay, received late, as in life.
 */
export function liveCentre(db: Database) {
  let now = Number.NEGATIVE_INFINITY;
  const advanceTo = (t: number) => {
    now = Math.max(now, t);
    vi.setSystemTime(now);
  };
  const receive = (...batch: IngestEvent[]) => {
    advanceTo(Math.max(...batch.map(happenedAt)) + DELIVERY_MS);
    return ingestBatch(db, batch);
  };
  return {
    receive,
    /** Moves the centre's clock on (e.g. before a leader acts at that time). */
    advanceTo,
    /**
     * Registers the board a month before, then receives its boot live (the seat, empty). Call it
     * before the test's events: received any later, the boot would not be known to the second.
     */
    async provision(w: Where) {
      if (now > BOOT_SEEN + DELIVERY_MS) throw new Error('provision every board before its events arrive');
      await db.insert(devices).values({
        id: w.deviceId,
        unitId: w.unitId,
        counterId: w.counterId,
        username: `dev-${w.deviceId}`,
        passwordHash: 'x',
        createdAt: new Date(PROVISIONED),
        // What the broker records of the birth sent with the seat report.
        bootId: BOOT,
        birth: { ...EXAMPLES.birth, deviceId: w.deviceId, bootId: BOOT, mono: BOOT_SEEN - BOOTED },
        birthReceivedAt: new Date(BOOT_SEEN + DELIVERY_MS),
      });
      const booting = seatAt(w, BOOT_SEEN, 'empty');
      await receive(booting);
      return booting;
    },
  };
}
