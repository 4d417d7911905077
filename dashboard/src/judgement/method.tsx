import {
  ATTRIBUTION_REASONS,
  FILTER_REASONS,
  type FilterReason,
  RATING_AFTER_VISIT_MS,
  type UnitSettings,
  WEEKDAYS,
} from '@onestop/evaluation';
import { CLOCK_TOLERANCE_MS } from '@onestop/store';
import type { FC } from 'hono/jsx';
import { fill, type Translate } from '../i18n.js';
import { hoursText } from './settings-form.js';

/** A duration of the rules in the reader's words: whole minutes as minutes, else seconds. */
function duration(t: Translate, ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} ${t('unitMinutes')}` : `${ms / 1000} ${t('unitSeconds')}`;
}

const Attribution: FC<{ t: Translate }> = ({ t }) => (
  <section id="attribution">
    <h3>{t('attributionTitle')}</h3>
    <p>{t('attributionIntro')}</p>
    <ol data-testid="attribution-reasons">
      {ATTRIBUTION_REASONS.map((r) => (
        <li data-reason={r}>
          <b>{t(`attribution_${r}`)}</b>: {t(`attributionRule_${r}`)}
        </li>
      ))}
    </ol>
  </section>
);

const Off: FC<{ t: Translate; off: boolean }> = ({ t, off }) =>
  off ? (
    <>
      {' '}
      <i>{t('ruleOff')}</i>
    </>
  ) : (
    ''
  );

/** Each filter rule in words, with the thresholds it is applied with. */
const FilterRule: FC<{ t: Translate; r: FilterReason; s: UnitSettings }> = ({ t, r, s }) => {
  switch (r) {
    case 'outside_hours':
      return (
        <>
          {t('filterRule_outside_hours')}
          <table data-testid="method-hours">
            <tbody>
              {WEEKDAYS.map((d) => (
                <tr data-day={d}>
                  <td>{t(`weekday_${d}`)}</td>
                  <td>{hoursText(t, s.openingHours[d])}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      );
    case 'nobody_at_counter':
      return <>{fill(t('filterRule_nobody_at_counter'), { after: duration(t, RATING_AFTER_VISIT_MS) })}</>;
    case 'repeat_in_visit':
      return <>{t('filterRule_repeat_in_visit')}</>;
    case 'rapid_repeat': {
      const seconds = s.rapidRepeat.windowSeconds;
      return (
        <>
          {fill(t('filterRule_rapid_repeat'), { seconds })}
          <Off t={t} off={seconds === 0} />
        </>
      );
    }
    case 'burst_without_visit': {
      const { maxPresses: max, windowMinutes: minutes } = s.burst;
      return (
        <>
          {fill(t('filterRule_burst_without_visit'), { max, minutes })}
          <Off t={t} off={minutes === 0} />
        </>
      );
    }
  }
};

/** What "Cách tính" explains the filters with: a unit's settings, or the defaults (`unitName` null). */
export type MethodRules = { unitName: string | null; settings: UnitSettings };

const Filters: FC<{ t: Translate; rules: MethodRules }> = ({ t, rules }) => (
  <section id="filters">
    <h3>{t('filtersTitle')}</h3>
    <p>{t('filtersIntro')}</p>
    <p data-testid="thresholds-of">
      {rules.unitName === null ? (
        t('thresholdsDefault')
      ) : (
        <>
          {t('thresholdsOf')} <b>{rules.unitName}</b>
        </>
      )}
      :
    </p>
    <ol data-testid="filter-reasons">
      {FILTER_REASONS.map((r) => (
        <li data-reason={r}>
          <b>{t(`filter_${r}`)}</b>: <FilterRule t={t} r={r} s={rules.settings} />
        </li>
      ))}
    </ol>
  </section>
);

/** Time placement (store/src/time/placement.ts), with its tolerance from the rule's own constant. */
const TimePlacement: FC<{ t: Translate }> = ({ t }) => {
  const tolerance = duration(t, CLOCK_TOLERANCE_MS);
  return (
    <section id="time-placement">
      <h3>{t('timeTitle')}</h3>
      <p>{t('timeIntro')}</p>
      <ol data-testid="time-rules">
        <li>{fill(t('timeDevice'), { tolerance })}</li>
        <li>{t('timeRebased')}</li>
        <li>{fill(t('timeQuarantined'), { tolerance })}</li>
      </ol>
      <p>{t('timeBounds')}</p>
    </section>
  );
};

/**
 * The sections of "Cách tính" on what counts at all: attribution, misuse filters (with a unit's
 * thresholds, or the defaults) and time placement, from the codes and constants the centre uses.
 */
export const JudgementMethod: FC<{ t: Translate; rules: MethodRules }> = ({ t, rules }) => (
  <>
    <Attribution t={t} />
    <Filters t={t} rules={rules} />
    <TimePlacement t={t} />
  </>
);
