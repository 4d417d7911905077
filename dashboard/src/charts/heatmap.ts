import { formatDate, type ReportPeriod } from '@onestop/evaluation';
import type { HourWeekdayVolume } from '@onestop/store';
import { html } from 'hono/html';
import { fill, type Lang, type MessageKey, type Translate } from '../i18n.js';
import { CHART_COLOURS } from './colours.js';
import { renderChartSvg } from './svg.js';

/** ISO weekdays, Monday first, as the week periods run. */
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;
export const HOURS = Array.from({ length: 24 }, (_, h) => h);

const weekdayName = (t: Translate, d: number) => t(`weekday${d}` as MessageKey);
const weekdayShort = (t: Translate, d: number) => t(`weekdayShort${d}` as MessageKey);
const hourSpan = (h: number) => `${String(h).padStart(2, '0')}:00–${String(h + 1).padStart(2, '0')}:00`;

/** The busiest cell (the first in week order on a tie), or null with no ratings at all. */
export function peakCell(cells: readonly HourWeekdayVolume[]): HourWeekdayVolume | null {
  let peak: HourWeekdayVolume | null = null;
  for (const c of cells) if (c.ratings > 0 && (peak === null || c.ratings > peak.ratings)) peak = c;
  return peak;
}

export function heatmapOption(t: Translate, cells: readonly HourWeekdayVolume[]) {
  const peak = peakCell(cells)?.ratings ?? 0;
  return {
    grid: { left: 44, right: 12, top: 8, bottom: 64 },
    xAxis: {
      type: 'category',
      name: t('chartHour'),
      nameLocation: 'middle',
      nameGap: 24,
      data: HOURS.map(String),
      splitArea: { show: false },
    },
    yAxis: { type: 'category', inverse: true, data: WEEKDAYS.map((d) => weekdayShort(t, d)) },
    visualMap: {
      min: 0,
      max: Math.max(peak, 1),
      orient: 'horizontal',
      left: 'center',
      bottom: 0,
      itemHeight: 160,
      itemWidth: 10,
      text: [String(peak), '0'],
      calculable: false,
      inRange: { color: [CHART_COLOURS.heatLow, CHART_COLOURS.heatHigh] },
    },
    series: [
      {
        type: 'heatmap',
        silent: true,
        itemStyle: { borderColor: '#fff', borderWidth: 1 },
        // Empty hours stay blank, not painted as the palest colour: no rating is not few ratings.
        data: cells.filter((c) => c.ratings > 0).map((c) => [c.hour, c.weekday - 1, c.ratings]),
      },
    ],
  };
}

export const HEATMAP_SIZE = { width: 720, height: 280 };

/** Counted ratings per Vietnam hour × weekday: where the week's load peaks. */
export function heatmapChart(
  lang: Lang,
  t: Translate,
  period: Pick<ReportPeriod, 'from' | 'to'>,
  cells: readonly HourWeekdayVolume[],
) {
  const title = t('chartHeat');
  const peak = peakCell(cells);
  const common = { title, from: formatDate(period.from), to: formatDate(period.to) };
  const summary = peak
    ? fill(t('chartHeatSummary'), {
        ...common,
        ratings: cells.reduce((n, c) => n + c.ratings, 0),
        weekday: weekdayName(t, peak.weekday),
        hour: hourSpan(peak.hour),
        peak: peak.ratings,
      })
    : fill(t('chartHeatEmpty'), common);
  const svg = renderChartSvg(heatmapOption(t, cells), HEATMAP_SIZE, summary);
  const rows = cells.filter((c) => c.ratings > 0);
  return html`<figure class="chart" data-chart="weekday-hour" lang="${lang}"><figcaption>${title}</figcaption>${svg}
<details><summary>${t('chartNumbers')}</summary><table><thead><tr><th>${t('chartWeekday')}</th><th>${t('chartHour')}</th><th class="num">${t('ratings')}</th></tr></thead>
<tbody>${rows.map(
    (c) =>
      html`<tr><td data-label="${t('chartWeekday')}">${weekdayName(t, c.weekday)}</td><td data-label="${t('chartHour')}">${hourSpan(c.hour)}</td><td class="num" data-label="${t('ratings')}">${c.ratings}</td></tr>`,
  )}</tbody></table></details></figure>`;
}
