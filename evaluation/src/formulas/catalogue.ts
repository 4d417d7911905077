import type { RatingScale } from '@onestop/protocol';
import type { FormulaDoc } from './doc.js';
import {
  countDossiers,
  type DossierCounts,
  type DossierFlags,
  dossierSatisfaction,
} from './dossier-satisfaction.js';
import { type CameraSums, expressionIndex } from './expression.js';
import type { Figure } from './figure.js';
import { type OfficialCounts, officialCounts } from './official.js';
import { satisfactionIndex } from './satisfaction-index.js';
import { satisfiedShare, verySatisfiedShare } from './shares.js';

/** Every figure the dashboard shows, in the order the "Cách tính" page explains them. */
export const FORMULA_CATALOGUE: readonly FormulaDoc[] = [
  officialCounts.doc,
  satisfiedShare.doc,
  verySatisfiedShare.doc,
  satisfactionIndex.doc,
  dossierSatisfaction.doc,
  expressionIndex.doc,
];

/**
 * A made-up period of one officer, for the page's worked example: two keypad models, dossiers
 * with each kind of failure, and fewer camera samples than the minimum (to show "too few").
 */
export const WORKED_EXAMPLE: {
  ratings: ReadonlyArray<{ scale: RatingScale; level: number; count: number }>;
  dossiers: ReadonlyArray<DossierFlags & { count: number }>;
  camera: readonly number[];
} = {
  ratings: [
    { scale: 'keypad4', level: 4, count: 14 },
    { scale: 'keypad4', level: 3, count: 12 },
    { scale: 'keypad4', level: 2, count: 6 },
    { scale: 'keypad4', level: 1, count: 3 },
    { scale: 'keypad3', level: 3, count: 5 },
    { scale: 'keypad3', level: 2, count: 4 },
    { scale: 'keypad3', level: 1, count: 1 },
  ],
  dossiers: [
    { ratedUnsatisfied: false, complainedAbout: false, overdue: false, count: 35 },
    { ratedUnsatisfied: true, complainedAbout: false, overdue: false, count: 3 },
    { ratedUnsatisfied: false, complainedAbout: true, overdue: false, count: 1 },
    { ratedUnsatisfied: true, complainedAbout: true, overdue: false, count: 1 },
  ],
  camera: [0.82, 0.64, 0.71, 0.9, 0.55, 0.78, 0.69, 0.86, 0.6, 0.74, 0.81, 0.67],
};

export interface WorkedExample {
  official: OfficialCounts;
  dossiers: DossierCounts;
  camera: CameraSums;
  figures: ReadonlyArray<{ doc: FormulaDoc; figure: Figure }>;
}

function repeat<T extends { count: number }>(rows: readonly T[]): Array<Omit<T, 'count'>> {
  return rows.flatMap(({ count, ...row }) => Array.from({ length: count }, () => row));
}

/** The example computed by the very functions the reports use. */
export function workedExample(): WorkedExample {
  const official = officialCounts.compute(repeat(WORKED_EXAMPLE.ratings));
  const dossiers = countDossiers(repeat(WORKED_EXAMPLE.dossiers));
  const camera = {
    samples: WORKED_EXAMPLE.camera.length,
    sum: WORKED_EXAMPLE.camera.reduce((s, x) => s + x, 0),
    sqSum: WORKED_EXAMPLE.camera.reduce((s, x) => s + x * x, 0),
  };
  return {
    official,
    dossiers,
    camera,
    figures: [
      { doc: satisfiedShare.doc, figure: satisfiedShare.compute(official) },
      { doc: verySatisfiedShare.doc, figure: verySatisfiedShare.compute(official) },
      { doc: satisfactionIndex.doc, figure: satisfactionIndex.compute(official) },
      { doc: dossierSatisfaction.doc, figure: dossierSatisfaction.compute(dossiers) },
      { doc: expressionIndex.doc, figure: expressionIndex.compute(camera) },
    ],
  };
}
