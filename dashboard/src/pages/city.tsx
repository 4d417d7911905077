import type { UnitComparison } from '@onestop/store';
import { html } from 'hono/html';
import type { Lang, Translate } from '../i18n.js';
import { changeCell } from './change.js';
import {
  CAMERA_COLUMN,
  DOSSIER_COLUMN,
  figureCells,
  figureHeaders,
  officialCells,
  officialHeaders,
  overdueNote,
  RATING_COLUMNS,
} from './figures.js';

/** `search` keeps the period in links; `previous` is the same table for the previous period. */
export function cityTable(
  lang: Lang,
  t: Translate,
  rows: UnitComparison[],
  period: { search: string; previous: readonly UnitComparison[] },
) {
  const before = new Map(period.previous.map((u) => [u.unitId, u]));
  if (rows.length === 0) return html`<p class="muted">${t('empty')}</p>`;
  return html`<table data-testid="unit-comparison"><thead><tr><th>${t('unitName')}</th><th class="num">${t('ratings')}</th>${officialHeaders(lang)}
${figureHeaders(t, RATING_COLUMNS)}${figureHeaders(t, [DOSSIER_COLUMN])}<th class="num">${t('visits')}</th><th class="num">${t('unrated')}</th>${figureHeaders(t, [CAMERA_COLUMN])}<th>${t('vsPrevious')}</th></tr></thead>
<tbody>${rows.map(
    (
      u,
    ) => html`<tr data-unit="${u.unitId}"><td data-label="${t('unitName')}"><a href="/units/${u.unitId}?${period.search}">${u.unitName}</a> <small class="muted">${u.province}</small></td>
<td class="num" data-label="${t('ratings')}">${u.ratings}</td>${officialCells(lang, u)}${figureCells(t, RATING_COLUMNS, u)}${figureCells(t, [DOSSIER_COLUMN], u)}
<td class="num" data-label="${t('visits')}">${u.visits}</td><td class="num" data-label="${t('unrated')}">${u.unratedVisits}</td>${figureCells(t, [CAMERA_COLUMN], u)}
${changeCell(t, u, before.get(u.unitId))}</tr>`,
  )}</tbody></table>${overdueNote(t, rows)}`;
}
