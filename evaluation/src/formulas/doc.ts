import type { Figure } from './figure.js';

/** Every text a leader reads about a figure, in Vietnamese first and English. */
export interface Text {
  vi: string;
  en: string;
}

/** How a figure is shown: a share is printed in per cent, points as they are. */
export type FigureKind = 'share' | 'points';

/** What the "Cách tính" page says about one figure; lives beside the code that computes it. */
export interface FormulaDoc {
  id: string;
  name: Text;
  formula: Text;
  /** The legal text the figure follows, and what of it could not be checked. */
  source: Text;
  interval: Text;
  /** When the figure is coloured good or bad (the rule of `figureOf`). */
  colour: Text;
  /** What `n` counts, and the fewest for a verdict. */
  sample: Text;
  minSample: number | null;
  kind: FigureKind | null;
}

/** A figure's documentation and the function that computes it, kept in one object. */
export interface Formula<Input, Output = Figure> {
  readonly doc: FormulaDoc;
  compute(input: Input): Output;
}
