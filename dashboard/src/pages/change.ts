import { html } from 'hono/html';
import type { Translate } from '../i18n.js';

/**
 * The change of one figure since the previous comparable period, signed and never coloured: a
 * rise or fall is not a verdict on an officer (whether a figure rests on enough ratings to judge
 * is the figure's own business). `–` when either side has no value.
 */
export function change(current: number | null, previous: number | null, digits = 0, unit = '') {
  if (current === null || previous === null) return html`<span class="change muted">–</span>`;
  const delta = Number((current - previous).toFixed(digits));
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±';
  return html`<span class="change">${sign}${Math.abs(delta).toFixed(digits)}${unit}</span>`;
}

/** The headline figures every report compares with the previous period. */
export interface HeadlineFigures {
  ratings: number;
  satisfiedShare: number | null;
}

/** One table cell: change of the ratings count and of the satisfied share (percentage points). */
export function changeCell(t: Translate, current: HeadlineFigures, previous: HeadlineFigures | undefined) {
  // Absent from the previous period's rows means nothing was recorded then.
  const before = previous ?? { ratings: 0, satisfiedShare: null };
  const share = (x: number | null) => (x === null ? null : x * 100);
  return html`<td class="num" data-testid="change">${change(current.ratings, before.ratings)} · ${change(
    share(current.satisfiedShare),
    share(before.satisfiedShare),
    1,
    ` ${t('percentPoints')}`,
  )}</td>`;
}
