import { PassThrough } from 'node:stream';
import { countAt, OFFICIAL_LEVEL_NAMES, OFFICIAL_LEVELS, type ReportPeriod } from '@onestop/evaluation';
import { type Database, type RatingCursor, ratingsPage, type UnitComparison } from '@onestop/store';
import ExcelJS from 'exceljs';
import { type Lang, reasonsText, type Translate } from '../i18n.js';
import { levelText, reasonWords } from '../judgement/page.js';
import { CSV_BOM, csvLine, figureColumns } from '../pages/csv.js';
import { FIGURE_COLUMNS } from '../pages/figures.js';
import { formatVietnamTime, storeSpan } from '../period.js';

/** One export's columns and rows, written as CSV or XLSX by the same code. */
export type Cell = string | number | null;
export interface Sheet {
  header: string[];
  rows: AsyncIterable<Cell[]>;
}

/** Ratings read per database round trip: a year of a ward is read in pages, never held at once. */
export const EXPORT_PAGE = 1000;

function officialName(lang: Lang, official: string): string {
  const names = OFFICIAL_LEVEL_NAMES as Record<string, Record<Lang, string> | undefined>;
  return names[official]?.[lang] ?? official;
}

/**
 * Every placed rating of a unit in the period, oldest first, one row each: Vietnam time, counter,
 * officer, dossiers, ticket, the pressed level and its official level in words, the reasons, and
 * whether it counts and why not. The camera's estimate has its own column and is never mixed in.
 */
export function rawRatingsSheet(
  db: Database,
  view: { lang: Lang; t: Translate },
  unitId: string,
  period: ReportPeriod,
): Sheet {
  const { lang, t } = view;
  const header = [
    t('time'),
    t('counter'),
    t('officerId'),
    t('officer'),
    t('dossier'),
    t('ticket'),
    t('level'),
    t('officialLevel'),
    t('reasons'),
    t('counted'),
    t('whyUncounted'),
    t('cameraEstimate'),
  ];
  async function* rows(): AsyncGenerator<Cell[]> {
    let after: RatingCursor | null = null;
    for (;;) {
      const page = await ratingsPage(db, { unitId, period: storeSpan(period), after, limit: EXPORT_PAGE });
      for (const r of page) {
        const why = reasonWords(t, r);
        if (!r.counted && why.length === 0) why.push(t('notJudgedYet'));
        yield [
          r.at ? formatVietnamTime(r.at) : '',
          r.counterId,
          r.officerId,
          r.officerName,
          r.dossierIds.join(', '),
          r.ticket,
          levelText(lang, r.scale, r.level),
          officialName(lang, r.official),
          r.reasons.length > 0 ? reasonsText(lang, r.reasons) : '',
          r.counted ? t('yes') : t('no'),
          r.counted ? '' : why.join('; '),
          r.cameraEstimate === null ? null : Math.round(r.cameraEstimate * 1000) / 10,
        ];
      }
      const last = page.at(-1);
      if (page.length < EXPORT_PAGE || !last?.at) return;
      after = { at: last.at, eventId: last.eventId };
    }
  }
  return { header, rows: rows() };
}

/** The city table of the period: one row per unit, with the page's figures and rounding. */
export function unitTableSheet(
  view: { lang: Lang; t: Translate },
  units: readonly UnitComparison[],
  period: Pick<ReportPeriod, 'from' | 'to'>,
): Sheet {
  const { lang, t } = view;
  const figures = FIGURE_COLUMNS.map((c) => figureColumns(t, c));
  const header = [
    t('fromDate'),
    t('toDate'),
    t('unitId'),
    t('unitName'),
    t('province'),
    t('ratings'),
    ...OFFICIAL_LEVELS.map((l) => OFFICIAL_LEVEL_NAMES[l][lang]),
    ...figures.flatMap((f) => f.header),
    t('dossierCount'),
    t('visits'),
    t('unrated'),
  ];
  async function* rows(): AsyncGenerator<Cell[]> {
    for (const u of units)
      yield [
        period.from,
        period.to,
        u.unitId,
        u.unitName,
        u.province,
        u.ratings,
        ...OFFICIAL_LEVELS.map((l) => countAt(u.official, l)),
        ...figures.flatMap((f) => f.values(u)),
        u.dossierSatisfaction.dossiers,
        u.visits,
        u.unratedVisits,
      ];
  }
  return { header, rows: rows() };
}

/** CSV as a byte stream: BOM and header, then each row as it is read (`csvLine` defuses formulas). */
export function csvStream(sheet: Sheet): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = sheet.rows[Symbol.asyncIterator]();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(CSV_BOM + csvLine(sheet.header)));
        return;
      }
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(encoder.encode(csvLine(next.value)));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

/**
 * XLSX through exceljs's streaming writer: each row is committed (written to the zip) as it is
 * read. Cells are written as text and numbers, never as formulas, so a value starting with `=`
 * stays text in Excel without the CSV's defusing quote.
 */
export function xlsxStream(sheet: Sheet, sheetName: string): ReadableStream<Uint8Array> {
  const out = new PassThrough();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  const worksheet = workbook.addWorksheet(sheetName.slice(0, 31), {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  void (async () => {
    const head = worksheet.addRow(sheet.header);
    head.font = { bold: true };
    head.commit();
    for await (const row of sheet.rows) {
      // The client went away: stop reading ratings for nobody.
      if (out.destroyed) return;
      worksheet.addRow(row).commit();
    }
    worksheet.commit();
    await workbook.commit();
  })().catch((e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))));
  // Pulled chunk by chunk rather than `Readable.toWeb`: on Node 20 its adapter still pushes
  // buffered data after a client cancels, an uncaught "Controller is already closed" that would
  // take the whole dashboard down with one aborted download.
  const chunks = out[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(new Uint8Array(next.value));
    },
    async cancel() {
      // Ends the iteration and destroys `out`, which the writer above sees.
      await chunks.return?.();
    },
  });
}
