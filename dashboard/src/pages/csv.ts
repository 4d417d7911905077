import type { ReportPeriod } from '@onestop/evaluation';
import type { OfficerSummary } from '@onestop/store';
import type { Translate } from '../i18n.js';

/** RFC 4180 quoting; a leading formula character is defused so a spreadsheet never runs it. */
function cell(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s) && typeof v === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * The officer table for a period as CSV: what a ward sends up in its monthly report. UTF-8 with a
 * byte-order mark so that Excel shows Vietnamese names correctly. Every row starts with the period's
 * first and last Vietnam dates (`YYYY-MM-DD`, both included): a file read alone, or files of
 * several months pasted together, still say what they cover, under one header row.
 */
export function officerCsv(
  t: Translate,
  rows: OfficerSummary[],
  period: Pick<ReportPeriod, 'from' | 'to'>,
): string {
  const header = [
    t('officerId'),
    t('officer'),
    t('ratings'),
    t('unsatisfiedCount'),
    t('satisfiedShare'),
    t('meanScore'),
    t('cameraSamples'),
    t('cameraIndex'),
    t('cameraCi'),
  ];
  const round = (x: number | null, digits: number) => (x === null ? null : Number(x.toFixed(digits)));
  const lines = rows.map((s) =>
    [
      s.officerId,
      s.officerId === null ? t('noOfficer') : s.officerName,
      s.ratings,
      s.unsatisfied,
      round(s.satisfiedShare === null ? null : s.satisfiedShare * 100, 1),
      round(s.meanScore, 1),
      s.expression.samples,
      round(s.expression.mean, 3),
      round(s.expression.ci95, 3),
    ].map(cell),
  );
  const table = [
    [t('fromDate'), t('toDate'), ...header].map(cell),
    ...lines.map((l) => [period.from, period.to, ...l]),
  ];
  return `\uFEFF${table.map((l) => l.join(',')).join('\r\n')}\r\n`;
}
