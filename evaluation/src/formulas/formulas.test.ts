import { type RatingScale, SCALE_LEVELS } from '@onestop/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FORMULA_CATALOGUE, WORKED_EXAMPLE, workedExample } from './catalogue.js';
import { displayFigure, displayNumber } from './display.js';
import { countDossiers, dossierSatisfaction } from './dossier-satisfaction.js';
import { expressionIndex } from './expression.js';
import { MIN_SAMPLE } from './figure.js';
import { studentT95, Z95 } from './intervals.js';
import { officialCounts } from './official.js';
import { satisfactionIndex } from './satisfaction-index.js';
import { SATISFIED_SHARE_TARGET, satisfiedShare, verySatisfiedShare } from './shares.js';

const only = (scale: RatingScale, level: number, n: number) =>
  officialCounts.compute(Array.from({ length: n }, () => ({ scale, level })));

/** Points of a rating as the test reads the weights: by the level's label, not by the code. */
const POINTS_BY_LABEL: Record<string, number> = { 'Rất hài lòng': 100, 'Hài lòng': 50, 'Không hài lòng': 0 };

/** Two-pass mean and sample variance of raw values: the textbook way, independent of counts. */
function meanAndVariance(xs: number[]) {
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1);
  return { mean, variance };
}

const countsArb = fc.record({
  verySatisfied: fc.nat(400),
  satisfied: fc.nat(400),
  unsatisfied: fc.nat(400),
});

describe('the satisfaction index', () => {
  it('scores only Hài lòng 50 on any keypad, and a 4-key Bình thường 50 too', () => {
    const keypad4 = satisfactionIndex.compute(only('keypad4', 3, 40));
    const keypad3 = satisfactionIndex.compute(only('keypad3', 2, 40));
    const neutral = satisfactionIndex.compute(only('keypad4', 2, 40));
    expect(keypad4.value).toBe(50);
    expect(keypad3.value).toBe(50);
    expect(neutral.value).toBe(50);
    expect(displayNumber('points', keypad4.value)).toBe('50.0');
  });

  it('is computed exactly from counts, rounded only for display', () => {
    // Two very satisfied and one satisfied: (100 + 100 + 50) / 3 = 83.33…, never 83.0 or 84.
    const f = satisfactionIndex.compute({ verySatisfied: 2, satisfied: 1, unsatisfied: 0 });
    expect(f.value).toBeCloseTo(250 / 3, 12);
    expect(displayNumber('points', f.value)).toBe('83.3');
  });

  it('equals the mean of every rating’s points with its score interval, recomputed from raw ratings', () => {
    fc.assert(
      fc.property(countsArb, (c) => {
        const raw = [
          ...Array<number>(c.verySatisfied).fill(POINTS_BY_LABEL['Rất hài lòng']!),
          ...Array<number>(c.satisfied).fill(POINTS_BY_LABEL['Hài lòng']!),
          ...Array<number>(c.unsatisfied).fill(POINTS_BY_LABEL['Không hài lòng']!),
        ];
        const f = satisfactionIndex.compute(c);
        expect(f.n).toBe(raw.length);
        if (raw.length === 0) {
          expect(f.state).toBe('no_data');
          return;
        }
        const { mean } = meanAndVariance(raw);
        expect(f.value).toBeCloseTo(mean, 9);
        // The bounds solve |m − μ| = z·√(μ(1 − μ)/n) on the 0–1 scale, found here by bisection.
        const m = mean / 100;
        const n = raw.length;
        const inside = (mu: number) => Math.abs(m - mu) <= Z95 * Math.sqrt((mu * (1 - mu)) / n);
        const edge = (outside: number) => {
          let [lo, hi] = outside < m ? [outside, m] : [m, outside];
          for (let i = 0; i < 60; i++) {
            const mid = (lo + hi) / 2;
            if (inside(mid) === outside < m) hi = mid;
            else lo = mid;
          }
          return 100 * ((lo + hi) / 2);
        };
        expect(f.low).toBeCloseTo(inside(0) ? 0 : edge(0), 6);
        expect(f.high).toBeCloseTo(inside(1) ? 100 : edge(1), 6);
        expect(f.high! - f.low!).toBeGreaterThan(0);
      }),
    );
  });

  it('gives the textbook Wilson interval at the extremes, never a point', () => {
    // Newcombe (1998), Statistics in Medicine 17:857–872, table II, method 3 (score): 0/20 gives
    // 0–0.1611, 81/263 gives 0.2553–0.3662. Twenty Unsatisfied are 0/20; twenty Very satisfied its
    // mirror; 81 Very satisfied and 182 Unsatisfied are 81/263.
    const none = satisfactionIndex.compute({ verySatisfied: 0, satisfied: 0, unsatisfied: 20 });
    expect([none.value, none.low!, none.high!]).toEqual([0, expect.closeTo(0, 9), expect.closeTo(16.11, 2)]);
    const all = satisfactionIndex.compute({ verySatisfied: 20, satisfied: 0, unsatisfied: 0 });
    expect([all.value, all.low!, all.high!]).toEqual([100, expect.closeTo(83.89, 2), expect.closeTo(100, 9)]);
    const mixed = satisfactionIndex.compute({ verySatisfied: 81, satisfied: 0, unsatisfied: 182 });
    expect([mixed.low!, mixed.high!]).toEqual([expect.closeTo(25.53, 2), expect.closeTo(36.62, 2)]);
    // Only Hài lòng: the sample variance is 0, the interval is not.
    const half = satisfactionIndex.compute(only('keypad4', 3, 40));
    expect(half.low!).toBeLessThan(50);
    expect(half.high!).toBeGreaterThan(50);
  });

  it('maps every pressed level through the official view before weighting', () => {
    for (const scale of Object.keys(SCALE_LEVELS) as RatingScale[]) {
      for (let level = 1; level <= SCALE_LEVELS[scale]; level++) {
        const c = only(scale, level, 1);
        const expected = 100 * c.verySatisfied + 50 * c.satisfied;
        expect(satisfactionIndex.compute(c).value).toBe(expected);
      }
    }
  });
});

describe('shares', () => {
  it('give the satisfied share per rating with a Wilson interval', () => {
    const c = { verySatisfied: 19, satisfied: 22, unsatisfied: 4 };
    const f = satisfiedShare.compute(c);
    const p = 41 / 45;
    const z2 = Z95 * Z95;
    const centre = (p + z2 / 90) / (1 + z2 / 45);
    const half = (Z95 * Math.sqrt((p * (1 - p)) / 45 + z2 / (4 * 45 * 45))) / (1 + z2 / 45);
    expect(f).toMatchObject({ value: p, n: 45 });
    expect(f.low).toBeCloseTo(centre - half, 12);
    expect(f.high).toBeCloseTo(centre + half, 12);
    expect(verySatisfiedShare.compute(c).value).toBe(19 / 45);
  });

  it('never colours a figure from fewer ratings than the minimum, however bad', () => {
    // The auditor's case: 8 ratings, all unsatisfied, used to be flagged red.
    const eight = satisfiedShare.compute({ verySatisfied: 0, satisfied: 0, unsatisfied: 8 });
    expect(eight.state).toBe('too_few');
    fc.assert(
      fc.property(countsArb, (c) => {
        const n = c.verySatisfied + c.satisfied + c.unsatisfied;
        for (const f of [
          satisfiedShare.compute(c),
          satisfactionIndex.compute(c),
          verySatisfiedShare.compute(c),
        ]) {
          if (n === 0) expect(f.state).toBe('no_data');
          else if (n < MIN_SAMPLE) expect(f.state).toBe('too_few');
          else expect(f.state).not.toBe('too_few');
        }
      }),
    );
  });

  it('colours only when the whole interval is on one side of the target', () => {
    fc.assert(
      fc.property(countsArb, (c) => {
        const f = satisfiedShare.compute(c);
        if (f.state === 'bad') expect(f.high!).toBeLessThan(SATISFIED_SHARE_TARGET);
        if (f.state === 'good') expect(f.low!).toBeGreaterThanOrEqual(SATISFIED_SHARE_TARGET);
        if (f.state === 'measured') {
          expect(f.low!).toBeLessThan(SATISFIED_SHARE_TARGET);
          expect(f.high!).toBeGreaterThanOrEqual(SATISFIED_SHARE_TARGET);
        }
        // No target: never a verdict.
        expect(['no_data', 'too_few', 'measured']).toContain(verySatisfiedShare.compute(c).state);
        expect(['no_data', 'too_few', 'measured']).toContain(satisfactionIndex.compute(c).state);
      }),
    );
    expect(satisfiedShare.compute({ verySatisfied: 0, satisfied: 0, unsatisfied: 40 }).state).toBe('bad');
    expect(satisfiedShare.compute({ verySatisfied: 60, satisfied: 40, unsatisfied: 0 }).state).toBe('good');
  });
});

describe('the camera expression index', () => {
  it('is on 0–100 with a Student t interval from the sums', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 60 }), (xs) => {
        const f = expressionIndex.compute({
          samples: xs.length,
          sum: xs.reduce((s, x) => s + x, 0),
          sqSum: xs.reduce((s, x) => s + x * x, 0),
        });
        if (xs.length === 0) {
          expect(f.value).toBeNull();
          return;
        }
        const { mean, variance } = meanAndVariance(xs.map((x) => 100 * x));
        expect(f.value).toBeCloseTo(mean, 8);
        if (xs.length < 2) {
          expect(f.low).toBeNull();
          return;
        }
        const n = xs.length;
        const t = studentT95(n - 1);
        const half = t * Math.sqrt(variance / n);
        // The centre keeps only sums (roll-ups), so its variance is sqSum − sum²/n: when the
        // values nearly agree that difference cancels, with an error of a few ε·sqSum. Through the
        // square root (√(a+e) − √a ≤ √e) it bounds how far the interval may stand from a
        // two-pass one: 0.99999957 and 0.99999982 differ by 6e-7 points of 100 there.
        const sqSum = xs.reduce((s, x) => s + x * x, 0);
        const varianceError = (100 * 100 * 8 * n * Number.EPSILON * Math.max(1, sqSum)) / (n - 1);
        const tolerance = 1e-6 + t * Math.sqrt(varianceError / n);
        expect(Math.abs(f.low! - Math.max(0, mean - half))).toBeLessThanOrEqual(tolerance);
        expect(Math.abs(f.high! - Math.min(100, mean + half))).toBeLessThanOrEqual(tolerance);
        // Far from cancellation (values spread by a tenth or more) the tolerance stays tight.
        if (variance > 100) expect(tolerance).toBeLessThan(1e-3);
      }),
    );
  });
});

describe('the Decision 766 dossier indicator', () => {
  it('counts a dossier satisfied only when not rated unsatisfied, not complained about, not overdue', () => {
    const flags = fc.record({
      ratedUnsatisfied: fc.boolean(),
      complainedAbout: fc.boolean(),
      overdue: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(flags, { maxLength: 200 }), (ds) => {
        const c = countDossiers(ds);
        const clean = ds.filter((d) => !d.ratedUnsatisfied && !d.complainedAbout && !d.overdue).length;
        expect(c).toEqual({
          dossiers: ds.length,
          ratedUnsatisfied: ds.filter((d) => d.ratedUnsatisfied).length,
          complainedAbout: ds.filter((d) => d.complainedAbout).length,
          overdue: ds.filter((d) => d.overdue).length,
          satisfied: clean,
        });
        const f = dossierSatisfaction.compute(c);
        expect(f.n).toBe(ds.length);
        expect(f.value).toBe(ds.length ? clean / ds.length : null);
        if (ds.length > 0 && ds.length < MIN_SAMPLE) expect(f.state).toBe('too_few');
      }),
    );
  });
});

describe('display and catalogue', () => {
  it('prints shares in per cent and points as they are, with one decimal', () => {
    expect(displayNumber('share', 2 / 3)).toBe('66.7');
    expect(displayNumber('points', 200 / 3)).toBe('66.7');
    expect(displayNumber('share', null)).toBeNull();
    expect(displayNumber('points', -1e-12)).toBe('0.0');
    expect(
      displayFigure('share', satisfiedShare.compute({ verySatisfied: 1, satisfied: 0, unsatisfied: 0 })),
    ).toMatchObject({
      value: '100.0',
      unit: '%',
    });
  });

  it('documents every figure in both languages, with a unique id', () => {
    const ids = FORMULA_CATALOGUE.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const d of FORMULA_CATALOGUE)
      for (const text of [d.name, d.formula, d.source, d.interval, d.colour, d.sample]) {
        expect(text.vi.length).toBeGreaterThan(3);
        expect(text.en.length).toBeGreaterThan(3);
      }
  });

  it('computes the worked example with the same functions as the reports', () => {
    const w = workedExample();
    const n = WORKED_EXAMPLE.ratings.reduce((s, r) => s + r.count, 0);
    expect(w.official.verySatisfied + w.official.satisfied + w.official.unsatisfied).toBe(n);
    const index = w.figures.find((f) => f.doc.id === 'satisfaction-index')!.figure;
    expect(index).toEqual(satisfactionIndex.compute(w.official));
    // Fewer camera samples than the minimum: the example shows "too few".
    expect(w.figures.find((f) => f.doc.id === 'expression-index')!.figure.state).toBe('too_few');
  });
});
