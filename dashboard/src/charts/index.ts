import { type ReportPeriod, SATISFIED_SHARE_TARGET } from '@onestop/evaluation';
import { type Executor, ratingsByWeekdayAndHour, satisfactionTrend } from '@onestop/store';
import { unitTarget } from '../drill/target.js';
import type { Lang, Translate } from '../i18n.js';
import { storeSpan } from '../period.js';
import { heatmapChart } from './heatmap.js';
import { trendChart, trendStep } from './trend.js';

/** The trend of a unit, or of the whole city when `unitId` is null: one roll-up query. */
export async function trendFigure(
  db: Executor,
  view: { lang: Lang; t: Translate },
  unitId: string | null,
  period: ReportPeriod,
) {
  // A unit's trend is drawn against the unit's own target; the city's against the default one.
  const [buckets, target] = await Promise.all([
    satisfactionTrend(db, { unitId, ...storeSpan(period), step: trendStep(period) }),
    unitId === null ? SATISFIED_SHARE_TARGET : unitTarget(db, unitId),
  ]);
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
