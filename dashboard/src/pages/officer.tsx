import type { OfficerSummary, officerRecord } from '@onestop/store';
import type { Child, FC } from 'hono/jsx';
import type { Lang, Translate } from '../i18n.js';
import { Bar } from './bar.js';
import { FigureCells, SATISFIED_SHARE_COLUMN } from './figures.js';
import { LiveRatingsTable, OfficerTable } from './unit.js';

type OfficerRecord = NonNullable<Awaited<ReturnType<typeof officerRecord>>>;

type OfficerPageProps = {
  lang: Lang;
  t: Translate;
  record: OfficerRecord;
  /** The period bar. */
  nav: Child;
  /** The period's query, kept in links. */
  search: string;
  /** The officer's summary of the previous period. */
  previous: OfficerSummary | null;
};

/** Ratings per hour of the day, as bars scaled to the busiest hour. */
const ByHour: FC<{ t: Translate; hours: OfficerRecord['byHour'] }> = ({ t, hours }) => {
  const max = Math.max(1, ...hours.map((h) => h.ratings));
  return (
    <table data-testid="by-hour">
      <thead>
        <tr>
          <th>{t('hour')}</th>
          <th>{t('ratings')}</th>
          <th></th>
          <th>{t('satisfiedShare')}</th>
        </tr>
      </thead>
      <tbody>
        {hours.map((h) => (
          <tr>
            <td data-label={t('hour')}>{`${String(h.hour).padStart(2, '0')}:00`}</td>
            <td class="num" data-label={t('ratings')}>
              {h.ratings}
            </td>
            <td>
              <Bar segments={[{ share: h.ratings / max, colour: '#003d99' }]} />
            </td>
            <FigureCells t={t} columns={[SATISFIED_SHARE_COLUMN]} row={h} />
          </tr>
        ))}
      </tbody>
    </table>
  );
};

export const OfficerPage: FC<OfficerPageProps> = ({ lang, t, record: r, nav, search, previous }) => (
  <>
    <h2>
      {r.officer.name}{' '}
      <small class="muted">
        {r.officer.id} · <a href={`/units/${r.officer.unitId}?${search}`}>{r.officer.unitId}</a>
      </small>
    </h2>
    {nav}
    {r.summary ? (
      <OfficerTable
        lang={lang}
        t={t}
        rows={[r.summary]}
        search={search}
        previous={previous ? [previous] : []}
      />
    ) : (
      <p class="muted">{t('empty')}</p>
    )}
    <h3>{t('byHour')}</h3>
    <ByHour t={t} hours={r.byHour} />
    <h3>{t('liveRatings')}</h3>
    <LiveRatingsTable lang={lang} t={t} rows={r.latest} />
  </>
);
