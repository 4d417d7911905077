import { periodContaining, periodLabel, previousPeriod, type ReportPeriod } from '@onestop/evaluation';
import { compareUnits, type Database } from '@onestop/store';
import { type Context, Hono } from 'hono';
import type { z } from 'zod';
import type { DashboardEnv } from '../access/env.js';
import { requireRole, unitScope } from '../access/scope.js';
import { serviceUnavailable } from '../errors/answer.js';
import { fill, type Lang, translator } from '../i18n.js';
import { layout } from '../pages/layout.js';
import {
  periodSearch,
  type ReportQuery,
  ReportQuery as ReportQuerySchema,
  resolvePeriod,
  storeSpan,
} from '../period.js';
import { query } from '../validate.js';
import { cityReport, type ReportData, wardReport } from './data.js';
import { csvStream, rawRatingsSheet, type Sheet, unitTableSheet, xlsxStream } from './exports.js';
import { PdfBusy, type PdfRenderer, PdfUnavailable } from './pdf.js';
import { MonthlyReport } from './report.js';

export interface ReportRoutesDeps {
  db: Database;
  now: () => Date;
  pdf: PdfRenderer;
}

const PERIOD_FIELDS = ['period', 'date', 'from', 'to', 'days'] as const;

/**
 * The report's period: what the query asks (as on every report), and with no period asked the
 * previous full calendar month: the one a monthly meeting reviews.
 */
export function reportPeriod(asked: z.output<typeof ReportQuery>, raw: Record<string, string>, now: Date) {
  if (PERIOD_FIELDS.some((f) => raw[f] !== undefined)) return resolvePeriod(asked.period, now);
  return previousPeriod(periodContaining('month', now));
}

/** `ratings_<unit>_<from>_<to>.<ext>`, with the unit's own name for clients that read UTF-8 names. */
function attachment(stem: string, label: string, p: ReportPeriod, ext: string): string {
  const ascii = `${stem}_${p.from}_${p.to}.${ext}`.replace(/[^\w.-]/g, '_');
  const utf8 = encodeURIComponent(`${label}_${p.from}_${p.to}.${ext}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * Downloads being written at once. A year of a large ward is tens of thousands of rows read in
 * pages: a few at a time keep the database free for the pages everyone else is opening.
 */
const MAX_EXPORTS = 2;
/** When a refused download may try again: about how long a year of a ward takes to write. */
const EXPORT_RETRY_MS = 15_000;

function download(
  c: Context,
  sheet: Sheet,
  kind: 'csv' | 'xlsx',
  name: { stem: string; label: string; period: ReportPeriod },
  done: () => void,
) {
  const headers = {
    'content-type': kind === 'csv' ? 'text/csv; charset=utf-8' : XLSX,
    'content-disposition': attachment(name.stem, name.label, name.period, kind),
    'cache-control': 'no-store',
  };
  // Hono answers HEAD with the GET route and drops its body unread and uncancelled: a stream
  // made for it would never end, and its export slot would stay taken for good.
  if (c.req.method === 'HEAD') {
    done();
    return c.body(null, 200, headers);
  }
  const body = kind === 'csv' ? csvStream(sheet, done) : xlsxStream(sheet, name.label, done);
  return c.body(body, 200, headers);
}

/**
 * The monthly report of a ward (`/units/:unitId/report`) and of the city (`/report`), as a page
 * and as PDF, and the exports: a unit's raw ratings (CSV, XLSX) and the city table (CSV, XLSX).
 * A ward leader opens the own unit's, the city every unit's and its own; nobody else any.
 */
export function reportRoutes(deps: ReportRoutesDeps) {
  const app = new Hono<DashboardEnv>();
  const leaders = requireRole('city', 'ward');
  const city = requireRole('city');
  const periodQuery = query(ReportQuerySchema);

  let exporting = 0;
  /** A slot for one download, released when its stream ends; null when all are taken. */
  const exportSlot = (): (() => void) | null => {
    if (exporting >= MAX_EXPORTS) return null;
    exporting++;
    let held = true;
    return () => {
      if (held) exporting--;
      held = false;
    };
  };
  const busy = (c: Context<DashboardEnv>) => {
    const t = translator(c.get('lang'));
    return serviceUnavailable(c, {
      title: 'exportBusyTitle',
      text: fill(t('exportBusyText'), { seconds: EXPORT_RETRY_MS / 1000 }),
      json: { error: 'busy', reason: 'too many downloads are being written; try again shortly' },
      retryAfterMs: EXPORT_RETRY_MS,
    });
  };

  const periodOf = (c: Context<DashboardEnv>, asked: z.output<typeof ReportQuery>) =>
    reportPeriod(asked, c.req.query(), deps.now());

  const view = (c: Context<DashboardEnv>) => {
    const lang: Lang = c.get('lang');
    return { lang, t: translator(lang) };
  };

  /** The report as a whole HTML document; `links` only on the page (the PDF has nowhere to go). */
  const documentOf = (
    c: Context<DashboardEnv>,
    data: ReportData,
    links: Array<{ href: string; label: string }>,
    pdf: boolean,
  ) => {
    const { lang, t } = view(c);
    const search = periodSearch(data.period);
    const title = `${t('reportTitle')} — ${data.unitName ?? t('reportCity')} — ${periodLabel(data.period, lang)}`;
    const body = (
      <MonthlyReport
        lang={lang}
        t={t}
        data={data}
        search={search}
        links={links}
        nonce={c.get('secureHeadersNonce')}
      />
    );
    return layout({ lang, t, title, body, staff: pdf ? null : c.get('staff'), periodSearch: search });
  };

  const pdfAnswer = async (c: Context<DashboardEnv>, data: ReportData, stem: string) => {
    const { lang, t } = view(c);
    try {
      const html = await documentOf(c, data, [], true);
      const pdf = await deps.pdf.render(html.toString(), {
        text: `${data.unitName ?? t('reportCity')} · ${periodLabel(data.period, lang)}`,
      });
      return c.body(new Uint8Array(pdf), 200, {
        'content-type': 'application/pdf',
        'content-disposition': attachment(stem, data.unitName ?? t('reportCity'), data.period, 'pdf').replace(
          'attachment',
          'inline',
        ),
        'cache-control': 'no-store',
      });
    } catch (e) {
      if (e instanceof PdfBusy)
        return serviceUnavailable(c, {
          title: 'pdfBusyTitle',
          text: fill(t('pdfBusyText'), { seconds: e.retryAfterSeconds }),
          json: { error: 'busy' },
          retryAfterMs: e.retryAfterSeconds * 1000,
        });
      if (e instanceof PdfUnavailable)
        return serviceUnavailable(c, {
          title: 'pdfUnavailableTitle',
          text: t('pdfUnavailableText'),
          json: { error: 'no pdf' },
        });
      throw e;
    }
  };

  const ward = async (c: Context<DashboardEnv>, asked: z.output<typeof ReportQuery>) => {
    const unit = c.get('unit');
    return wardReport(deps.db, view(c), unit, periodOf(c, asked), deps.now());
  };

  app.get('/units/:unitId/report', leaders, unitScope(deps.db), periodQuery, async (c) => {
    const data = await ward(c, c.req.valid('query'));
    const { t } = view(c);
    const q = periodSearch(data.period);
    const base = `/units/${encodeURIComponent(c.get('unit').id)}`;
    const links = [
      { href: `${base}/report.pdf?${q}`, label: t('reportPdf') },
      { href: `${base}/ratings.xlsx?${q}`, label: t('ratingsXlsx') },
      { href: `${base}/ratings.csv?${q}`, label: t('ratingsCsv') },
    ];
    return c.html(documentOf(c, data, links, false));
  });

  app.get('/units/:unitId/report.pdf', leaders, unitScope(deps.db), periodQuery, async (c) =>
    pdfAnswer(c, await ward(c, c.req.valid('query')), `report_${c.get('unit').id}`),
  );

  for (const kind of ['csv', 'xlsx'] as const)
    app.get(`/units/:unitId/ratings.${kind}`, leaders, unitScope(deps.db), periodQuery, (c) => {
      const slot = exportSlot();
      if (!slot) return busy(c);
      const unit = c.get('unit');
      const period = periodOf(c, c.req.valid('query'));
      const sheet = rawRatingsSheet(deps.db, view(c), unit.id, period);
      return download(c, sheet, kind, { stem: `ratings_${unit.id}`, label: unit.name, period }, slot);
    });

  app.get('/report', city, periodQuery, async (c) => {
    const data = await cityReport(deps.db, view(c), periodOf(c, c.req.valid('query')), deps.now());
    const { t } = view(c);
    const q = periodSearch(data.period);
    const links = [
      { href: `/report.pdf?${q}`, label: t('reportPdf') },
      { href: `/units.xlsx?${q}`, label: t('unitsXlsx') },
      { href: `/units.csv?${q}`, label: t('unitsCsv') },
    ];
    return c.html(documentOf(c, data, links, false));
  });

  app.get('/report.pdf', city, periodQuery, async (c) =>
    pdfAnswer(
      c,
      await cityReport(deps.db, view(c), periodOf(c, c.req.valid('query')), deps.now()),
      'report_city',
    ),
  );

  for (const kind of ['csv', 'xlsx'] as const)
    app.get(`/units.${kind}`, city, periodQuery, async (c) => {
      const slot = exportSlot();
      if (!slot) return busy(c);
      const period = periodOf(c, c.req.valid('query'));
      const units = await compareUnits(deps.db, storeSpan(period)).catch((e: unknown) => {
        slot();
        throw e;
      });
      const { t } = view(c);
      const name = { stem: 'units', label: t('reportCity'), period };
      return download(c, unitTableSheet(view(c), units, period), kind, name, slot);
    });

  return app;
}
