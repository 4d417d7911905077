import type { FigureKind } from './doc.js';
import type { Figure } from './figure.js';

/**
 * How each kind of figure is printed, the one rounding of the project: the pages, the CSV and
 * the "Cách tính" example all go through `displayNumber`, so a figure reads the same everywhere.
 * The JSON API gives the exact, unrounded value on the same scale as the stored figure (a share
 * as 0–1, points as 0–100).
 */
export const DISPLAY: Readonly<Record<FigureKind, { scale: number; digits: number; unit: string }>> = {
  share: { scale: 100, digits: 1, unit: '%' },
  points: { scale: 1, digits: 1, unit: '' },
};

export function displayNumber(kind: FigureKind, x: number | null): string | null {
  if (x === null) return null;
  const { scale, digits } = DISPLAY[kind];
  const shown = (x * scale).toFixed(digits);
  // -0.0 from a clipped bound is still 0.
  return Number(shown) === 0 ? (0).toFixed(digits) : shown;
}

/** The value and its interval as printed, with the unit ("66.7", "58.1", "75.3", ""). */
export function displayFigure(kind: FigureKind, f: Figure) {
  return {
    value: displayNumber(kind, f.value),
    low: displayNumber(kind, f.low),
    high: displayNumber(kind, f.high),
    unit: DISPLAY[kind].unit,
  };
}
