import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePayload } from '@onestop/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type EventBody, Outbox } from './outbox.js';

const T = 1_764_000_000_000;
const VISIT = '0193a0c2-5f00-7000-8000-000000000001';
const rating = (level: number): EventBody<'evt/rating'> => ({
  visitId: VISIT,
  officerId: 'cb-a',
  dossierIds: [],
  ticket: 'A1',
  scale: 'keypad4',
  level,
  source: 'keypad',
  reasons: [],
  responseMs: 1200,
});
const visitEnd: EventBody<'evt/visit'> = {
  phase: 'end',
  visitId: VISIT,
  officerId: 'cb-a',
  ticket: 'A1',
  dossierIds: [],
  startedAt: T - 60_000,
  endedAt: T - 5_000,
  reason: 'rated',
  rated: true,
};

const open: Outbox[] = [];
/** An outbox on `dir` whose wall clock reads `clock.now` (tests move it). */
function make(dir: string, clock: { now: number }): Outbox {
  const o = new Outbox({
    dataDir: dir,
    address: { unitId: 'trung-van', counterId: 'q03', deviceId: 'tv-q03-a' },
    capacity: 100,
    alertAt: 50,
    clock: { now: () => clock.now, mono: () => 7 },
  });
  open.push(o);
  return o;
}
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});
const levels = (o: Outbox) =>
  o.pending(10).map((e) => {
    const p = JSON.parse(e.payload) as { level?: number; phase?: string };
    return p.level ?? p.phase;
  });

describe('Outbox holds (the undo window)', () => {
  it('stores a held rating at once but sends nothing from it on until it is released', () => {
    const clock = { now: T };
    const o = make(mkdtempSync(join(tmpdir(), 'hold-')), clock);
    o.append('evt/rating', rating(3), {}, { key: VISIT, until: T + 5_000 });
    o.append('evt/visit', visitEnd);
    expect(o.stats().depth).toBe(2);
    // The visit's end waits behind its rating: the centre gets them in the recorded order.
    expect(levels(o)).toEqual([]);
    expect(o.release(VISIT)).toBe(true);
    expect(o.release(VISIT)).toBe(false);
    expect(levels(o)).toEqual([3, 'end']);
  });

  it('replaces the held rating in place: same eventId, seq and clocks, one row', () => {
    const clock = { now: T };
    const o = make(mkdtempSync(join(tmpdir(), 'hold-')), clock);
    const first = o.append('evt/rating', rating(3), {}, { key: VISIT, until: T + 5_000 });
    clock.now = T + 2_000;
    expect(o.replaceHeld(VISIT, 'evt/rating', { ...rating(1), source: 'touch' }, clock.now)).not.toBeNull();
    o.release(VISIT);
    const [row] = o.pending(10);
    expect(o.stats().depth).toBe(1);
    const d = decodePayload('evt/rating', row!.payload);
    expect(d.ok && d.value).toMatchObject({
      eventId: first.eventId,
      seq: first.seq,
      ts: T,
      level: 1,
      source: 'touch',
    });
    // Released: final. A late change is refused and the row stays as sent.
    expect(o.replaceHeld(VISIT, 'evt/rating', rating(4), clock.now)).toBeNull();
    expect(levels(o)).toEqual([1]);
  });

  it('refuses an invalid replacement and keeps the held rating as it was', () => {
    const o = make(mkdtempSync(join(tmpdir(), 'hold-')), { now: T });
    o.append('evt/rating', rating(3), {}, { key: VISIT, until: T + 5_000 });
    expect(() => o.replaceHeld(VISIT, 'evt/rating', rating(9), T)).toThrow(/invalid evt\/rating/);
    o.release(VISIT);
    expect(levels(o)).toEqual([3]);
  });

  it('lets a hold go by itself when its time is over, or when the clock went back past the cap', () => {
    const clock = { now: T };
    const o = make(mkdtempSync(join(tmpdir(), 'hold-')), clock);
    o.append('evt/rating', rating(3), {}, { key: VISIT, until: T + 5_000 });
    clock.now = T + 5_000;
    expect(levels(o)).toEqual([3]);
    expect(o.replaceHeld(VISIT, 'evt/rating', rating(1), clock.now)).toBeNull();
    // A clock set back an hour: the hold now looks an hour long, beyond any undo window.
    const other = '0193a0c2-5f00-7000-8000-000000000002';
    o.append('evt/rating', { ...rating(2), visitId: other }, {}, { key: other, until: clock.now + 5_000 });
    clock.now -= 3_600_000;
    expect(levels(o)).toEqual([3, 2]);
  });

  it('keeps a held rating through a restart, durable, and lets it go unless the restart keeps it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hold-'));
    const clock = { now: T };
    const before = make(dir, clock);
    before.append('evt/rating', rating(3), {}, { key: VISIT, until: T + 5_000 });
    before.close(); // a crash during the window: the rating is on disk
    clock.now = T + 1_000;
    const kept = make(dir, clock);
    expect(kept.releaseAllExcept(VISIT)).toBe(0); // an in-process restart still showing its window
    expect(levels(kept)).toEqual([]);
    expect(kept.replaceHeld(VISIT, 'evt/rating', rating(4), clock.now)).not.toBeNull();
    kept.close();
    const rebooted = make(dir, clock);
    expect(rebooted.releaseAllExcept(null)).toBe(1); // after a reboot no screen can change it
    expect(levels(rebooted)).toEqual([4]);
  });
});
