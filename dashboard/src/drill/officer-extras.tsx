import {
  addCounts,
  againstTarget,
  DISPLAY,
  type Figure,
  NO_RATINGS,
  type ReportPeriod,
  satisfactionIndex,
  satisfiedShare,
} from '@onestop/evaluation';
import { type Executor, type OfficerSummary, officerPresenceMs, satisfactionTrend } from '@onestop/store';
import { trendChart, trendStep } from '../charts/trend.js';
import { fill, type Lang, type Translate } from '../i18n.js';
import { figureCell } from '../pages/layout.js';
import { storeSpan } from '../period.js';

/** One row of the comparison: the officer's figure, the unit's, and the difference of values. */
export interface ComparedFigure {
  kind: 'share' | 'points';
  id: string;
  label: 'satisfiedShare' | 'satisfactionIndex';
  officer: Figure;
  unit: Figure;
}

/** officer − unit in display units (points for a share), or null when either has no value. */
export function difference(f: Pick<ComparedFigure, 'kind' | 'officer' | 'unit'>): number | null {
  if (f.officer.value === null || f.unit.value === null) return null;
  const { scale, digits } = DISPLAY[f.kind];
  return Number(((f.officer.value - f.unit.value) * scale).toFixed(digits));
}

/**
 * The unit's official counts in the period: the sum of every roll-up row of the unit, as the city
 * table sums them (`compareUnits`), so the "whole unit" here is the city's figure for it.
 */
export function unitCounts(rows: ReadonlyArray<{ official: typeof NO_RATINGS }>) {
  return rows.reduce((sum, r) => addCounts(sum, r.official), NO_RATINGS);
}

type CompareProps = { t: Translate; figures: readonly ComparedFigure[] };

/**
 * The officer beside the whole unit: each with its interval; the difference is signed and never
 * coloured, and greyed when either side rests on too few ratings (not a verdict on the officer).
 */
export function OfficerComparison({ t, figures }: CompareProps) {
  return (
    <table data-testid="officer-comparison">
      <thead>
        <tr>
          <th>{t('drillFigure')}</th>
          <th class="num">{t('officer')}</th>
          <th class="num">{t('drillUnitAverage')}</th>
          <th class="num">{t('drillDifference')}</th>
        </tr>
      </thead>
      <tbody>
        {figures.map((f) => {
          const d = difference(f);
          const few = f.officer.state === 'too_few' || f.unit.state === 'too_few';
          const unit = f.kind === 'share' ? ` ${t('percentPoints')}` : '';
          return (
            <tr data-compare={f.id}>
              <td data-label={t('drillFigure')}>
                <a href={`/cach-tinh#${f.id}`}>{t(f.label)}</a>
              </td>
              {figureCell(t, f.kind, f.officer, { id: f.id, label: t('officer') })}
              {figureCell(t, f.kind, f.unit, { id: f.id, label: t('drillUnitAverage') })}
              <td
                class={`num${few ? ' too-few' : ''}`}
                data-label={t('drillDifference')}
                data-testid="difference"
              >
                {d === null
                  ? '–'
                  : `${d > 0 ? '+' : d < 0 ? '−' : '±'}${Math.abs(d).toFixed(DISPLAY[f.kind].digits)}${unit}`}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * What the officer page adds below the officer's own table: the comparison with the unit, the
 * time signed in, the officer's trend (roll-ups of this officer only) and the link to the ratings.
 */
export async function officerExtras(
  db: Executor,
  view: { lang: Lang; t: Translate; search: string; now: Date; target: number },
  officer: { id: string; unitId: string },
  period: ReportPeriod,
  /** Every officer row of the unit in the period (`officerRecord`'s `unitSummaries`): the unit's figure. */
  rows: readonly OfficerSummary[],
) {
  const { lang, t } = view;
  const span = storeSpan(period);
  const [presenceMs, buckets] = await Promise.all([
    officerPresenceMs(db, { officerId: officer.id, unitId: officer.unitId, period: span, now: view.now }),
    satisfactionTrend(db, {
      unitId: officer.unitId,
      officerId: officer.id,
      ...span,
      step: trendStep(period),
    }),
  ]);
  const own = unitCounts(rows.filter((r) => r.officerId === officer.id));
  const all = unitCounts(rows);
  const figures: ComparedFigure[] = [
    {
      kind: 'share',
      id: satisfiedShare.doc.id,
      label: 'satisfiedShare',
      // Both judged against the unit's own target, as the rest of the unit's pages.
      officer: againstTarget(satisfiedShare.compute(own), view.target),
      unit: againstTarget(satisfiedShare.compute(all), view.target),
    },
    {
      kind: 'points',
      id: satisfactionIndex.doc.id,
      label: 'satisfactionIndex',
      officer: satisfactionIndex.compute(own),
      unit: satisfactionIndex.compute(all),
    },
  ];
  const hours = (presenceMs / 3_600_000).toFixed(1);
  return (
    <section data-testid="officer-drill">
      <h3>{t('drillCompare')}</h3>
      <OfficerComparison t={t} figures={figures} />
      <h3>{t('drillPresence')}</h3>
      <p data-testid="presence-hours" data-ms={String(presenceMs)}>
        {fill(t('drillPresenceHours'), { hours })}
      </p>
      <div class="charts">{trendChart(lang, t, period, buckets, view.target)}</div>
      <p>
        <a
          href={`/officers/${encodeURIComponent(officer.id)}/ratings?${view.search}`}
          data-testid="officer-ratings-link"
        >
          {t('drillAllRatings')}
        </a>
      </p>
    </section>
  );
}
