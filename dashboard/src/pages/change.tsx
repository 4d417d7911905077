import { type Figure, NO_RATINGS, type RatingFigures, satisfiedShare } from '@onestop/evaluation';
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
export type HeadlineFigures = Pick<RatingFigures, 'ratings' | 'satisfiedShare'>;

const NOTHING_RECORDED: HeadlineFigures = { ratings: 0, satisfiedShare: satisfiedShare.compute(NO_RATINGS) };

/** A share's value in percentage points, the unit its change is read in. */
const points = (f: Figure) => (f.value === null ? null : f.value * 100);

/**
 * One table cell: change of the ratings count and of the satisfied share's value (percentage
 * points). Greyed, never coloured, when either period's share rests on too few ratings.
 */
export function changeCell(t: Translate, current: HeadlineFigures, previous: HeadlineFigures | undefined) {
  // Absent from the previous period's rows means nothing was recorded then.
  const before = previous ?? NOTHING_RECORDED;
  const few = current.satisfiedShare.state === 'too_few' || before.satisfiedShare.state === 'too_few';
  return html`<td class="num${few ? ' too-few' : ''}" data-testid="change" data-label="${t('vsPrevious')}">${change(current.ratings, before.ratings)} · ${change(
    points(current.satisfiedShare),
    points(before.satisfiedShare),
    1,
    ` ${t('percentPoints')}`,
  )}</td>`;
}
