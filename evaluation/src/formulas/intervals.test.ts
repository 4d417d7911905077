import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { studentT95, tInterval, wilsonInterval, Z95 } from './intervals.js';

describe('quantiles from stdlib', () => {
  it("gives Student's t and the normal quantile of the printed tables", () => {
    // Two-sided 95 % (upper 0.975) critical values, e.g. NIST/SEMATECH e-Handbook of Statistical
    // Methods, table 1.3.6.7.2 "Critical values of the Student's t distribution".
    expect(studentT95(1)).toBeCloseTo(12.706, 3);
    expect(studentT95(2)).toBeCloseTo(4.303, 3);
    expect(studentT95(10)).toBeCloseTo(2.228, 3);
    expect(studentT95(29)).toBeCloseTo(2.045, 3);
    expect(studentT95(100)).toBeCloseTo(1.984, 3);
    // Standard normal table: Φ⁻¹(0.975) = 1.959 964.
    expect(Z95).toBeCloseTo(1.959964, 6);
    // t tends to the normal quantile as the degrees of freedom grow.
    expect(studentT95(1e7)).toBeCloseTo(Z95, 5);
  });
});

describe('wilsonInterval', () => {
  it('matches the score-method examples of Newcombe (1998)', () => {
    // R. G. Newcombe, "Two-sided confidence intervals for the single proportion: comparison of
    // seven methods", Statistics in Medicine 17 (1998) 857–872, table II, method 3 (score).
    const cases: Array<[number, number, number, number]> = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
    ];
    for (const [x, n, low, high] of cases) {
      const i = wilsonInterval(x, n)!;
      expect(i.low).toBeCloseTo(low, 4);
      expect(i.high).toBeCloseTo(high, 4);
    }
  });

  it('bounds the shares p with |p̂ − p| = z·√(p(1 − p)/n), found by bisection', () => {
    // The interval's definition, solved numerically rather than by the closed form.
    // Inside the interval |p̂ − p| < z·√(p(1 − p)/n); the bounds are where that turns.
    const inside = (x: number, n: number, p: number) =>
      Math.abs(x / n - p) < Z95 * Math.sqrt((p * (1 - p)) / n);
    const bound = (x: number, n: number, outside: number, within: number) => {
      let [a, b] = [outside, within];
      for (let i = 0; i < 200; i++) {
        const m = (a + b) / 2;
        if (inside(x, n, m)) b = m;
        else a = m;
      }
      return (a + b) / 2;
    };
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 2000 })
          .chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n))),
        ([x, n]) => {
          const i = wilsonInterval(x, n)!;
          expect(i.low).toBeCloseTo(x === 0 ? 0 : bound(x, n, 0, x / n), 9);
          expect(i.high).toBeCloseTo(x === n ? 1 : bound(x, n, 1, x / n), 9);
        },
      ),
    );
  });

  it('has no interval without a sample', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe('tInterval', () => {
  it('is the mean ± t(0.975, n − 1)·s/√n, clipped to the range', () => {
    // Samples 50 and 52: mean 51, s² = 2, half-width 12.706 · √(2/2) — not 1.96.
    const i = tInterval(2, 51, 2, { min: 0, max: 100 })!;
    expect(i.low).toBeCloseTo(51 - 12.7062, 3);
    expect(i.high).toBeCloseTo(51 + 12.7062, 3);
    expect(tInterval(2, 70, 200, { min: 0, max: 100 })).toEqual({ low: 0, high: 100 });
    expect(tInterval(1, 70, 0, { min: 0, max: 100 })).toBeNull();
  });
});
