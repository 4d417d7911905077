import type { OfficerSummary, officerRecord } from '@onestop/store';
import { html } from 'hono/html';
import type { Lang, Translate } from '../i18n.js';
import { Bar } from './bar.js';
import { figureCells, SATISFIED_SHARE_COLUMN } from './figures.js';
import type { periodNav } from './period-nav.js';
import { liveRatingsTable, officerTable } from './unit.js';

type OfficerRecord = NonNullable<Awaited<ReturnType<typeof officerRecord>>>;

/**
 * `nav` is the period bar; `search` keeps the period in links; `previous` is the officer's summary
 * of the previous period.
 */
export function officerPage(
  lang: Lang,
  t: Translate,
  r: OfficerRecord,
  period: { nav: ReturnType<typeof periodNav>; search: string; previous: OfficerSummary | null },
) {
  const max = Math.max(1, ...r.byHour.map((h) => h.ratings));
  return html`<h2>${r.officer.name} <small class="muted">${r.officer.id} · <a href="/units/${r.officer.unitId}?${period.search}">${r.officer.unitId}</a></small></h2>${period.nav}
${r.summary ? officerTable(lang, t, [r.summary], { search: period.search, previous: period.previous ? [period.previous] : [] }) : html`<p class="muted">${t('empty')}</p>`}
<h3>${t('byHour')}</h3>
<table data-testid="by-hour"><thead><tr><th>${t('hour')}</th><th>${t('ratings')}</th><th></th><th>${t('satisfiedShare')}</th></tr></thead><tbody>
${r.byHour.map(
  (
    h,
  ) => html`<tr><td data-label="${t('hour')}">${String(h.hour).padStart(2, '0')}:00</td><td class="num" data-label="${t('ratings')}">${h.ratings}</td>
<td>${<Bar segments={[{ share: h.ratings / max, colour: '#003d99' }]} />}</td>
${figureCells(t, [SATISFIED_SHARE_COLUMN], h)}</tr>`,
)}</tbody></table>
<h3>${t('liveRatings')}</h3>${liveRatingsTable(lang, t, r.latest)}`;
}
