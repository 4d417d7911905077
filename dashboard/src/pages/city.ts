import type { UnitComparison } from '@onestop/store';
import { html } from 'hono/html';
import type { Translate } from '../i18n.js';
import { changeCell } from './change.js';
import { num, pct } from './layout.js';

/** `search` keeps the period in links; `previous` is the same table for the previous period. */
export function cityTable(
  t: Translate,
  rows: UnitComparison[],
  period: { search: string; previous: readonly UnitComparison[] },
) {
  const before = new Map(period.previous.map((u) => [u.unitId, u]));
  if (rows.length === 0) return html`<p class="muted">${t('empty')}</p>`;
  return html`<table data-testid="unit-comparison"><thead><tr><th>${t('unitName')}</th><th>${t('ratings')}</th>
<th>${t('satisfiedShare')}</th><th>${t('meanScore')}</th><th>${t('visits')}</th><th>${t('unrated')}</th><th>${t('cameraIndex')}</th><th>${t('vsPrevious')}</th></tr></thead>
<tbody>${rows.map(
    (
      u,
    ) => html`<tr><td><a href="/units/${u.unitId}?${period.search}">${u.unitName}</a> <small class="muted">${u.province}</small></td>
<td class="num">${u.ratings}</td><td class="num ${u.satisfiedShare !== null && u.satisfiedShare < 0.8 ? 'bad' : ''}">${pct(u.satisfiedShare)}</td>
<td class="num">${num(u.meanScore)}</td><td class="num">${u.visits}</td><td class="num">${u.unratedVisits}</td>
<td>${u.expression.mean === null ? '–' : html`${num(u.expression.mean * 100, 0)}${u.expression.ci95 !== null ? html` ± ${num(u.expression.ci95 * 100, 0)}` : ''} <span class="muted">(${u.expression.samples} ${t('samples')})</span>`}</td>
${changeCell(t, u, before.get(u.unitId))}</tr>`,
  )}</tbody></table>`;
}
