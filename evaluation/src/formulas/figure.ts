/**
 * One shape for every evaluation figure, used alike by the store, the pages, the CSV and the
 * JSON API, so that the four can never disagree about what a number is or whether it may be
 * coloured.
 */

/**
 * - `no_data`: nothing behind it (value null).
 * - `too_few`: fewer than the figure's minimum sample: shown greyed as "too few ratings", never
 *   coloured good or bad, however low or high it is.
 * - `measured`: enough samples, and either no target or an interval that straddles the target.
 * - `good` / `bad`: the whole 95 % interval lies at or above / below the target.
 */
export type FigureState = 'no_data' | 'too_few' | 'measured' | 'good' | 'bad';

export interface Figure {
  /** Exact, unrounded: rounding is for display only (`displayNumber`). Null with no sample. */
  value: number | null;
  /** 95 % interval; null where none can be computed (no sample, or a mean from one sample). */
  low: number | null;
  high: number | null;
  /** What the figure counts: ratings, dossiers or camera-observed visits. */
  n: number;
  state: FigureState;
}

/**
 * Below this many ratings (dossiers, camera samples) a figure is `too_few`. Thirty is the usual
 * rule of thumb for a normal approximation; at 30 ratings the 95 % Wilson interval of a share
 * near 80 % is still about ±14 points wide, so a verdict before that would mostly be noise.
 */
export const MIN_SAMPLE = 30;

export interface Interval {
  low: number;
  high: number;
}

/**
 * The colouring rule, the only one: `bad` when the interval's upper bound is below the target
 * (even the most favourable reading misses it), `good` when its lower bound reaches the target,
 * otherwise no colour. Never a verdict below `minSample`.
 */
export function figureOf(
  n: number,
  value: number | null,
  interval: Interval | null,
  opts: { target?: number; minSample?: number } = {},
): Figure {
  if (n === 0 || value === null) return { value: null, low: null, high: null, n, state: 'no_data' };
  const low = interval?.low ?? null;
  const high = interval?.high ?? null;
  let state: FigureState = 'measured';
  if (n < (opts.minSample ?? MIN_SAMPLE)) state = 'too_few';
  else if (opts.target !== undefined && high !== null && low !== null) {
    if (high < opts.target) state = 'bad';
    else if (low >= opts.target) state = 'good';
  }
  return { value, low, high, n, state };
}

/**
 * The same figure judged against another target (a unit's own, `UnitSettings.targets`): value,
 * interval and sample unchanged, only `good` / `bad` / `measured` decided anew by `figureOf`.
 */
export function againstTarget(f: Figure, target: number, minSample = MIN_SAMPLE): Figure {
  if (f.state === 'no_data') return f;
  const interval = f.low !== null && f.high !== null ? { low: f.low, high: f.high } : null;
  return figureOf(f.n, f.value, interval, { target, minSample });
}
