import type { Formula } from './doc.js';
import { type Figure, figureOf, MIN_SAMPLE } from './figure.js';
import { tInterval } from './intervals.js';

/**
 * What the roll-ups keep of the camera's per-visit satisfaction estimates (each 0–1): enough
 * for the mean and the sample variance without the estimates themselves.
 */
export interface CameraSums {
  samples: number;
  sum: number;
  sqSum: number;
}

/** The camera's expression index on 0–100, shown apart from ratings and never mixed in. */
export const expressionIndex: Formula<CameraSums> = {
  doc: {
    id: 'expression-index',
    name: { vi: 'Chỉ số biểu cảm (camera, tách riêng)', en: 'Expression index (camera, shown apart)' },
    formula: {
      vi: '100 × trung bình chỉ số hài lòng (0–1) mà thiết bị tại quầy ước lượng từ biểu cảm của từng lượt được camera quan sát. Hiển thị riêng, không bao giờ cộng vào đánh giá của người dân.',
      en: '100 × the mean of the satisfaction estimates (0–1) the counter device derives from the expression of each camera-observed visit. Shown apart, never added into the citizens’ ratings.',
    },
    source: {
      vi: 'Không phải chỉ số pháp định: ước lượng của mô hình "Một cửa đô thị hiện đại"; ảnh khuôn mặt không rời khỏi thiết bị (Nghị định 13/2023/NĐ-CP).',
      en: 'Not a statutory figure: an estimate of the "modern urban one-stop" model; no face image leaves the device (Decree 13/2023/NĐ-CP).',
    },
    interval: {
      vi: 'Khoảng tin cậy 95 % theo phân phối Student t: x̄ ± t(0,975; n − 1) · s ÷ √n, s² = (Σx² − (Σx)²/n) ÷ (n − 1); giới hạn trong 0–100.',
      en: "95 % Student's t interval: x̄ ± t(0.975; n − 1) · s ÷ √n, s² = (Σx² − (Σx)²/n) ÷ (n − 1); clipped to 0–100.",
    },
    colour: { vi: 'Không tô màu.', en: 'Never coloured.' },
    sample: {
      vi: `Số lượt được camera quan sát; dưới ${MIN_SAMPLE} mẫu hiển thị mờ.`,
      en: `Camera-observed visits; below ${MIN_SAMPLE} samples it is greyed.`,
    },
    minSample: MIN_SAMPLE,
    kind: 'points',
  },
  compute({ samples: n, sum, sqSum }): Figure {
    if (n === 0) return figureOf(0, null, null);
    const mean = (100 * sum) / n;
    const variance = n > 1 ? (100 * 100 * (sqSum - (sum * sum) / n)) / (n - 1) : 0;
    return figureOf(n, mean, tInterval(n, mean, variance, { min: 0, max: 100 }));
  },
};
