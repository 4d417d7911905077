import { periodContaining } from '@onestop/evaluation';
import type { Found, FoundComment, FoundRating, FoundVisit } from '@onestop/store';
import { html } from 'hono/html';
import { fill, type Lang, type Translate } from '../i18n.js';
import type { pager } from '../pages/pager.js';
import { ratingHeaders, ratingRow } from '../pages/unit.js';
import { formatVietnamTime, periodSearch } from '../period.js';

type Pager = ReturnType<typeof pager>;

/** A result links to its unit's page on the day it happened (that day's figures and lists). */
export function unitDayHref(unitId: string, at: Date): string {
  return `/units/${unitId}?${periodSearch(periodContaining('day', at))}`;
}

function unitCell(t: Translate, r: { unitId: string; unitName: string | null }, at: Date) {
  return html`<td data-label="${t('unitColumn')}"><a href="${unitDayHref(r.unitId, at)}">${r.unitName ?? r.unitId}</a></td>`;
}

/** An officer's name only when the row's unit has them on its roster (the store decides). */
function officerCell(t: Translate, r: { officerId: string | null; officerName: string | null }) {
  const who =
    r.officerId === null
      ? '–'
      : r.officerName !== null
        ? html`${r.officerName} <small class="muted">${r.officerId}</small>`
        : html`${r.officerId} <small class="muted">${t('notOnUnitRoster')}</small>`;
  return html`<td data-label="${t('officer')}">${who}</td>`;
}

function ratingsTable(lang: Lang, t: Translate, found: Found<FoundRating>) {
  if (found.rows.length === 0) return '';
  const extras = (r: FoundRating) => ({
    unit: { name: r.unitName, href: unitDayHref(r.unitId, r.at ?? r.serverTs) },
    reasons: r.reasons,
    scaled: true,
  });
  return html`<table data-testid="search-ratings"><thead>${ratingHeaders(t, { unit: true, reasons: true })}</thead>
<tbody>${found.rows.map((r) => ratingRow(lang, t, r, extras(r)))}</tbody></table>`;
}

function visitsTable(t: Translate, found: Found<FoundVisit>) {
  if (found.rows.length === 0) return '';
  return html`<table data-testid="search-visits"><thead><tr><th>${t('visitStarted')}</th><th>${t('unitColumn')}</th><th>${t('counter')}</th><th>${t('officer')}</th>
<th>${t('dossier')}</th><th>${t('ticket')}</th><th>${t('visitEnded')}</th><th>${t('visitRated')}</th></tr></thead>
<tbody>${found.rows.map(
    (
      v,
    ) => html`<tr data-visit-id="${v.id}"><td data-label="${t('visitStarted')}">${formatVietnamTime(v.startedAt)}</td>${unitCell(t, v, v.startedAt)}
<td data-label="${t('counter')}">${v.counterId}</td>${officerCell(t, v)}<td data-label="${t('dossier')}">${v.dossierIds.join(', ') || '–'}</td>
<td data-label="${t('ticket')}">${v.ticket ?? '–'}</td><td data-label="${t('visitEnded')}">${v.endedAt ? formatVietnamTime(v.endedAt) : '–'}</td>
<td data-label="${t('visitRated')}">${v.rated === null ? '–' : t(v.rated ? 'yes' : 'no')}</td></tr>`,
  )}</tbody></table>`;
}

function commentsTable(t: Translate, found: Found<FoundComment>) {
  if (found.rows.length === 0) return '';
  return html`<table data-testid="search-comments"><thead><tr><th>${t('time')}</th><th>${t('unitColumn')}</th><th>${t('counter')}</th><th>${t('officer')}</th>
<th>${t('dossier')}</th><th>${t('comments')}</th></tr></thead>
<tbody>${found.rows.map(
    (
      r,
    ) => html`<tr data-comment-id="${r.id}"><td data-label="${t('time')}">${formatVietnamTime(r.createdAt)}</td>${unitCell(t, r, r.createdAt)}
<td data-label="${t('counter')}">${r.counterId ?? '–'}</td>${officerCell(t, r)}<td data-label="${t('dossier')}">${r.dossierId ?? '–'}</td>
<td data-label="${t('comments')}">${r.kind === 'complaint' ? html`<b>${t('commentComplaint')}</b>: ` : r.kind === 'praise' ? html`<i>${t('commentPraise')}</i>: ` : ''}${r.body}</td></tr>`,
  )}</tbody></table>`;
}

export interface SearchResults {
  ratings: Found<FoundRating>;
  visits: Found<FoundVisit>;
  comments: Found<FoundComment>;
}

export function searchPage(
  lang: Lang,
  t: Translate,
  p: { q: string; scope: 'unit' | 'city'; found: SearchResults; pagers: Record<keyof SearchResults, Pager> },
) {
  const { found } = p;
  const nothing = found.ratings.total + found.visits.total + found.comments.total === 0;
  const section = (key: keyof SearchResults, title: Parameters<Translate>[0], table: unknown) =>
    found[key].total === 0
      ? ''
      : html`<section id="${key}"><h3>${t(title)} <small class="muted">(${found[key].total})</small></h3>${table}${p.pagers[key]}</section>`;
  return html`<h2>${t('searchTitle')}: <q data-testid="search-term">${p.q}</q></h2>
<p class="muted">${t(p.scope === 'unit' ? 'searchScopeUnit' : 'searchScopeCity')}</p>
${nothing ? html`<p class="muted" data-testid="search-nothing">${fill(t('searchNothing'), { q: p.q })}</p>` : ''}
${section('ratings', 'searchRatings', ratingsTable(lang, t, found.ratings))}
${section('visits', 'searchVisits', visitsTable(t, found.visits))}
${section('comments', 'searchComments', commentsTable(t, found.comments))}`;
}
