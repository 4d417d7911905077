import {
  countAt,
  displayFigure,
  OFFICIAL_LEVEL_NAMES,
  OFFICIAL_LEVELS,
  type ReportPeriod,
} from '@onestop/evaluation';
import type { RatingScale } from '@onestop/protocol';
import type { OfficerSummary } from '@onestop/store';
import { type Lang, type MessageKey, scaledLevelLabel, type Translate } from '../i18n.js';
import { FIGURE_COLUMNS, type FigureColumn } from './figures.js';
import { levelEntries } from './unit.js';

/** Before the header row of every CSV: Excel reads the file as UTF-8 and shows Vietnamese. */
export const CSV_BOM = '\uFEFF';

/** RFC 4180 quoting; a leading formula character is defused so a spreadsheet never runs it. */
export function csvCell(v: string | number | null): string {
  if (v === null) return '';
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s) && typeof v === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** One CSV record, CRLF-terminated (RFC 4180). */
export function csvLine(values: ReadonlyArray<string | number | null>): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** Value, interval and state of one figure: the page's numbers, rounded by the same function. */
export function figureColumns<R>(t: Translate, c: FigureColumn<R>) {
  const unit = c.kind === 'share' ? ' (%)' : '';
  return {
    header: [
      `${t(c.header)}${unit}`,
      `${t(c.header)} – ${t('intervalLow')}`,
      `${t(c.header)} – ${t('intervalHigh')}`,
      `${t(c.header)} – ${t('figureState')}`,
    ],
    values: (row: R) => {
      const f = c.pick(row);
      const d = displayFigure(c.kind, f);
      return [d.value, d.low, d.high, t(`state_${f.state}` as MessageKey)];
    },
  };
}

/**
 * The officer table for a period as CSV: what a ward sends up in its monthly report, with the
 * same figures, scale and rounding as the page. Level columns name their scale, since a ward's
 * keypads may differ. UTF-8 with a byte-order mark so that Excel shows Vietnamese names correctly.
 * Every row starts with the period's first and last Vietnam dates (`YYYY-MM-DD`, both included): a
 * file read alone, or files of several months pasted together, still say what they cover, under
 * one header row.
 */
export function officerCsv(
  lang: Lang,
  t: Translate,
  rows: OfficerSummary[],
  period: Pick<ReportPeriod, 'from' | 'to'>,
): string {
  const figures = FIGURE_COLUMNS.map((c) => figureColumns(t, c));
  const levels = [
    ...new Set(rows.flatMap((r) => levelEntries(r.levels).map((e) => `${e.scale}:${e.level}`))),
  ];
  const levelHeader = (key: string) => {
    const [scale, level] = key.split(':');
    return scaledLevelLabel(lang, scale as RatingScale, Number(level));
  };
  const header = [
    t('fromDate'),
    t('toDate'),
    t('officerId'),
    t('officer'),
    t('ratings'),
    ...OFFICIAL_LEVELS.map((l) => OFFICIAL_LEVEL_NAMES[l][lang]),
    ...figures.flatMap((f) => f.header),
    t('dossierCount'),
    t('cameraSamples'),
    ...levels.map(levelHeader),
  ];
  const lines = rows.map((s) => [
    period.from,
    period.to,
    s.officerId,
    s.officerId === null ? t('noOfficer') : s.officerName,
    s.ratings,
    ...OFFICIAL_LEVELS.map((l) => countAt(s.official, l)),
    ...figures.flatMap((f) => f.values(s)),
    s.dossierSatisfaction.dossiers,
    s.expression.n,
    ...levels.map((k) => s.levels[k] ?? 0),
  ]);
  return `${CSV_BOM}${[header, ...lines].map(csvLine).join('')}`;
}
