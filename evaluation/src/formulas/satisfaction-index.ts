import { OFFICIAL_INDEX_POINTS } from '@onestop/protocol';
import type { Formula } from './doc.js';
import { type Figure, figureOf, MIN_SAMPLE } from './figure.js';
import { boundedMeanInterval } from './intervals.js';
import { countAt, indexWeightsText, OFFICIAL_LEVELS, type OfficialCounts, ratingsIn } from './official.js';

/**
 * The 0–100 satisfaction index: the mean of each rating's points, computed exactly from the
 * official counts (never from per-rating scores rounded beforehand), so an officer with only
 * *Hài lòng* scores 50 on any keypad. Its interval is the Wilson score interval of the mean
 * weight (index ÷ 100, in [0, 1]) with its largest possible variance (`boundedMeanInterval`):
 * Student's t on the sample variance would collapse to a point when every rating is the same.
 */
export const satisfactionIndex: Formula<OfficialCounts> = {
  doc: {
    id: 'satisfaction-index',
    name: {
      vi: 'Chỉ số hài lòng (0–100, so sánh được giữa các loại bàn phím)',
      en: 'Satisfaction index (0–100, comparable across keypads)',
    },
    formula: {
      vi: `(${indexWeightsText('vi')}) ÷ số đánh giá, tính từ 3 mức chính thức nên không phụ thuộc loại bàn phím; chỉ làm tròn khi hiển thị.`,
      en: `(${indexWeightsText('en')}) ÷ ratings, from the three official levels so it does not depend on the keypad model; rounded only for display.`,
    },
    source: {
      vi: 'Thông tư 01/2018/TT-VPCP chấm mỗi tiêu chí (trong đó có tiêu chí 7, thái độ của cán bộ, công chức, viên chức) từ 0 đến 2 điểm. Trọng số Rất hài lòng 2 · Hài lòng 1 · Không hài lòng 0 điểm là cách dự án đọc thang điểm đó, nhân 50 để ra thang 0–100; việc gán 0–2 điểm cho từng mức hài lòng chưa đối chiếu được với nguyên văn Thông tư.',
      en: 'Circular 01/2018/TT-VPCP scores each criterion (criterion 7 being the attitude of the officer) from 0 to 2 points. The weights Very satisfied 2 · Satisfied 1 · Unsatisfied 0 are the project’s reading of that scale, times 50 for a 0–100 scale; which level earns which points could not be checked against the Circular’s own text.',
    },
    interval: {
      vi: 'Khoảng Wilson 95 % (Wilson 1927) của trung bình trọng số m = chỉ số ÷ 100, nằm trong [0, 1] (mỗi đánh giá 0; 0,5 hoặc 1): các giá trị μ với |m − μ| ≤ z · √(μ(1 − μ) ÷ n), z = 1,96, rồi nhân 100. Một đại lượng trong [0, 1] có trung bình μ thì phương sai không quá μ(1 − μ) (bất đẳng thức Bhatia–Davis, 2000), nên khoảng này an toàn (có thể rộng hơn cần thiết) và không bao giờ co về một điểm khi mọi đánh giá như nhau, khác với khoảng Student t trên phương sai mẫu.',
      en: 'Wilson 95 % score interval (Wilson 1927) of the mean weight m = index ÷ 100, in [0, 1] (each rating 0, 0.5 or 1): the means μ with |m − μ| ≤ z · √(μ(1 − μ) ÷ n), z = 1.96, times 100. A quantity in [0, 1] with mean μ has variance at most μ(1 − μ) (Bhatia–Davis inequality, 2000), so the interval is conservative (it may be wider than needed) and never shrinks to a point when every rating is the same, unlike Student’s t on the sample variance.',
    },
    colour: {
      vi: 'Không tô màu: chỉ số không có mức chuẩn chính thức.',
      en: 'Never coloured: the index has no official target.',
    },
    sample: {
      vi: `Số đánh giá; dưới ${MIN_SAMPLE} đánh giá hiển thị mờ "quá ít đánh giá".`,
      en: `Ratings; below ${MIN_SAMPLE} it is greyed as "too few ratings".`,
    },
    minSample: MIN_SAMPLE,
    kind: 'points',
  },
  compute(c): Figure {
    const n = ratingsIn(c);
    if (n === 0) return figureOf(0, null, null);
    const weighted = OFFICIAL_LEVELS.map((l) => ({ count: countAt(c, l), points: OFFICIAL_INDEX_POINTS[l] }));
    const mean = weighted.reduce((s, w) => s + w.count * w.points, 0) / n;
    const share = boundedMeanInterval(mean / 100, n);
    return figureOf(n, mean, share && { low: 100 * share.low, high: 100 * share.high });
  },
};
