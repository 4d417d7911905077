import { newEventId, type PresenceEvent, type RatingEvent } from '@onestop/protocol';
import type { IngestEvent } from '../ingest.js';

/** Test events for the judge's suites: one counter device per test, times in ms. */
let seq = 0;
const BOOT = '0193a0c2-5b1e-7c3d-9f00-1a2b3c4d5e6f';

export interface Where {
  unitId: string;
  counterId: string;
  deviceId: string;
}

function envelope(deviceId: string, ts: number) {
  seq++;
  return { v: 1 as const, eventId: newEventId(), deviceId, bootId: BOOT, seq, ts, mono: seq * 10 };
}

export function ratingAt(
  w: Where,
  ts: number,
  over: Partial<Pick<RatingEvent, 'officerId' | 'visitId' | 'level' | 'scale'>> = {},
): IngestEvent & { type: 'rating' } {
  const payload: RatingEvent = {
    ...envelope(w.deviceId, ts),
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
  ts: number,
  state: 'signed_in' | 'signed_out',
  officerId: string,
): IngestEvent & { type: 'presence' } {
  const payload: PresenceEvent = {
    ...envelope(w.deviceId, ts),
    kind: 'session',
    state,
    officerId,
    source: 'badge',
  };
  return { unitId: w.unitId, counterId: w.counterId, type: 'presence', payload };
}

export function seatAt(
  w: Where,
  ts: number,
  state: 'occupied' | 'empty',
): IngestEvent & { type: 'presence' } {
  const payload: PresenceEvent = {
    ...envelope(w.deviceId, ts),
    kind: 'seat',
    state,
    officerId: null,
    source: 'camera',
  };
  return { unitId: w.unitId, counterId: w.counterId, type: 'presence', payload };
}
