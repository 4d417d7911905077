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
      after = last.cursor;
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

/**
 * CSV as a byte stream: BOM and header, then each row as it is read (`csvLine` defuses formulas).
 * Rows are read only as fast as the client takes them (pull); `done` runs once, however it ends.
 */
export function csvStream(sheet: Sheet, done: () => void = () => {}): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = sheet.rows[Symbol.asyncIterator]();
  const finish = once(done);
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(CSV_BOM + csvLine(sheet.header)));
        return;
      }
      try {
        const next = await iterator.next();
        if (next.done) {
          finish();
          controller.close();
        } else controller.enqueue(encoder.encode(csvLine(next.value)));
      } catch (e) {
        finish();
        throw e;
      }
    },
    async cancel() {
      finish();
      await iterator.return?.();
    },
  });
}

/** Until the stream takes more, or is gone. */
function drained(out: PassThrough): Promise<void> {
  return new Promise((resolve) => {
    const go = () => {
      out.off('drain', go);
      out.off('close', go);
      resolve();
    };
    out.on('drain', go);
    out.on('close', go);
  });
}

function once(f: () => void): () => void {
  let called = false;
  return () => {
    if (called) return;
    called = true;
    f();
  };
}

/** Excel refuses a sheet named with any of `[]:*?/\` or longer than 31 characters. */
export function sheetNameOf(label: string): string {
  return (
    label
      .replace(/[[\]:*?/\\]/g, ' ')
      .trim()
      .slice(0, 31) || 'Sheet1'
  );
}

/**
 * XLSX through exceljs's streaming writer: each row is committed (written to the zip) as it is
 * read. Cells are written as text and numbers, never as formulas, so a value starting with `=`
 * stays text in Excel without the CSV's defusing quote. Rows are read no faster than the client
 * takes the bytes (the writer waits for `drain`), and reading stops when the client goes away:
 * an abandoned download of a year costs nothing more. `done` runs once, however it ends.
 */
export function xlsxStream(
  sheet: Sheet,
  sheetName: string,
  done: () => void = () => {},
): ReadableStream<Uint8Array> {
  const out = new PassThrough();
  const finish = once(done);
  out.once('close', finish);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  const worksheet = workbook.addWorksheet(sheetNameOf(sheetName), {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  void (async () => {
    const head = worksheet.addRow(sheet.header);
    head.font = { bold: true };
    head.commit();
    for await (const row of sheet.rows) {
      if (out.destroyed) return; // the client left: `for await` ends the reading too
      worksheet.addRow(row).commit();
      if (out.writableNeedDrain) await drained(out);
    }
    worksheet.commit();
    await workbook.commit();
  })().catch((e: unknown) => out.destroy(e instanceof Error ? e : new Error(String(e))));
  // Pulled chunk by chunk; leaving the download destroys `out`, which stops the writer above.
  // (Node 20's `Readable.toWeb` still pushes into a cancelled stream and throws, and
  // `ReadableStream.from` does not end a stream cancelled before its first read.)
  const chunks = out[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value as Uint8Array);
    },
    cancel() {
      // The slot is free at once: the next download may start before `out` has closed.
      finish();
      out.destroy();
    },
  });
}
