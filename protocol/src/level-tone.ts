import { isValidLevel, officialLevel, type RatingScale } from './rating-scale.js';

/**
 * How a level should *feel* on any screen (kiosk buttons, dashboard bars). Semantic, not a colour:
 * each surface maps tones to its own palette, but every surface agrees on which level is which.
 */
export type LevelTone = 'very-positive' | 'positive' | 'neutral' | 'negative';

export const LEVEL_TONES: readonly LevelTone[] = ['very-positive', 'positive', 'neutral', 'negative'];

/**
 * The tone of `level` on `scale`, derived from the official 3-level view so colours never
 * contradict the statistics: the best level is very positive, the official "unsatisfied" band is
 * negative, and on 4- and 5-level scales the lowest satisfied level is the middle "Bình thường"
 * (neutral) — it counts as satisfied officially but should not look like praise. A 3-level keypad
 * has no middle level, so its "Hài lòng" stays positive.
 */
export function levelTone(scale: RatingScale, level: number): LevelTone {
  if (!isValidLevel(scale, level)) throw new RangeError(`level ${level} is not on scale ${scale}`);
  const official = officialLevel(scale, level);
  if (official === 'very_satisfied') return 'very-positive';
  if (official === 'unsatisfied') return 'negative';
  const lowestSatisfied = officialLevel(scale, level - 1) === 'unsatisfied';
  const hasMiddle = scale !== 'keypad3';
  return hasMiddle && lowestSatisfied ? 'neutral' : 'positive';
}
