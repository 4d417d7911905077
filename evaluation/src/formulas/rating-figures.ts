import { type CameraSums, expressionIndex } from './expression.js';
import type { Figure } from './figure.js';
import { type OfficialCounts, ratingsIn } from './official.js';
import { satisfactionIndex } from './satisfaction-index.js';
import { satisfiedShare, verySatisfiedShare } from './shares.js';

/** Every rating figure of an officer, a counter or a unit, from its counts and camera sums. */
export interface RatingFigures {
  /** Ratings counted (credited to the officer, or of the counter / unit). */
  ratings: number;
  official: OfficialCounts;
  /** 0–100. */
  index: Figure;
  /** 0–1, per rating: the officer-attitude criterion. */
  satisfiedShare: Figure;
  verySatisfiedShare: Figure;
  /** The camera's expression index on 0–100: shown apart, never mixed into ratings. */
  expression: Figure;
}

export function ratingFigures(official: OfficialCounts, camera: CameraSums): RatingFigures {
  return {
    ratings: ratingsIn(official),
    official,
    index: satisfactionIndex.compute(official),
    satisfiedShare: satisfiedShare.compute(official),
    verySatisfiedShare: verySatisfiedShare.compute(official),
    expression: expressionIndex.compute(camera),
  };
}
