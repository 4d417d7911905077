import { displayFigure, type Figure, type FigureKind } from '@onestop/evaluation';
import type { FC } from 'hono/jsx';
import type { Translate } from '../i18n.js';

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

export interface FigureCellOptions {
  id: string;
  few?: 'tooFew' | 'tooFewSamples';
  sample?: string;
  label?: string;
}

type FigureCellProps = FigureCellOptions & { t: Translate; kind: FigureKind; figure: Figure };

/**
 * A figure's table cell: value, 95 % interval and, below the minimum sample, the greyed
 * "too few" note. Coloured only from the figure's own state, never from its value here.
 */
export const FigureCell: FC<FigureCellProps> = ({ t, kind, figure: f, id, few, sample, label }) => {
  const { value, interval } = figureText(kind, f);
  return (
    <td
      class={`num ${STATE_CLASS[f.state]}`}
      data-figure={id}
      data-state={f.state}
      title={interval ? `${t('interval95')}: ${interval}` : ''}
      data-label={label}
    >
      {value}
      {interval ? <small>{interval}</small> : ''}
      {f.state === 'too_few' ? (
        <small>
          {t(few ?? 'tooFew')} (n = {f.n})
        </small>
      ) : (
        ''
      )}
      {sample && f.state !== 'too_few' && f.n > 0 ? (
        <small>
          {f.n} {sample}
        </small>
      ) : (
        ''
      )}
    </td>
  );
};

/** `FigureCell` for callers still building pages from `html` templates. */
export function figureCell(t: Translate, kind: FigureKind, f: Figure, opts: FigureCellOptions) {
  return <FigureCell t={t} kind={kind} figure={f} {...opts} />;
}
