import { describe, expect, it } from 'vitest';
import { EXAMPLES } from './examples.js';
import { fastRating } from './fast-rating.js';
import { newEventId } from './ids.js';
import { RatingEvent } from './payloads/events.js';

const ratingFor = (deviceId: string, over: Partial<RatingEvent> = {}): RatingEvent => ({
  ...RatingEvent.parse(EXAMPLES['evt/rating']),
  deviceId,
  eventId: newEventId(),
  ...over,
});

/** Deterministic PRNG so that a failure reproduces. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

const ALPHABET = 'aZ09-_./:#+ éA\u0000x7fF8B';
const CANDIDATES: unknown[] = [
  null,
  undefined,
  true,
  0,
  -1,
  1,
  2,
  3,
  5,
  6,
  1.5,
  2 ** 53,
  1_577_836_799_999,
  1_577_836_800_000,
  4_102_444_800_000,
  4_102_444_800_001,
  '',
  'a',
  'A',
  '-a',
  'a'.repeat(64),
  'a'.repeat(65),
  'keypad3',
  'keypad4',
  'keypad5',
  'stars5',
  'stars4',
  'keypad',
  'touch',
  'slow',
  'Slow',
  '0000-0',
  '000.00.12.H26-250101-0001',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '0192b3c4-d5e6-7f80-9a1b-2c3d4e5f6a7b',
  '0192B3C4-D5E6-7F80-9A1B-2C3D4E5F6A7B',
  '0192b3c4-d5e6-4f80-9a1b-2c3d4e5f6a7b',
  '0192b3c4-d5e6-9f80-9a1b-2c3d4e5f6a7b',
  '0192b3c4-d5e6-7f80-ca1b-2c3d4e5f6a7b',
  [],
  ['slow'],
  ['Slow'],
  Array.from({ length: 8 }, () => 'slow'),
  Array.from({ length: 9 }, () => 'slow'),
  Array.from({ length: 20 }, () => 'D-1'),
  Array.from({ length: 21 }, () => 'D-1'),
  {},
];

function randomString(r: () => number): string {
  const n = Math.floor(r() * 20);
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(r() * ALPHABET.length)];
  return s;
}

describe('fastRating', () => {
  it('accepts ordinary ratings, exactly as zod parses them', () => {
    for (const over of [
      {},
      { officerId: null, ticket: 'A-12', dossierIds: ['000.00.12.H26-250101-0001'] },
      {
        scale: 'stars5' as const,
        level: 5,
        reasons: ['slow', 'rude'],
        responseMs: null,
        source: 'touch' as const,
      },
    ]) {
      const r = JSON.parse(JSON.stringify(ratingFor('d1', over))) as unknown;
      const z = RatingEvent.safeParse(r);
      expect(z.success).toBe(true);
      expect(fastRating(r)).toEqual(z.data);
    }
  });

  it('never accepts what zod refuses, over mutations of every field', () => {
    const r = rng(42);
    const base = JSON.parse(JSON.stringify(ratingFor('d1'))) as Record<string, unknown>;
    const keys = [...Object.keys(base), 'extra', '__proto__'];
    let accepted = 0;
    let refusedByBoth = 0;
    for (let i = 0; i < 20_000; i++) {
      const x: Record<string, unknown> = JSON.parse(JSON.stringify(base));
      for (let m = 1 + Math.floor(r() * 3); m > 0; m--) {
        const key = keys[Math.floor(r() * keys.length)] as string;
        const roll = r();
        if (roll < 0.1) delete x[key];
        else if (roll < 0.3) x[key] = randomString(r);
        else x[key] = CANDIDATES[Math.floor(r() * CANDIDATES.length)];
      }
      // Through JSON, as the ingest sees it (undefined drops, __proto__ becomes an own key).
      const json = JSON.parse(JSON.stringify(x).replace('"extra"', r() < 0.5 ? '"__proto__"' : '"extra"'));
      const fast = fastRating(json);
      const z = RatingEvent.safeParse(json);
      if (fast !== null) {
        expect(z.success, JSON.stringify(json)).toBe(true);
        expect(fast).toEqual(z.data);
        accepted++;
      } else if (!z.success) refusedByBoth++;
    }
    // The mutations must exercise both sides, or this proves nothing.
    expect(accepted).toBeGreaterThan(500);
    expect(refusedByBoth).toBeGreaterThan(5_000);
  });

  it('leaves non-objects to zod', () => {
    for (const x of [null, 1, 'x', [], [ratingFor('d1')]]) expect(fastRating(x)).toBeNull();
  });
});
