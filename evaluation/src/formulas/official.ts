import {
  type Lang,
  LEVEL_LABELS,
  OFFICIAL_INDEX_POINTS,
  type OfficialLevel,
  officialLevel,
  type RatingScale,
} from '@onestop/protocol';
import type { Formula, Text } from './doc.js';

/** Ratings per official level (Circular 01/2018/TT-VPCP: Rất hài lòng · Hài lòng · Không hài lòng). */
export interface OfficialCounts {
  verySatisfied: number;
  satisfied: number;
  unsatisfied: number;
}

/** Best first, as the national portals print them. */
export const OFFICIAL_LEVELS: readonly OfficialLevel[] = ['very_satisfied', 'satisfied', 'unsatisfied'];

/** The 3-key keypad IS the official scale: its labels name the official levels. */
export const OFFICIAL_LEVEL_NAMES = Object.fromEntries(
  Object.entries(LEVEL_LABELS.keypad3).map(([level, label]) => [
    officialLevel('keypad3', Number(level)),
    label,
  ]),
) as Record<OfficialLevel, Text>;

const FIELD: Record<OfficialLevel, keyof OfficialCounts> = {
  very_satisfied: 'verySatisfied',
  satisfied: 'satisfied',
  unsatisfied: 'unsatisfied',
};

export function countAt(c: OfficialCounts, level: OfficialLevel): number {
  return c[FIELD[level]];
}

export function ratingsIn(c: OfficialCounts): number {
  return c.verySatisfied + c.satisfied + c.unsatisfied;
}

export const NO_RATINGS: OfficialCounts = Object.freeze({ verySatisfied: 0, satisfied: 0, unsatisfied: 0 });

export function addCounts(a: OfficialCounts, b: OfficialCounts): OfficialCounts {
  return {
    verySatisfied: a.verySatisfied + b.verySatisfied,
    satisfied: a.satisfied + b.satisfied,
    unsatisfied: a.unsatisfied + b.unsatisfied,
  };
}

/** "100 × Rất hài lòng + 50 × Hài lòng + 0 × Không hài lòng", from the weights themselves. */
export function indexWeightsText(lang: Lang): string {
  return OFFICIAL_LEVELS.map((l) => `${OFFICIAL_INDEX_POINTS[l]} × ${OFFICIAL_LEVEL_NAMES[l][lang]}`).join(
    ' + ',
  );
}

/** The official 3-level counts of pressed ratings, through the protocol's one level mapping. */
export const officialCounts: Formula<Iterable<{ scale: RatingScale; level: number }>, OfficialCounts> = {
  doc: {
    id: 'official-counts',
    name: { vi: 'Số đánh giá theo 3 mức chính thức', en: 'Ratings on the three official levels' },
    formula: {
      vi: 'Mỗi mức người dân bấm được quy về một trong 3 mức chính thức (bảng bên dưới) rồi đếm. "Bình thường" của bàn phím 4 và 5 nút được tính là Hài lòng: cổng quốc gia không có mức trung lập, và hồ sơ chỉ bị coi là không hài lòng khi bị đánh giá Không hài lòng.',
      en: 'Each level a citizen pressed is mapped to one of the three official levels (table below) and counted. The "Neutral" key of 4- and 5-key keypads counts as Satisfied: the national portals have no neutral level, and a dossier is unsatisfied only when rated Unsatisfied.',
    },
    source: {
      vi: 'Thông tư 01/2018/TT-VPCP (hướng dẫn Nghị định 61/2018/NĐ-CP): 3 mức Rất hài lòng · Hài lòng · Không hài lòng.',
      en: 'Circular 01/2018/TT-VPCP (guiding Decree 61/2018/NĐ-CP): three levels Very satisfied · Satisfied · Unsatisfied.',
    },
    interval: { vi: 'Không áp dụng (số đếm).', en: 'None (counts).' },
    colour: { vi: 'Không tô màu.', en: 'Never coloured.' },
    sample: { vi: 'Đánh giá được tính cho cán bộ.', en: 'Ratings counted for officers.' },
    minSample: null,
    kind: null,
  },
  compute(ratings) {
    const c = { verySatisfied: 0, satisfied: 0, unsatisfied: 0 };
    for (const r of ratings) c[FIELD[officialLevel(r.scale, r.level)]] += 1;
    return c;
  },
};
