import {
  againstTarget,
  DISPLAY,
  displayNumber,
  type Figure,
  formatDate,
  MIN_SAMPLE,
  periodContaining,
  periodDays,
  type ReportPeriod,
  SATISFIED_SHARE_TARGET,
  satisfiedShare,
} from '@onestop/evaluation';
import { DAY_MS, startOfVietnamDate, vietnamDate } from '@onestop/protocol';
import type { TrendBucket, TrendStep } from '@onestop/store';
import { html } from 'hono/html';
import { fill, type Lang, type Translate } from '../i18n.js';
import { figureCell } from '../pages/layout.js';
import { CHART_COLOURS } from './colours.js';
import { renderChartSvg } from './svg.js';

/** Past this many days a point per day crowds a phone's width: the trend goes by week. */
export const DAILY_TREND_MAX_DAYS = 60;

export function trendStep(period: Pick<ReportPeriod, 'from' | 'to'>): TrendStep {
  return periodDays(period) > DAILY_TREND_MAX_DAYS ? 'week' : 'day';
}

/** The first date of every day or week (Monday) the period touches, oldest first. */
export function trendStarts(period: Pick<ReportPeriod, 'from' | 'to'>, step: TrendStep): string[] {
  const first = step === 'week' ? periodContaining('week', period.from).from : period.from;
  const stride = step === 'week' ? 7 * DAY_MS : DAY_MS;
  // Bounded by instants, not by comparing dates: the day after 9999-12-31 has no 4-digit date.
  const end = startOfVietnamDate(period.to) + DAY_MS;
  const out: string[] = [];
  for (let at = startOfVietnamDate(first); at < end; at += stride) out.push(vietnamDate(at));
  return out;
}

/** One day or week of the trend: the official satisfied share, by its formula, with its state. */
export interface TrendPoint {
  start: string;
  share: Figure;
}

/** Every day or week of the period, an empty one as a `no_data` figure (a gap, not a zero). */
export function trendPoints(
  period: Pick<ReportPeriod, 'from' | 'to'>,
  step: TrendStep,
  buckets: readonly TrendBucket[],
): TrendPoint[] {
  const byStart = new Map(buckets.map((b) => [b.start, b]));
  return trendStarts(period, step).map((start) => {
    const b = byStart.get(start);
    return {
      start,
      share: satisfiedShare.compute(b ?? { verySatisfied: 0, satisfied: 0, unsatisfied: 0 }),
    };
  });
}

/** A share on the chart's percent axis, by the same scale the tables print it with. */
const onAxis = (x: number) => x * DISPLAY.share.scale;
/** Only figures with enough ratings join the line and its band; `too_few` is drawn apart, grey. */
const joined = (f: Figure) => f.state === 'measured' || f.state === 'good' || f.state === 'bad';

/** Series order; the tests find each series' marks by its index (`ecmeta_series_index`). */
export const TREND_SERIES = { volume: 0, bandLow: 1, band: 2, share: 3, tooFew: 4 } as const;

export function trendOption(
  t: Translate,
  points: readonly TrendPoint[],
  step: TrendStep,
  goal = SATISFIED_SHARE_TARGET,
) {
  const target = `${displayNumber('share', goal)} ${DISPLAY.share.unit}`;
  const line = { type: 'line', silent: true, connectNulls: false } as const;
  const hidden = { lineStyle: { opacity: 0 }, symbol: 'none' } as const;
  return {
    grid: { left: 52, right: 52, top: 30, bottom: 36 },
    xAxis: {
      type: 'category',
      data: points.map((p) => formatDate(p.start).slice(0, 5)),
      axisLabel: { hideOverlap: true },
    },
    yAxis: [
      {
        type: 'value',
        min: 0,
        max: onAxis(1),
        name: t('chartShareAxis'),
        axisLabel: { formatter: `{value} ${DISPLAY.share.unit}` },
      },
      { type: 'value', min: 0, name: t('ratings'), splitLine: { show: false } },
    ],
    series: [
      {
        type: 'bar',
        silent: true,
        yAxisIndex: 1,
        barMaxWidth: 24,
        itemStyle: { color: CHART_COLOURS.volume },
        data: points.map((p) => (p.share.n > 0 ? p.share.n : null)),
      },
      {
        ...line,
        ...hidden,
        stack: 'wilson',
        data: points.map((p) => (joined(p.share) && p.share.low !== null ? onAxis(p.share.low) : null)),
      },
      {
        ...line,
        ...hidden,
        stack: 'wilson',
        areaStyle: { color: CHART_COLOURS.band, opacity: 1 },
        data: points.map((p) =>
          joined(p.share) && p.share.low !== null && p.share.high !== null
            ? onAxis(p.share.high - p.share.low)
            : null,
        ),
      },
      {
        ...line,
        symbol: 'circle',
        symbolSize: step === 'day' ? 5 : 7,
        showAllSymbol: true,
        itemStyle: { color: CHART_COLOURS.share },
        lineStyle: { color: CHART_COLOURS.share, width: 2 },
        data: points.map((p) => (joined(p.share) && p.share.value !== null ? onAxis(p.share.value) : null)),
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { type: 'dashed', color: CHART_COLOURS.target, width: 1.5 },
          label: { formatter: fill(t('chartTarget'), { target }), position: 'insideEndTop' },
          data: [{ yAxis: onAxis(goal) }],
        },
      },
      {
        type: 'scatter',
        silent: true,
        symbol: 'circle',
        symbolSize: 6,
        itemStyle: { color: 'transparent', borderColor: CHART_COLOURS.tooFew, borderWidth: 1.5 },
        data: points.flatMap((p, i) =>
          p.share.state === 'too_few' && p.share.value !== null ? [[i, onAxis(p.share.value)]] : [],
        ),
      },
    ],
  };
}

export const TREND_SIZE = { width: 720, height: 300 };

/** The trend as a figure: the SVG, its spoken summary, and its numbers in a table for print. */
export function trendChart(
  lang: Lang,
  t: Translate,
  period: Pick<ReportPeriod, 'from' | 'to'>,
  buckets: readonly TrendBucket[],
  goal = SATISFIED_SHARE_TARGET,
) {
  const step = trendStep(period);
  // A unit's own target colours its points and draws its line (`UnitSettings.targets`).
  const points = trendPoints(period, step, buckets).map((p) => ({
    ...p,
    share: againstTarget(p.share, goal),
  }));
  const title = t(step === 'day' ? 'chartTrendDay' : 'chartTrendWeek');
  const count = (ok: (f: Figure) => boolean) => points.filter((p) => ok(p.share)).length;
  const summary = fill(t('chartTrendSummary'), {
    title,
    from: formatDate(period.from),
    to: formatDate(period.to),
    measured: count(joined),
    tooFew: count((f) => f.state === 'too_few'),
    empty: count((f) => f.state === 'no_data'),
    min: MIN_SAMPLE,
    ratings: points.reduce((n, p) => n + p.share.n, 0),
    target: `${displayNumber('share', goal)} ${DISPLAY.share.unit}`,
  });
  const svg = renderChartSvg(trendOption(t, points, step, goal), TREND_SIZE, summary);
  const when = t(step === 'day' ? 'chartDay' : 'chartWeekOf');
  return html`<figure class="chart" data-chart="trend" data-step="${step}" lang="${lang}"><figcaption>${title}</figcaption>${svg}
<details><summary>${t('chartNumbers')}</summary><table><thead><tr><th>${when}</th><th class="num">${t('ratings')}</th><th class="num">${t('satisfiedShare')}</th></tr></thead>
<tbody>${points.map(
    (p) =>
      html`<tr><td data-label="${when}">${formatDate(p.start)}</td><td class="num" data-label="${t('ratings')}">${p.share.n}</td>${figureCell(t, 'share', p.share, { id: 'satisfied-share', label: t('satisfiedShare') })}</tr>`,
  )}</tbody></table></details></figure>`;
}
