import normalQuantile from '@stdlib/stats-base-dists-normal-quantile';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import type { Interval } from './figure.js';

/** Every interval on the pages is a two-sided 95 % interval. */
export const CONFIDENCE = 0.95;
const UPPER_TAIL = 1 - (1 - CONFIDENCE) / 2;

/** The standard normal quantile for 95 % (1.959 963 98…), from stdlib rather than typed in. */
export const Z95: number = normalQuantile(UPPER_TAIL, 0, 1);

/** Student's t quantile for a two-sided 95 % interval with `df` degrees of freedom. */
export function studentT95(df: number): number {
  return tQuantile(UPPER_TAIL, df);
}

/**
 * Wilson score interval (Wilson 1927) of a share `successes / n`: unlike the normal
 * approximation it stays inside [0, 1] and does not collapse to a point at 0 % or 100 %.
 */
export function wilsonInterval(successes: number, n: number): Interval | null {
  if (n <= 0) return null;
  const p = successes / n;
  const z2 = Z95 * Z95;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * Student's t interval of a mean from `n` samples with sample variance `variance` (divided by
 * n − 1), clipped to the figure's range. None from a single sample: nothing measures its spread.
 */
export function tInterval(
  n: number,
  mean: number,
  variance: number,
  range: { min: number; max: number },
): Interval | null {
  if (n < 2) return null;
  const half = studentT95(n - 1) * Math.sqrt(Math.max(0, variance) / n);
  return { low: Math.max(range.min, mean - half), high: Math.min(range.max, mean + half) };
}

/**
 * Score interval of the mean of ratings bounded in [0, 1] (each weight 0, ½ or 1): the Wilson
 * interval with the mean as its share, i.e. the means μ with |x̄ − μ| ≤ z·√(μ(1 − μ)/n). By the
 * Bhatia–Davis inequality a variable in [0, 1] with mean μ has variance at most μ(1 − μ), so this
 * is the Wilson score interval (Wilson 1927) with the largest variance the mean allows:
 * conservative for half-weights, exact for 0/1, and never a point when every rating is the same
 * (where the sample variance, and so Student's t, gives zero width).
 */
export function boundedMeanInterval(mean: number, n: number): Interval | null {
  return wilsonInterval(mean * n, n);
}
