import { againstTarget, ratingsIn, satisfiedShare } from '@onestop/evaluation';
import type { CounterOfficer } from '@onestop/store';
import type { Translate } from '../i18n.js';
import { figureCell } from '../pages/layout.js';

type Props = { t: Translate; rows: readonly CounterOfficer[]; search: string; target: number };

/** The officers credited at one counter in the period, each linked to their own page. */
export function CounterOfficersTable({ t, rows, search, target }: Props) {
  if (rows.length === 0) return <p class="muted">{t('empty')}</p>;
  return (
    <table data-testid="counter-officers">
      <thead>
        <tr>
          <th>{t('officer')}</th>
          <th class="num">{t('ratings')}</th>
          <th class="num">{t('satisfiedShare')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((o) => (
          <tr data-officer={o.officerId}>
            <td data-label={t('officer')}>
              <a href={`/officers/${encodeURIComponent(o.officerId)}?${search}`}>
                {o.officerName ?? o.officerId}
              </a>{' '}
              <small class="muted">{o.officerId}</small>
            </td>
            <td class="num" data-label={t('ratings')}>
              {ratingsIn(o)}
            </td>
            {figureCell(t, 'share', againstTarget(satisfiedShare.compute(o), target), {
              id: satisfiedShare.doc.id,
              label: t('satisfiedShare'),
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
