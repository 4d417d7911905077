import { RatingScale } from '@onestop/protocol';
import { UNCOUNTED_KINDS, type UncountedKind, type UncountedRating } from '@onestop/store';
import { html } from 'hono/html';
import { type Lang, levelLabel, scaledLevelLabel, type Translate } from '../i18n.js';
import type { pager } from '../pages/pager.js';
import { formatVietnamTime } from '../period.js';
import type { UnitJudgement } from './data.js';

/** What a list of uncounted ratings shows: a counter or all, a kind or both. */
export interface UncountedFilter {
  counter?: string | undefined;
  kind?: UncountedKind | undefined;
}

/** The query string of a filter (without the period), `&`-joined, empty for "everything". */
export function filterSearch(f: UncountedFilter): string {
  const q = new URLSearchParams();
  if (f.counter) q.set('counter', f.counter);
  if (f.kind) q.set('kind', f.kind);
  return q.toString();
}

export function uncountedHref(unitId: string, f: UncountedFilter, periodSearch: string): string {
  const filter = filterSearch(f);
  return `/units/${unitId}/uncounted?${filter ? `${filter}&` : ''}${periodSearch}`;
}

/**
 * Beside the counter table of the unit page: per counter, what was counted and what counted for
 * nobody; each uncounted number opens its list (quarantined ones are listed with the devices).
 */
export function uncountedTable(t: Translate, j: UnitJudgement, opts: { unitId: string; search: string }) {
  if (j.counters.length === 0) return html`<p class="muted">${t('empty')}</p>`;
  const cell = (n: number, f: UncountedFilter & { kind: UncountedKind }) =>
    html`<td class="num" data-kind="${f.kind}" data-label="${t(f.kind)}">${n > 0 ? html`<a href="${uncountedHref(opts.unitId, f, opts.search)}">${n}</a>` : '0'}</td>`;
  const quarantined = (n: number) =>
    html`<td class="num" data-kind="quarantined" data-label="${t('quarantined')}">${n > 0 ? html`<a href="/devices">${n}</a>` : '0'}</td>`;
  return html`<table data-testid="uncounted-table"><thead><tr><th>${t('counter')}</th><th class="num">${t('counted')}</th>
<th class="num">${t('unverified')}</th><th class="num">${t('filtered')}</th><th class="num">${t('quarantined')}</th></tr></thead>
<tbody>${j.counters.map(
    (
      c,
    ) => html`<tr data-counter="${c.counterId}"><td data-label="${t('counter')}">${c.counterId}</td><td class="num" data-label="${t('counted')}">${c.counted}</td>
${cell(c.unverified, { counter: c.counterId, kind: 'unverified' })}${cell(c.filtered, { counter: c.counterId, kind: 'filtered' })}${quarantined(c.quarantined)}</tr>`,
  )}
<tr data-counter=""><th>${t('total')}</th><td class="num" data-label="${t('counted')}">${j.counters.reduce((n, c) => n + c.counted, 0)}</td>
${cell(j.uncounted.unverified, { kind: 'unverified' })}${cell(j.uncounted.filtered, { kind: 'filtered' })}${quarantined(j.uncounted.quarantined)}</tr>
</tbody></table><p class="note">${t('uncountedNote')} <a href="/cach-tinh?unit=${opts.unitId}#attribution">${t('seeMethod')}</a></p>`;
}

/** How many ratings a filter lists: the counters' uncounted numbers it covers. */
export function uncountedTotal(j: UnitJudgement, f: UncountedFilter): number {
  return j.counters
    .filter((c) => f.counter === undefined || c.counterId === f.counter)
    .reduce(
      (n, c) => n + (f.kind === 'filtered' ? 0 : c.unverified) + (f.kind === 'unverified' ? 0 : c.filtered),
      0,
    );
}

/** Why a rating counts for nobody, in words: the filter that caught it, then a failed attribution. */
export function reasonWords(t: Translate, r: Pick<UncountedRating, 'filterReason' | 'attributionReason'>) {
  const words: string[] = [];
  if (r.filterReason) words.push(`${t('filtered')}: ${t(`filter_${r.filterReason}`)}`);
  if (r.attributionReason) words.push(`${t('unverified')}: ${t(`attribution_${r.attributionReason}`)}`);
  return words;
}

/** A level named with its scale, for lists where levels of several scales meet. */
export function levelText(lang: Lang, scale: string, level: number): string {
  const s = RatingScale.safeParse(scale);
  // Levels of every scale may meet in one list: each names its scale.
  return s.success ? scaledLevelLabel(lang, s.data, level) : levelLabel(lang, scale, level);
}

function ratingRow(lang: Lang, t: Translate, r: UncountedRating) {
  return html`<tr data-event-id="${r.eventId}" data-kind="${r.kind}"><td data-label="${t('time')}">${formatVietnamTime(r.at)}</td><td data-label="${t('counter')}">${r.counterId}</td>
<td data-label="${t('namedOfficer')}">${r.officerId === null ? '–' : html`${r.officerName ?? r.officerId}${r.officerName ? html` <small class="muted">${r.officerId}</small>` : ''}`}</td>
<td class="${r.official === 'unsatisfied' ? 'bad' : ''}" data-label="${t('level')}">${levelText(lang, r.scale, r.level)}</td>
<td data-label="${t('dossier')}">${r.dossierIds.join(', ') || '–'}</td>
<td data-label="${t('whyUncounted')}">${reasonWords(t, r).map((w, i) => html`${i > 0 ? html`<br>` : ''}${w}`)}</td></tr>`;
}

/** Links that change one part of the filter and keep the rest and the period. */
function filterNav(t: Translate, f: UncountedFilter, periodSearch: string) {
  const link = (g: UncountedFilter, text: string, current: boolean) =>
    current
      ? html`<b>${text}</b>`
      : html`<a href="?${filterSearch(g) ? `${filterSearch(g)}&` : ''}${periodSearch}">${text}</a>`;
  const kinds = [...UNCOUNTED_KINDS, undefined].map(
    (kind) => html`${link({ ...f, kind }, kind ? t(kind) : t('bothKinds'), f.kind === kind)} `,
  );
  const counters = f.counter
    ? html`${t('counter')} <b>${f.counter}</b> · ${link({ ...f, counter: undefined }, t('allCounters'), false)}`
    : html`<b>${t('allCounters')}</b>`;
  return html`<p data-testid="uncounted-filter">${counters} — ${kinds}</p>`;
}

export function uncountedPage(
  lang: Lang,
  t: Translate,
  p: {
    unit: { id: string; name: string };
    rows: readonly UncountedRating[];
    filter: UncountedFilter;
    /** "Showing X–Y of Z" with the page links. */
    pager: ReturnType<typeof pager>;
    nav: ReturnType<typeof html>;
    periodSearch: string;
  },
) {
  const table =
    p.rows.length === 0
      ? html`<p class="muted">${t('empty')}</p>`
      : html`<table data-testid="uncounted-list"><thead><tr><th>${t('time')}</th><th>${t('counter')}</th><th>${t('namedOfficer')}</th>
<th>${t('level')}</th><th>${t('dossier')}</th><th>${t('whyUncounted')}</th></tr></thead>
<tbody>${p.rows.map((r) => ratingRow(lang, t, r))}</tbody></table>`;
  return html`<h2>${t('uncountedList')} <small class="muted">${p.unit.name}</small></h2>
<p><a href="/units/${p.unit.id}?${p.periodSearch}">${t('backToUnit')}</a></p>${p.nav}
${filterNav(t, p.filter, p.periodSearch)}${table}${p.pager}
<p class="note">${t('uncountedNote')} <a href="/cach-tinh?unit=${p.unit.id}#attribution">${t('seeMethod')}</a></p>`;
}
