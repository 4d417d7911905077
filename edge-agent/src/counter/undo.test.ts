import { describe, expect, it } from 'vitest';
import { screenOf } from './screen.js';
import { badge, endVisit, press, run, scan, settings, T0, tick } from './test-helpers.js';
import type { CounterEffect, CounterInput } from './types.js';

const served = [badge('0001'), scan('A001'), endVisit];
/** Recorded at T0 + 10 s: the window (5 s by default) runs to T0 + 15 s. */
const RATED = T0 + 10_000;
const rated = (...more: Array<[number, CounterInput]>) => run([...served, [RATED, press(3)], ...more]);

const holdOps = (fx: CounterEffect[]) =>
  fx.flatMap((e) => {
    if (e.type === 'emit' && e.event.channel === 'evt/rating')
      return [`rating ${e.event.body.level}${e.hold ? ` held until +${e.hold.until - RATED}` : ''}`];
    if (e.type === 'amend') return [`amend ${e.event.body.level} ${e.event.body.source}`];
    if (e.type === 'release') return ['release'];
    if (e.type === 'emit' && e.event.channel === 'evt/visit') return [`visit ${e.event.body.phase}`];
    return [];
  });

describe('the undo window on the thanks screen', () => {
  it('records the rating held, shows the window, and releases it when the window ends', () => {
    const r = rated([RATED + 5_000, tick]);
    expect(holdOps(r.effects)).toEqual(['visit start', 'rating 3 held until +5000', 'visit end', 'release']);
    expect(r.state.thanks?.undo).toBeNull();
    const open = rated();
    expect(screenOf(open.state, RATED + 4_999)).toMatchObject({ kind: 'thanks', undoUntil: RATED + 5_000 });
    expect(screenOf(open.state, RATED + 5_000)).toMatchObject({ kind: 'thanks', undoUntil: null });
  });

  it('changes the held rating in place on a press inside the window, without a second visit end', () => {
    const r = rated([RATED + 2_000, press(4, 'touch')], [RATED + 4_000, press(1)], [RATED + 6_000, tick]);
    expect(holdOps(r.effects)).toEqual([
      'visit start',
      'rating 3 held until +5000',
      'visit end',
      'amend 4 touch',
      'amend 1 keypad',
      'release',
    ]);
    const amend = r.effects.filter((e) => e.type === 'amend').at(-1)!;
    // Same officer (decided at the first press); response time from the prompt (opened at +3 s).
    expect(amend.event.body).toMatchObject({ officerId: 'cb-a', responseMs: RATED + 4_000 - (T0 + 3_000) });
    // A change to a negative level keeps the screen up long enough to scan the comment code.
    expect(r.state.thanks).toMatchObject({ level: 1, negative: true, until: RATED + 5_000 + 30_000 });
    expect(r.state.ignoredPresses).toBe(0);
  });

  it('ignores a press after the window (counted), and a double press inside it (debounce)', () => {
    const late = rated([RATED + 5_000, press(4)]);
    expect(holdOps(late.effects).filter((o) => o.startsWith('amend'))).toEqual([]);
    expect(late.state.ignoredPresses).toBe(1);
    const bounce = rated([RATED + 100, press(3)]);
    expect(holdOps(bounce.effects).filter((o) => o.startsWith('amend'))).toEqual([]);
    expect(bounce.state.ignoredPresses).toBe(1);
  });

  it('takes a slip corrected at once (another level within the debounce), then debounces that one', () => {
    const r = rated([RATED + 100, press(4)], [RATED + 300, press(4)]);
    expect(holdOps(r.effects).filter((o) => o.startsWith('amend'))).toEqual(['amend 4 keypad']);
    expect(r.state.thanks).toMatchObject({ level: 4 });
    expect(r.state.ignoredPresses).toBe(1);
  });

  it('releases the held rating at once when the next visit starts or the agent stops', () => {
    // (The release follows the new visit's start in the step; the outbox keeps their row order.)
    expect(holdOps(rated([RATED + 1_000, scan('A002')]).effects).slice(3)).toEqual([
      'visit start',
      'release',
    ]);
    expect(holdOps(rated([RATED + 1_000, { type: 'shutdown' }]).effects).slice(3)).toEqual(['release']);
  });

  it('ends the window when the wall clock goes back, rather than holding for as long as the jump', () => {
    const r = rated([RATED - 3_600_000, tick]);
    expect(holdOps(r.effects).at(-1)).toBe('release');
    expect(r.state.thanks?.undo).toBeNull();
  });

  it('holds nothing when the window is 0, and says so when the outbox refused a change', () => {
    const off = run([...served, [RATED, press(3)], [RATED + 2_000, press(4)]], undefined, {
      settings: { ...settings, undoWindowMs: 0 },
    });
    expect(holdOps(off.effects)).toEqual(['visit start', 'rating 3', 'visit end']);
    const refused = rated(
      [RATED + 2_000, press(4)],
      [RATED + 2_001, { type: 'change-refused', reason: 'sent' }],
    );
    expect(refused.state.thanks).toBeNull();
    expect(refused.state.notice?.code).toBe('not_changed');
  });
});
