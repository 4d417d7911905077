import {
  ATTRIBUTION_REASONS,
  FILTER_REASONS,
  type FilterReason,
  RATING_AFTER_VISIT_MS,
  type UnitSettings,
  WEEKDAYS,
} from '@onestop/evaluation';
import { CLOCK_TOLERANCE_MS } from '@onestop/store';
import { html } from 'hono/html';
import { fill, type Translate } from '../i18n.js';
import { hoursText } from './settings-form.js';

/** A duration of the rules in the reader's words: whole minutes as minutes, else seconds. */
function duration(t: Translate, ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} ${t('unitMinutes')}` : `${ms / 1000} ${t('unitSeconds')}`;
}

function attribution(t: Translate) {
  return html`<section id="attribution"><h3>${t('attributionTitle')}</h3><p>${t('attributionIntro')}</p>
<ol data-testid="attribution-reasons">${ATTRIBUTION_REASONS.map(
    (r) => html`<li data-reason="${r}"><b>${t(`attribution_${r}`)}</b>: ${t(`attributionRule_${r}`)}</li>`,
  )}</ol></section>`;
}

/** Each filter rule in words, with the thresholds it is applied with. */
function filterRule(t: Translate, r: FilterReason, s: UnitSettings) {
  switch (r) {
    case 'outside_hours':
      return html`${t('filterRule_outside_hours')}
<table data-testid="method-hours"><tbody>${WEEKDAYS.map(
        (d) =>
          html`<tr data-day="${d}"><td>${t(`weekday_${d}`)}</td><td>${hoursText(t, s.openingHours[d])}</td></tr>`,
      )}</tbody></table>`;
    case 'nobody_at_counter':
      return fill(t('filterRule_nobody_at_counter'), { after: duration(t, RATING_AFTER_VISIT_MS) });
    case 'repeat_in_visit':
      return t('filterRule_repeat_in_visit');
    case 'rapid_repeat': {
      const seconds = s.rapidRepeat.windowSeconds;
      return html`${fill(t('filterRule_rapid_repeat'), { seconds })}${seconds === 0 ? html` <i>${t('ruleOff')}</i>` : ''}`;
    }
    case 'burst_without_visit': {
      const { maxPresses: max, windowMinutes: minutes } = s.burst;
      return html`${fill(t('filterRule_burst_without_visit'), { max, minutes })}${minutes === 0 ? html` <i>${t('ruleOff')}</i>` : ''}`;
    }
  }
}

function filters(t: Translate, rules: { unitName: string | null; settings: UnitSettings }) {
  return html`<section id="filters"><h3>${t('filtersTitle')}</h3><p>${t('filtersIntro')}</p>
<p data-testid="thresholds-of">${rules.unitName === null ? t('thresholdsDefault') : html`${t('thresholdsOf')} <b>${rules.unitName}</b>`}:</p>
<ol data-testid="filter-reasons">${FILTER_REASONS.map(
    (r) => html`<li data-reason="${r}"><b>${t(`filter_${r}`)}</b>: ${filterRule(t, r, rules.settings)}</li>`,
  )}</ol></section>`;
}

/** Time placement (store/src/time/placement.ts), with its tolerance from the rule's own constant. */
function timePlacement(t: Translate) {
  const tolerance = duration(t, CLOCK_TOLERANCE_MS);
  return html`<section id="time-placement"><h3>${t('timeTitle')}</h3><p>${t('timeIntro')}</p>
<ol data-testid="time-rules"><li>${fill(t('timeDevice'), { tolerance })}</li><li>${t('timeRebased')}</li>
<li>${fill(t('timeQuarantined'), { tolerance })}</li></ol><p>${t('timeBounds')}</p></section>`;
}

/**
 * The sections of "Cách tính" on what counts at all: attribution, misuse filters (with a unit's
 * thresholds, or the defaults) and time placement, from the codes and constants the centre uses.
 */
export function judgementMethod(t: Translate, rules: { unitName: string | null; settings: UnitSettings }) {
  return html`${attribution(t)}${filters(t, rules)}${timePlacement(t)}`;
}
