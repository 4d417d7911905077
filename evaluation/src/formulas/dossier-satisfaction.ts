import type { Formula } from './doc.js';
import { type Figure, figureOf, MIN_SAMPLE } from './figure.js';
import { wilsonInterval } from './intervals.js';
import { SATISFIED_SHARE_TARGET, TARGET_COLOUR } from './shares.js';

/** What is known of one dossier, counted in the period of its first rating or visit. */
export interface DossierFlags {
  ratedUnsatisfied: boolean;
  complainedAbout: boolean;
  overdue: boolean;
}

/** Distinct dossiers, and how many failed each condition (a dossier may fail several). */
export interface DossierCounts {
  dossiers: number;
  ratedUnsatisfied: number;
  complainedAbout: number;
  overdue: number;
  /** Failing none of the three: the numerator of the indicator. */
  satisfied: number;
}

/**
 * The Decision 766 indicator with what it was computed from. `overdueSource` names what feeds
 * "overdue": 'none' until a dossier-handling system is connected, and the page says so.
 */
export interface DossierSatisfaction extends DossierCounts {
  share: Figure;
  overdueSource: string;
}

export const NO_OVERDUE_FEED = 'none';

export function countDossiers(dossiers: Iterable<DossierFlags>): DossierCounts {
  const c = { dossiers: 0, ratedUnsatisfied: 0, complainedAbout: 0, overdue: 0, satisfied: 0 };
  for (const d of dossiers) {
    c.dossiers += 1;
    if (d.ratedUnsatisfied) c.ratedUnsatisfied += 1;
    if (d.complainedAbout) c.complainedAbout += 1;
    if (d.overdue) c.overdue += 1;
    if (!d.ratedUnsatisfied && !d.complainedAbout && !d.overdue) c.satisfied += 1;
  }
  return c;
}

/**
 * Per dossier, as Decision 766/QĐ-TTg counts satisfaction with dossier handling: a dossier is
 * satisfied when it was not rated unsatisfied, not complained about and not overdue. Kept apart
 * from the per-rating share of the officer's attitude (Circular 01/2018 criterion 7).
 */
export const dossierSatisfaction: Formula<DossierCounts> = {
  doc: {
    id: 'dossier-satisfaction-766',
    name: {
      vi: 'Tỷ lệ hồ sơ hài lòng (Quyết định 766/QĐ-TTg)',
      en: 'Share of satisfied dossiers (Decision 766/QĐ-TTg)',
    },
    formula: {
      vi: 'Số hồ sơ không bị đánh giá Không hài lòng, không bị phản ánh và không quá hạn ÷ số hồ sơ. Hồ sơ: các mã hồ sơ khác nhau trên các đánh giá của người dân và trên các lượt tiếp công dân; mỗi hồ sơ được tính một lần, vào kỳ có lần đầu nó được đánh giá hoặc tiếp nhận tại đơn vị (với cán bộ: lần đầu được tính cho cán bộ đó), và kết quả của nó gồm mọi đánh giá về nó, kể cả đánh giá sau kỳ đó. Với đơn vị, mọi đánh giá của người dân đều được tính, kể cả đánh giá chưa xác minh được cán bộ (đó vẫn là đánh giá thật về đơn vị); chỉ loại đánh giá bị bộ lọc lạm dụng gạt ra và đánh giá không xác định được thời điểm. Với một cán bộ: chỉ các đánh giá được tính cho cán bộ đó. Bị phản ánh: có góp ý (qua mã QR) ghi mã hồ sơ đó mà người dân tự chọn là "Góp ý / Phản ánh", gửi lúc nào cũng tính; lời khen và góp ý không chọn loại (gửi trước khi biểu mẫu hỏi) không bị tính. Góp ý chưa được xác minh là của người có hồ sơ: khi có xác minh, chỉ cần thay một quy tắc. Quá hạn: chỉ khi hệ thống quản lý hồ sơ cung cấp; khi chưa có nguồn, không hồ sơ nào bị trừ vì quá hạn và trang ghi rõ điều đó.',
      en: 'Dossiers not rated Unsatisfied, not complained about and not overdue ÷ dossiers. Dossiers: the distinct dossier IDs on citizens’ ratings and on visits; each dossier counts once, in the period of its first rating or visit at the unit (for an officer, its first rating credited to them), and its outcome takes every rating of it, later ones included. For a unit every citizen rating counts, unverified ones included (they still rate the unit); only ratings caught by a misuse filter and ratings whose time could not be placed are left out. For an officer: only ratings credited to that officer. Complained about: named by a comment (through the QR code) that the citizen marked “Suggest or complain”, whenever it was sent; praise and unmarked comments (sent before the form asked) do not count. Comments are not yet verified as coming from the dossier’s holder; when they are, one rule changes. Overdue: only where a dossier-handling system feeds it; without one no dossier is taken off as overdue, and the page says so.',
    },
    source: {
      vi: 'Quyết định 766/QĐ-TTg ngày 23/6/2022 phê duyệt Bộ chỉ số chỉ đạo, điều hành và đánh giá chất lượng phục vụ người dân, doanh nghiệp trong thực hiện thủ tục hành chính, dịch vụ công theo thời gian thực (nhóm mức độ hài lòng, 18/100 điểm). Cách diễn đạt chỉ số theo tài liệu nghiệp vụ của dự án; chưa đối chiếu được với nguyên văn Quyết định.',
      en: 'Decision 766/QĐ-TTg of 23 June 2022 on the indicator set for directing, managing and evaluating service to citizens and businesses in administrative procedures and public services in real time (satisfaction group, 18 of 100 points). The wording follows the project’s domain notes; it could not be checked against the Decision’s own text.',
    },
    interval: {
      vi: 'Khoảng Wilson 95 % trên số hồ sơ.',
      en: 'Wilson 95 % score interval over dossiers.',
    },
    colour: TARGET_COLOUR,
    sample: {
      vi: `Số hồ sơ; dưới ${MIN_SAMPLE} hồ sơ hiển thị mờ, không tô màu.`,
      en: `Dossiers; below ${MIN_SAMPLE} it is greyed and never coloured.`,
    },
    minSample: MIN_SAMPLE,
    kind: 'share',
  },
  compute(c): Figure {
    return figureOf(
      c.dossiers,
      c.dossiers > 0 ? c.satisfied / c.dossiers : null,
      wilsonInterval(c.satisfied, c.dossiers),
      { target: SATISFIED_SHARE_TARGET },
    );
  },
};
