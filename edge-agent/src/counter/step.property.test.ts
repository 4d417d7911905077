import { describe, expect, it } from 'vitest';
import { createRng, pick } from '../simulator/rng.js';
import { badge, DOSSIER, endVisit, press, scan, T0, tick } from './test-helpers.js';
import { Trace, withinPresence } from './trace.js';
import type { CounterInput } from './types.js';

/** Everything that can happen at a counter, sane or not. */
const INPUTS: ReadonlyArray<(rng: () => number) => CounterInput> = [
  () => badge('0001'),
  () => badge('0002'),
  () => badge('0001'),
  () => badge('7777'),
  (rng) => scan(`A${String(1 + Math.floor(rng() * 40)).padStart(3, '0')}`),
  () => scan(DOSSIER),
  () => scan('HTTP://ZALO.ME/X'),
  (rng) => press(1 + Math.floor(rng() * 4)),
  (rng) => press(1 + Math.floor(rng() * 4), 'touch'),
  () => press(1),
  () => ({ type: 'press', level: 9, scale: 'keypad4', source: 'keypad' }),
  () => ({ type: 'reasons', codes: ['slow'] }),
  () => ({ type: 'reasons', codes: ['bribe'] }),
  () => ({ type: 'face', present: true }),
  () => ({ type: 'face', present: false }),
  () => ({ type: 'officer', action: 'start-visit' }),
  () => endVisit,
  () => endVisit,
  () => ({ type: 'officer', action: 'sign-out' }),
  () => ({ type: 'record-failed', reason: 'disk full' }),
  () => tick,
];

/** Gaps between inputs: double presses, normal pacing, past every timeout, overnight. */
const GAPS = [0, 300, 1_000, 1_600, 4_000, 16_000, 25_000, 31 * 60_000, 9 * 3_600_000];

function randomDay(seed: number, length: number): Trace {
  const rng = createRng(seed);
  const maxMs = pick(rng, [null, 2 * 3_600_000, 10 * 60_000]);
  const trace = new Trace(T0, {
    touch: rng() < 0.5,
    sessionEndsAt: (since) => (maxMs === null ? null : since + maxMs),
  });
  for (let i = 0; i < length; i++) {
    const at = trace.now + (rng() < 0.7 ? pick(rng, GAPS.slice(0, 5)) : pick(rng, GAPS));
    trace.input(pick(rng, INPUTS)(rng), at);
  }
  trace.finish();
  return trace;
}

describe('the counter over random event sequences (seeded)', () => {
  const SEEDS = Array.from({ length: 400 }, (_, i) => 1_000 + i);

  it('keeps every invariant: valid events, fair attribution, no prompt or rating lost or doubled', () => {
    let ratings = 0;
    let credited = 0;
    for (const seed of SEEDS) {
      const t = randomDay(seed, 80);
      expect({ seed, violations: t.violations }).toEqual({ seed, violations: [] });
      for (const r of t.ratings) {
        if (r.officerId === null) continue;
        credited++;
        expect({ seed, r, inside: withinPresence(r, t.intervals) }).toMatchObject({ inside: true });
      }
      ratings += t.ratings.length;
    }
    // The sequences did exercise the interesting paths, not only refusals.
    expect(ratings).toBeGreaterThan(500);
    expect(credited).toBeGreaterThan(100);
  });
});
