import { describe, expect, it } from 'vitest';
import { createRng, pick } from '../simulator/rng.js';
import { badge, endVisit, press, scan, settings, T0, tick } from './test-helpers.js';
import { Trace } from './trace.js';
import type { CounterInput } from './types.js';

/** A rating-heavy counter: visits end often, citizens press, press again, wander off. */
const INPUTS: ReadonlyArray<(rng: () => number) => CounterInput> = [
  (rng) => scan(`A${String(1 + Math.floor(rng() * 40)).padStart(3, '0')}`),
  () => endVisit,
  () => endVisit,
  (rng) => press(1 + Math.floor(rng() * 4)),
  (rng) => press(1 + Math.floor(rng() * 4)),
  (rng) => press(1 + Math.floor(rng() * 4), 'touch'),
  (rng) => press(1 + Math.floor(rng() * 4), 'touch'),
  () => ({ type: 'reasons', codes: ['slow'] }),
  () => ({ type: 'face', present: false }),
  () => ({ type: 'officer', action: 'start-visit' }),
  () => badge('0002'),
  () => ({ type: 'record-failed', reason: 'disk full' }),
  () => tick,
];

/** Gaps that straddle the press debounce (1.5 s) and the undo window's end. */
const GAPS = [0, 400, 1_500, 2_600, 4_000, 4_999, 5_000, 5_001, 7_000, 16_000, 40_000];

function randomDay(seed: number, length: number, undoWindowMs: number): Trace {
  const rng = createRng(seed);
  const trace = new Trace(T0, { touch: rng() < 0.5, settings: { ...settings, undoWindowMs } });
  trace.input(badge('0001'));
  for (let i = 0; i < length; i++) {
    const at = trace.now + pick(rng, GAPS);
    const r = rng();
    if (r < 0.04) trace.restart('crash', at);
    else if (r < 0.08) trace.restart('in-process', at);
    else trace.input(pick(rng, INPUTS)(rng), at);
  }
  trace.finish();
  return trace;
}

describe('the undo window over random presses, timeouts and restarts (seeded)', () => {
  it('sends exactly one rating per visit, the last level chosen within the window', () => {
    let changes = 0;
    let changedLevels = 0;
    for (let seed = 5_000; seed < 5_250; seed++) {
      const t = randomDay(seed, 80, [0, 3_000, 5_000, 15_000][seed % 4]!);
      expect({ seed, violations: t.violations }).toEqual({ seed, violations: [] });
      changes += t.changes;
      changedLevels += t.ratings.filter((r) => t.chosen.get(r.visitId!) !== r.level).length;
    }
    // The days did change ratings, and changed levels did go out instead of the first press.
    expect(changes).toBeGreaterThan(50);
    expect(changedLevels).toBeGreaterThan(20);
  });
});
