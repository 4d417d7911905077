import type { Formula } from './doc.js';
import { type Figure, figureOf, MIN_SAMPLE } from './figure.js';
import { wilsonInterval, Z95 } from './intervals.js';
import { type OfficialCounts, ratingsIn } from './official.js';

/**
 * The share a satisfied figure should reach: the 80 % the dashboard has always marked. It is the
 * project's threshold, not a legal one: Resolution 76/NQ-CP's satisfaction targets (90 % and more)
 * could not be checked here and concern surveys, not keypads.
 */
export const SATISFIED_SHARE_TARGET = 0.8;

const pct = (x: number) => `${Math.round(x * 100)} %`;

const WILSON = {
  vi: `Khoảng Wilson 95 %: (p̂ + z²/2n ± z·√(p̂(1 − p̂)/n + z²/4n²)) ÷ (1 + z²/n), z = ${Z95.toFixed(2).replace('.', ',')} (phân vị 0,975 của phân phối chuẩn).`,
  en: `Wilson 95 % score interval: (p̂ + z²/2n ± z·√(p̂(1 − p̂)/n + z²/4n²)) ÷ (1 + z²/n), z = ${Z95.toFixed(2)} (the normal 0.975 quantile).`,
};

export const TARGET_COLOUR = {
  vi: `Đỏ (không đạt) khi cả cận trên của khoảng tin cậy vẫn dưới ${pct(SATISFIED_SHARE_TARGET)}; xanh (đạt) khi cận dưới từ ${pct(SATISFIED_SHARE_TARGET)} trở lên; không tô màu khi khoảng tin cậy chứa ${pct(SATISFIED_SHARE_TARGET)} hoặc khi dưới ${MIN_SAMPLE} mẫu.`,
  en: `Red (misses) when even the upper bound of the interval is below ${pct(SATISFIED_SHARE_TARGET)}; green (meets) when its lower bound is ${pct(SATISFIED_SHARE_TARGET)} or more; no colour when the interval contains ${pct(SATISFIED_SHARE_TARGET)} or below ${MIN_SAMPLE} samples.`,
};

const PER_RATING = {
  vi: `Số đánh giá; dưới ${MIN_SAMPLE} đánh giá hiển thị mờ "quá ít đánh giá", không tô màu.`,
  en: `Ratings; below ${MIN_SAMPLE} it is greyed as "too few ratings" and never coloured.`,
};

/** Per rating, the officer-attitude criterion: not the Decision 766 per-dossier indicator. */
export const satisfiedShare: Formula<OfficialCounts> = {
  doc: {
    id: 'satisfied-share',
    name: {
      vi: 'Tỷ lệ hài lòng với thái độ cán bộ (theo lượt đánh giá)',
      en: "Share satisfied with the officer's attitude (per rating)",
    },
    formula: {
      vi: '(Rất hài lòng + Hài lòng) ÷ số đánh giá. Tính theo từng lượt đánh giá, không theo hồ sơ: khác với tỷ lệ hồ sơ hài lòng của Quyết định 766/QĐ-TTg.',
      en: '(Very satisfied + Satisfied) ÷ ratings. Per rating, not per dossier: not the Decision 766/QĐ-TTg share of satisfied dossiers.',
    },
    source: {
      vi: 'Thông tư 01/2018/TT-VPCP, tiêu chí 7: thái độ của cán bộ, công chức, viên chức khi hướng dẫn lập hồ sơ, tiếp nhận hồ sơ và giải quyết thủ tục hành chính.',
      en: 'Circular 01/2018/TT-VPCP, criterion 7: the attitude of the officer guiding, receiving and handling the dossier.',
    },
    interval: WILSON,
    colour: TARGET_COLOUR,
    sample: PER_RATING,
    minSample: MIN_SAMPLE,
    kind: 'share',
  },
  compute(c): Figure {
    const n = ratingsIn(c);
    const satisfied = c.verySatisfied + c.satisfied;
    return figureOf(n, n > 0 ? satisfied / n : null, wilsonInterval(satisfied, n), {
      target: SATISFIED_SHARE_TARGET,
    });
  },
};

export const verySatisfiedShare: Formula<OfficialCounts> = {
  doc: {
    id: 'very-satisfied-share',
    name: { vi: 'Tỷ lệ rất hài lòng', en: 'Share very satisfied' },
    formula: { vi: 'Rất hài lòng ÷ số đánh giá.', en: 'Very satisfied ÷ ratings.' },
    source: {
      vi: 'Thông tư 01/2018/TT-VPCP: mức Rất hài lòng của 3 mức chính thức.',
      en: 'Circular 01/2018/TT-VPCP: the Very satisfied level of the three official levels.',
    },
    interval: WILSON,
    colour: { vi: 'Không tô màu: không có mức chuẩn.', en: 'Never coloured: no target.' },
    sample: PER_RATING,
    minSample: MIN_SAMPLE,
    kind: 'share',
  },
  compute(c): Figure {
    const n = ratingsIn(c);
    return figureOf(n, n > 0 ? c.verySatisfied / n : null, wilsonInterval(c.verySatisfied, n));
  },
};
