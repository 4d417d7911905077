import type { presenceIntervalsOf, unsatisfiedRatings } from '@onestop/store';
import type { Child, FC } from 'hono/jsx';
import { type Lang, levelLabel, reasonsText, type Translate } from '../i18n.js';
import { formatVietnamTime } from '../period.js';

type PresenceRow = Awaited<ReturnType<typeof presenceIntervalsOf>>[number];
type BadRatingRow = Awaited<ReturnType<typeof unsatisfiedRatings>>[number];

export const PresenceTable: FC<{ t: Translate; rows: PresenceRow[] }> = ({ t, rows }) => {
  if (rows.length === 0) return <p class="muted">{t('empty')}</p>;
  return (
    <table data-testid="presence">
      <thead>
        <tr>
          <th>{t('counter')}</th>
          <th>{t('officer')}</th>
          <th>{t('signedInAt')}</th>
          <th>{t('signedOutAt')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr>
            <td data-label={t('counter')}>{r.counterId}</td>
            <td data-label={t('officer')}>{r.officerName ?? r.officerId}</td>
            <td data-label={t('signedInAt')}>{formatVietnamTime(r.startedAt)}</td>
            <td data-label={t('signedOutAt')}>
              {r.endedAt ? formatVietnamTime(r.endedAt) : <b class="ok">{t('stillSignedIn')}</b>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};

/** Unsatisfied ratings listed per page of the unit page. */
export const UNSATISFIED_PAGE_SIZE = 50;

type UnsatisfiedProps = {
  lang: Lang;
  t: Translate;
  rows: BadRatingRow[];
  /** The list's "showing X of Y" line (`Pager`). */
  pager?: Child;
};

/** One page of the unit's unsatisfied ratings. */
export const UnsatisfiedTable: FC<UnsatisfiedProps> = ({ lang, t, rows, pager }) => {
  if (rows.length === 0)
    return (
      <div id="unsatisfied">
        <p class="muted">{t('empty')}</p>
        {pager}
      </div>
    );
  return (
    <div id="unsatisfied">
      <table data-testid="unsatisfied">
        <thead>
          <tr>
            <th>{t('time')}</th>
            <th>{t('counter')}</th>
            <th>{t('officer')}</th>
            <th>{t('level')}</th>
            <th>{t('dossier')}</th>
            <th>{t('reasons')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <td data-label={t('time')}>{formatVietnamTime(r.at ?? r.deviceTs)}</td>
              <td data-label={t('counter')}>{r.counterId}</td>
              <td data-label={t('officer')}>{r.officerName ?? r.officerId ?? '–'}</td>
              <td class="bad" data-label={t('level')}>
                {levelLabel(lang, r.scale, r.level)}
              </td>
              <td data-label={t('dossier')}>{r.dossierIds.join(', ') || '–'}</td>
              <td data-label={t('reasons')}>{reasonsText(lang, r.reasons)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {pager}
    </div>
  );
};
