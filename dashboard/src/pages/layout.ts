import { displayFigure, type Figure, type FigureKind } from '@onestop/evaluation';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { menuFor } from '../access/menu.js';
import type { Viewer } from '../auth/access.js';
import type { Lang, Translate } from '../i18n.js';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/**
 * Phones (360–390 px): nothing scrolls sideways. The header takes the whole width with its links
 * one under another; each table row becomes a card whose cells carry their column's name from
 * `data-label` (set by the table renderers from their header text), since the header row is
 * hidden. The label floats in a flow-root cell, so a long label lengthens its card instead of
 * overlapping the next cell.
 */
const PHONE = `@media (max-width:600px){
main{padding:.75rem}
header{padding:.5rem .75rem;gap:0 .75rem}header h1{flex:1 0 100%}
header form{display:flex;align-items:center;gap:.5rem;flex-wrap:wrap}header form.search{flex:1 0 100%}header form.search input{flex:1;min-width:0}
nav.period form,nav.period form label{display:flex;flex-wrap:wrap;gap:.25rem .5rem;margin:.25rem 0}
table,thead,tbody,tr,th,td{display:block;width:auto}
thead tr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
tr{border:1px solid var(--line);border-radius:.4rem;margin:0 0 .75rem;padding:.25rem .5rem}
td{border:0;padding:.3rem 0;min-height:1.8rem}td.num{text-align:left}
td[data-label]{display:flow-root}
td[data-label]::before{content:attr(data-label);float:left;width:42%;margin-right:.5rem;font-weight:600;color:var(--muted);overflow-wrap:anywhere}
td.num small{white-space:normal}
.bar{min-width:0}
}`;

/**
 * Paper for the monthly meeting: the page title, the unit and the period with its dates stay;
 * navigation, forms and live markers go; rows are never split across pages; black on white.
 */
const PRINT = `@media print{
:root{--fg:#000;--bg:#fff;--muted:#000;--ok:#000;--bad:#000;--accent:#000}
body{color:#000;background:#fff;font-size:11pt}
header{background:none;color:#000;padding:0 0 .4rem;border-bottom:2px solid #000}
header a,header form,nav,form,.live-dot,button{display:none!important}
main{max-width:none;padding:.5rem 0}
a{color:#000;text-decoration:none}th{background:none;border-bottom:1px solid #000}
thead{display:table-header-group}tr,th,td{break-inside:avoid;page-break-inside:avoid}
h2,h3{break-after:avoid}.period-label{font-size:12pt}
.bar span{print-color-adjust:exact;-webkit-print-color-adjust:exact}
tr.fresh{animation:none}
figure.chart{break-inside:avoid}svg.chart{max-width:100%}
}`;

const STYLE = `
:root{--fg:#111;--bg:#fff;--muted:#555;--ok:#0a6b2d;--bad:#b00020;--line:#ccc;--accent:#003d99}
*{box-sizing:border-box}body{font:16px/1.45 system-ui,"Segoe UI",Roboto,sans-serif;margin:0;color:var(--fg);background:var(--bg)}
header{background:var(--accent);color:#fff;padding:.6rem 1rem;display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
header a{color:#fff}header h1{font-size:1.15rem;margin:0 auto 0 0}
main{padding:1rem;max-width:1200px;margin:auto}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#f2f4f8}td.num{text-align:right;font-variant-numeric:tabular-nums}
.bad{color:var(--bad);font-weight:600}.ok{color:var(--ok)}.muted{color:var(--muted)}
.good{color:var(--ok);font-weight:600}.too-few{color:#888}.too-few small{font-style:italic}td.num small{display:block;color:var(--muted);font-weight:400;white-space:nowrap}
dl dt{font-weight:600;margin-top:.4rem}
.bar{display:flex;height:1rem;min-width:8rem;border:1px solid var(--line)}.bar span{display:block;height:100%}
nav.period a{margin-right:.75rem}nav.period form{display:inline-flex;flex-wrap:wrap;gap:.5rem;margin:.25rem 0 0 .5rem}.note{color:var(--muted);font-size:.9rem}
.badge{display:inline-block;min-width:1.4rem;padding:0 .4rem;margin-left:.3rem;border-radius:.7rem;background:#ffd43b;color:#111;font-weight:700;text-align:center}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}
.live-dot{display:inline-block;width:.6rem;height:.6rem;border-radius:50%;background:#2ecc40;margin-right:.3rem}
tr.fresh{animation:fresh 2s ease-out}@keyframes fresh{from{background:#fff6bf}to{background:transparent}}
td,.who,h2 small{overflow-wrap:anywhere}
header a,header button,nav.period a,main form button,main form input,main form select{min-height:44px}
figure.chart{margin:.75rem 0 1.25rem;min-width:0}figure.chart figcaption{font-weight:600}
svg.chart{display:block;width:100%;height:auto;max-width:720px}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,30rem),1fr));gap:0 1.5rem}
header a,nav.period a{display:inline-flex;align-items:center;padding:0 .25rem}
header button,main form button,main form input,main form select{font:inherit;padding:.4rem .75rem;max-width:100%}
${PHONE}
${PRINT}
`;

export interface LayoutOptions {
  lang: Lang;
  t: Translate;
  title: string;
  body: Html;
  script?: string;
  /** Who is signed in: the menu shows only what their role may open. `null` on public pages. */
  staff: Viewer | null;
  /** A report's period query (`periodSearch`): switching language keeps the period shown. */
  periodSearch?: string;
  /** The term of a search page, kept in the header's search box. */
  searched?: string;
}

/** Leaders find a receipt's dossier or ticket from any page (`/search`). */
function searchBox(t: Translate, staff: Viewer | null, searched: string | undefined) {
  if (staff?.role !== 'city' && staff?.role !== 'ward') return '';
  return html`<form method="get" action="/search" role="search" class="search"><input type="search" name="q" value="${searched ?? ''}" maxlength="64" required aria-label="${t('searchLabel')}" placeholder="${t('searchLabel')}"> <button type="submit">${t('search')}</button></form>`;
}

/** The header menu: the entries `menuFor` gives this person, and signing out. */
function menu(t: Translate, staff: Viewer | null) {
  if (!staff) return '';
  const links = menuFor(staff).map(
    (item) =>
      html`<a href="${item.href}">${t(item.label)}${
        item.badge
          ? html` <span class="badge" data-testid="new-comments" title="${t('newCommentsBadge')}">${item.badge}<span class="sr"> ${t('newCommentsBadge')}</span></span>`
          : ''
      }</a>`,
  );
  return html`${links}<form method="post" action="/logout" style="margin:0"><span class="who">${staff.displayName}</span> <button type="submit">${t('signOut')}</button></form>`;
}

export function layout(opts: LayoutOptions) {
  const other: Lang = opts.lang === 'vi' ? 'en' : 'vi';
  return html`<!doctype html>
<html lang="${opts.lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${opts.title} · onestop-counter</title><style>${raw(STYLE)}</style></head>
<body>
<header><h1>${opts.t('title')}</h1>
${menu(opts.t, opts.staff)}
${searchBox(opts.t, opts.staff, opts.searched)}
<a href="?${opts.periodSearch ? `${opts.periodSearch}&` : ''}lang=${other}" data-testid="lang-switch">${other === 'en' ? 'English' : 'Tiếng Việt'}</a></header>
<main>${opts.body}</main>
${opts.script ? html`<script>${raw(opts.script)}</script>` : ''}
</body></html>`;
}

export function num(x: number | null, digits = 1): string {
  return x === null ? '–' : x.toFixed(digits);
}

/** The page's printing of a figure, through the same `displayFigure` as the CSV. */
export function figureText(kind: FigureKind, f: Figure): { value: string; interval: string | null } {
  const d = displayFigure(kind, f);
  const unit = d.unit ? ` ${d.unit}` : '';
  return {
    value: d.value === null ? '–' : `${d.value}${unit}`,
    interval: d.low === null || d.high === null ? null : `${d.low}–${d.high}${unit}`,
  };
}

const STATE_CLASS: Record<Figure['state'], string> = {
  no_data: 'muted',
  too_few: 'too-few',
  measured: '',
  good: 'good',
  bad: 'bad',
};

/**
 * A figure's table cell: value, 95 % interval and, below the minimum sample, the greyed
 * "too few" note. Coloured only from the figure's own state, never from its value here.
 */
export function figureCell(
  t: Translate,
  kind: FigureKind,
  f: Figure,
  opts: { id: string; few?: 'tooFew' | 'tooFewSamples'; sample?: string; label?: string },
) {
  const { value, interval } = figureText(kind, f);
  const title = interval ? `${t('interval95')}: ${interval}` : '';
  return html`<td class="num ${STATE_CLASS[f.state]}" data-figure="${opts.id}" data-state="${f.state}" title="${title}"${opts.label ? html` data-label="${opts.label}"` : ''}>${value}${
    interval ? html`<small>${interval}</small>` : ''
  }${f.state === 'too_few' ? html`<small>${t(opts.few ?? 'tooFew')} (n = ${f.n})</small>` : ''}${
    opts.sample && f.state !== 'too_few' && f.n > 0 ? html`<small>${f.n} ${opts.sample}</small>` : ''
  }</td>`;
}
