import { type Figure, NO_RATINGS, type RatingFigures, satisfiedShare } from '@onestop/evaluation';
import type { FC } from 'hono/jsx';
import type { Translate } from '../i18n.js';

type ChangeProps = { current: number | null; previous: number | null; digits?: number; unit?: string };

/**
 * The change of one figure since the previous comparable period, signed and never coloured: a
 * rise or fall is not a verdict on an officer (whether a figure rests on enough ratings to judge
 * is the figure's own business). `–` when either side has no value.
 */
export const Change: FC<ChangeProps> = ({ current, previous, digits = 0, unit = '' }) => {
  if (current === null || previous === null) return <span class="change muted">–</span>;
  const delta = Number((current - previous).toFixed(digits));
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±';
  return <span class="change">{`${sign}${Math.abs(delta).toFixed(digits)}${unit}`}</span>;
};

export function change(current: number | null, previous: number | null, digits = 0, unit = '') {
  return <Change current={current} previous={previous} digits={digits} unit={unit} />;
}

/** The headline figures every report compares with the previous period. */
export type HeadlineFigures = Pick<RatingFigures, 'ratings' | 'satisfiedShare'>;

const NOTHING_RECORDED: HeadlineFigures = { ratings: 0, satisfiedShare: satisfiedShare.compute(NO_RATINGS) };

/** A share's value in percentage points, the unit its change is read in. */
const points = (f: Figure) => (f.value === null ? null : f.value * 100);

type ChangeCellProps = { t: Translate; current: HeadlineFigures; previous: HeadlineFigures | undefined };

/**
 * One table cell: change of the ratings count and of the satisfied share's value (percentage
 * points). Greyed, never coloured, when either period's share rests on too few ratings.
 */
export const ChangeCell: FC<ChangeCellProps> = ({ t, current, previous }) => {
  // Absent from the previous period's rows means nothing was recorded then.
  const before = previous ?? NOTHING_RECORDED;
  const few = current.satisfiedShare.state === 'too_few' || before.satisfiedShare.state === 'too_few';
  return (
    <td class={`num${few ? ' too-few' : ''}`} data-testid="change" data-label={t('vsPrevious')}>
      <Change current={current.ratings} previous={before.ratings} />
      {' · '}
      <Change
        current={points(current.satisfiedShare)}
        previous={points(before.satisfiedShare)}
        digits={1}
        unit={` ${t('percentPoints')}`}
      />
    </td>
  );
};

export function changeCell(t: Translate, current: HeadlineFigures, previous: HeadlineFigures | undefined) {
  return <ChangeCell t={t} current={current} previous={previous} />;
}
