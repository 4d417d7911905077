import { periodLabel, type ReportPeriod } from '@onestop/evaluation';
import { reasonLabel } from '@onestop/protocol';
import { COMMENT_STATUSES } from '@onestop/store';
import { raw } from 'hono/html';
import type { Lang, MessageKey, Translate } from '../i18n.js';
import { CityTable } from '../pages/city.js';
import { DOSSIER_COLUMN, FigureCells, FigureHeaders, OverdueNote, RATING_COLUMNS } from '../pages/figures.js';
import { officerTable } from '../pages/unit.js';
import { formatVietnamTime } from '../period.js';
import type { KeyFigures, ReportData } from './data.js';

type View = { lang: Lang; t: Translate };

/**
 * A4 paper: every section starts on a new page, and the whole report sits in one table whose
 * header row (the unit and the period's dates) Chromium repeats at the top of every printed page.
 * On screen the report reads like any other page.
 */
export const REPORT_PRINT_CSS = `@page{size:A4;margin:14mm 12mm 16mm}
.report-frame{width:100%;border-collapse:collapse;margin:0}.report-frame>thead>tr>td,.report-frame>tbody>tr>td{border:0;padding:0}
.running-head{display:none;font-size:9pt;border-bottom:1px solid #000;padding-bottom:2mm;margin-bottom:3mm}
.report-links a{margin-right:1rem}
.key-figures td,.key-figures th{width:auto}
.signatures{display:grid;grid-template-columns:1fr 1fr;gap:2rem;margin-top:2rem;text-align:center}
.signatures .line{height:5rem}
@media print{
.running-head{display:block}
.report-links{display:none}
.report-section{break-before:page;page-break-before:always}
.report-section.first{break-before:auto;page-break-before:auto}
.signatures{break-inside:avoid}
.report table{font-size:8.5pt}.report td.num small{white-space:normal}.report th,.report td{padding:.2rem .3rem}.key-figures{table-layout:fixed}
}`;

function Heading({ t, lang, data }: View & { data: ReportData }) {
  const { period } = data;
  return (
    <div class="report-heading" data-testid="report-heading">
      <h2>
        {t('reportTitle')} — {data.unitName ?? t('reportCity')}
      </h2>
      <p>
        {t('reportPeriod')}:{' '}
        <b data-testid="report-period" data-from={period.from} data-to={period.to}>
          {periodLabel(period, lang)}
        </b>{' '}
        ({t('fromDate')} {period.from} {t('toDate')} {period.to})
      </p>
      <p class="muted">
        {t('reportGenerated')}:{' '}
        <span data-testid="report-generated">{formatVietnamTime(data.generatedAt)}</span>
      </p>
    </div>
  );
}

function KeyFiguresTable({ t, figures }: { t: Translate; figures: KeyFigures }) {
  return (
    <table class="key-figures" data-testid="key-figures">
      <thead>
        <tr>
          <th class="num">{t('ratings')}</th>
          <FigureHeaders t={t} columns={RATING_COLUMNS} />
          <FigureHeaders t={t} columns={[DOSSIER_COLUMN]} />
        </tr>
      </thead>
      <tbody>
        <tr>
          <td class="num" data-label={t('ratings')} data-testid="key-ratings">
            {figures.ratings}
          </td>
          <FigureCells t={t} columns={RATING_COLUMNS} row={figures} />
          <FigureCells t={t} columns={[DOSSIER_COLUMN]} row={figures} />
        </tr>
      </tbody>
    </table>
  );
}

function Uncounted({ t, data }: { t: Translate; data: ReportData }) {
  const u = data.uncounted;
  const line = (kind: MessageKey, why: MessageKey, n: number | null) =>
    n === null ? null : (
      <li data-kind={kind}>
        <b>{t(kind)}</b>: <span class="num">{n}</span> — {t(why)}
      </li>
    );
  return (
    <ul data-testid="report-uncounted">
      {line('unverified', 'reportUncountedUnverified', u.unverified)}
      {line('filtered', 'reportUncountedFiltered', u.filtered)}
      {line('quarantined', 'reportUncountedQuarantined', u.quarantined)}
    </ul>
  );
}

function Comments({ t, lang, data }: View & { data: ReportData }) {
  const c = data.comments;
  return (
    <div data-testid="report-comments">
      <p>
        {t('reportCommentsTotal')}: <b data-testid="comments-total">{c.total}</b>
      </p>
      <table>
        <thead>
          <tr>
            <th>{t('reportCommentsByKind')}</th>
            <th class="num">{t('commentComplaint')}</th>
            <th class="num">{t('commentPraise')}</th>
            <th class="num">{t('commentUnmarked')}</th>
          </tr>
        </thead>
        <tbody>
          <tr data-testid="comments-by-kind">
            <td>{t('comments')}</td>
            <td class="num" data-label={t('commentComplaint')}>
              {c.byKind.complaint}
            </td>
            <td class="num" data-label={t('commentPraise')}>
              {c.byKind.praise}
            </td>
            <td class="num" data-label={t('commentUnmarked')}>
              {c.byKind.unmarked}
            </td>
          </tr>
        </tbody>
      </table>
      <table>
        <thead>
          <tr>
            <th>{t('reportCommentsByStatus')}</th>
            {COMMENT_STATUSES.map((s) => (
              <th class="num">{t(`commentStatus_${s}`)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr data-testid="comments-by-status">
            <td>{t('comments')}</td>
            {COMMENT_STATUSES.map((s) => (
              <td class="num" data-status={s} data-label={t(`commentStatus_${s}`)}>
                {c.byStatus[s]}
              </td>
            ))}
          </tr>
        </tbody>
      </table>
      <h4>{t('reportTopReasons')}</h4>
      {data.reasons.length === 0 ? (
        <p class="muted">{t('reportNoReasons')}</p>
      ) : (
        <ol data-testid="top-reasons">
          {data.reasons.map((r) => (
            <li data-reason={r.reason}>
              {reasonLabel(r.reason, lang)}: <b>{r.n}</b>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function Signatures({ t }: { t: Translate }) {
  const block = (role: MessageKey) => (
    <div>
      <p>{t('reportSignDate')}</p>
      <p>
        <b>{t(role)}</b>
        <br />
        <small>{t('reportSignHint')}</small>
      </p>
      <div class="line" />
    </div>
  );
  return (
    <section class="signatures" data-testid="signatures" aria-label={t('reportSignatures')}>
      {block('reportPreparedBy')}
      {block('reportApprovedBy')}
    </section>
  );
}

export type ReportProps = View & {
  data: ReportData;
  /** The period's query (`periodSearch`), kept by the links of the tables. */
  search: string;
  /** Links to the PDF and the exports; left out of the HTML the PDF is made from. */
  links: Array<{ href: string; label: string }>;
  /** The response's CSP nonce: without it the browser drops the print rules of this page. */
  nonce: string | undefined;
};

/** The monthly report of a ward or of the city, for the meeting: on screen, on paper, as PDF. */
export function MonthlyReport(props: ReportProps) {
  const { t, lang, data, search } = props;
  const table =
    data.table.kind === 'officers' ? (
      officerTable(lang, t, data.table.rows, { search, previous: data.table.previous })
    ) : (
      <CityTable lang={lang} t={t} rows={data.table.rows} search={search} previous={data.table.previous} />
    );
  return (
    <div class="report" data-testid="monthly-report">
      <style nonce={props.nonce}>{raw(REPORT_PRINT_CSS)}</style>
      <table class="report-frame">
        <thead>
          <tr>
            <td>
              <div class="running-head">
                {t('reportTitle')} — {data.unitName ?? t('reportCity')} · {runningDates(data.period, lang)}
              </div>
            </td>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>
              <Heading t={t} lang={lang} data={data} />
              {props.links.length > 0 ? (
                <p class="report-links" data-testid="report-links">
                  {props.links.map((l) => (
                    <a href={l.href}>{l.label}</a>
                  ))}
                </p>
              ) : null}
              <section class="report-section first">
                <h3>{t('reportKeyFigures')}</h3>
                <KeyFiguresTable t={t} figures={data.key} />
                <OverdueNote t={t} rows={[data.key]} />
                <h3>{t('reportUncounted')}</h3>
                <Uncounted t={t} data={data} />
              </section>
              <section class="report-section">
                <h3>{t('reportCharts')}</h3>
                <div class="charts">
                  {data.trend}
                  {data.heat}
                </div>
              </section>
              <section class="report-section">
                <h3>{data.table.kind === 'officers' ? t('officers') : t('reportUnits')}</h3>
                {table}
                <p class="note">{t('fairnessNote')}</p>
              </section>
              <section class="report-section">
                <h3>{t('comments')}</h3>
                <Comments t={t} lang={lang} data={data} />
                <Signatures t={t} />
              </section>
            </td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}

function runningDates(p: ReportPeriod, lang: Lang): string {
  return periodLabel(p, lang);
}
