import { type ReportPeriod, SATISFIED_SHARE_TARGET } from '@onestop/evaluation';
import { type Executor, ratingsByWeekdayAndHour, satisfactionTrend } from '@onestop/store';
import { targetOf } from '../drill/target.js';
import type { Lang, Translate } from '../i18n.js';
import { storeSpan } from '../period.js';
import { heatmapChart } from './heatmap.js';
import { trendChart, trendStep } from './trend.js';

/** The trend of a unit (its row, as read), or of the whole city when null: one roll-up query. */
export async function trendFigure(
  db: Executor,
  view: { lang: Lang; t: Translate },
  unit: { id: string; settings: unknown } | null,
  period: ReportPeriod,
) {
  const buckets = await satisfactionTrend(db, {
    unitId: unit?.id ?? null,
    ...storeSpan(period),
    step: trendStep(period),
  });
  // A unit's trend is drawn against the unit's own target; the city's against the default one.
  const target = unit === null ? SATISFIED_SHARE_TARGET : targetOf(unit);
  return trendChart(view.lang, view.t, period, buckets, target);
}

/** A unit's hour × weekday load, or the whole city's when `unitId` is null: one roll-up query. */
export async function heatmapFigure(
  db: Executor,
  view: { lang: Lang; t: Translate },
  unitId: string | null,
  period: ReportPeriod,
) {
  const cells = await ratingsByWeekdayAndHour(db, { unitId, ...storeSpan(period) });
  return heatmapChart(view.lang, view.t, period, cells);
}
