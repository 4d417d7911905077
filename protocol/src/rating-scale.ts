import { z } from 'zod';

/**
 * Devices differ (3, 4 or 5 keys, 1–5 stars). We store what the citizen pressed together with
 * its scale and derive the official 3-level view (Circular 01/2018/TT-VPCP) and, from that view,
 * a 0–100 index.
 * Levels run from 1 (worst) to `levels` (best) on every scale.
 */
export const RatingScale = z.enum(['keypad3', 'keypad4', 'keypad5', 'stars5']);
export type RatingScale = z.infer<typeof RatingScale>;

export const SCALE_LEVELS: Record<RatingScale, number> = { keypad3: 3, keypad4: 4, keypad5: 5, stars5: 5 };
/** The top level of the widest scale (`ratings.level` is a smallint). */
export const MAX_LEVEL = Math.max(...Object.values(SCALE_LEVELS));

export type OfficialLevel = 'very_satisfied' | 'satisfied' | 'unsatisfied';

/** Vietnamese labels of each level on each scale, best first as printed on the keypads. */
export const LEVEL_LABELS: Record<RatingScale, Record<number, { vi: string; en: string }>> = {
  keypad3: {
    3: { vi: 'Rất hài lòng', en: 'Very satisfied' },
    2: { vi: 'Hài lòng', en: 'Satisfied' },
    1: { vi: 'Không hài lòng', en: 'Unsatisfied' },
  },
  keypad4: {
    4: { vi: 'Rất hài lòng', en: 'Very satisfied' },
    3: { vi: 'Hài lòng', en: 'Satisfied' },
    2: { vi: 'Bình thường', en: 'Neutral' },
    1: { vi: 'Không hài lòng', en: 'Unsatisfied' },
  },
  keypad5: {
    5: { vi: 'Rất hài lòng', en: 'Very satisfied' },
    4: { vi: 'Hài lòng', en: 'Satisfied' },
    3: { vi: 'Bình thường', en: 'Neutral' },
    2: { vi: 'Không hài lòng', en: 'Unsatisfied' },
    1: { vi: 'Rất không hài lòng', en: 'Very unsatisfied' },
  },
  stars5: {
    5: { vi: '5 sao', en: '5 stars' },
    4: { vi: '4 sao', en: '4 stars' },
    3: { vi: '3 sao', en: '3 stars' },
    2: { vi: '2 sao', en: '2 stars' },
    1: { vi: '1 sao', en: '1 star' },
  },
};

export function isValidLevel(scale: RatingScale, level: number): boolean {
  return Number.isInteger(level) && level >= 1 && level <= SCALE_LEVELS[scale];
}

/**
 * Points of each official level on the 0–100 index, THE weights of the cross-scale index
 * (documented with its formula in @onestop/evaluation, `satisfactionIndex`). Circular
 * 01/2018/TT-VPCP scores each of its nine criteria, officer attitude among them, from 0 to 2
 * points; read per official level that is Rất hài lòng 2 · Hài lòng 1 · Không hài lòng 0, scaled
 * here to 100 · 50 · 0. Derived from the official level, not the pressed one, so that a 4-key
 * *Bình thường* and a 3-key *Hài lòng* (both officially "satisfied") score the same and an
 * officer's index does not depend on the keypad model.
 */
export const OFFICIAL_INDEX_POINTS: Readonly<Record<OfficialLevel, number>> = {
  very_satisfied: 100,
  satisfied: 50,
  unsatisfied: 0,
};

/** One rating's points on the 0–100 index (stored as `ratings.score`): its official level's weight. */
export function ratingIndex(scale: RatingScale, level: number): number {
  return OFFICIAL_INDEX_POINTS[officialLevel(scale, level)];
}

/**
 * The official 3-level view. "Neutral" (Bình thường) counts as satisfied, not unsatisfied: the
 * national portals have no neutral level and Decision 766 counts a dossier as satisfied when it is
 * "not rated unsatisfied".
 */
export function officialLevel(scale: RatingScale, level: number): OfficialLevel {
  const n = SCALE_LEVELS[scale];
  if (level === n) return 'very_satisfied';
  const unsatisfiedUpTo = scale === 'keypad3' || scale === 'keypad4' ? 1 : 2;
  return level <= unsatisfiedUpTo ? 'unsatisfied' : 'satisfied';
}
