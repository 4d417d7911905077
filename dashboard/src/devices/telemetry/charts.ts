import type { TelemetryPoint } from '@onestop/store';
import { html } from 'hono/html';
import { CHART_COLOURS } from '../../charts/colours.js';
import { renderChartSvg } from '../../charts/svg.js';
import { fill, type Translate } from '../../i18n.js';
import { formatVietnamTime } from '../../period.js';

/** The charts of one device page: the last day, what a technician looks back over. */
export const TELEMETRY_WINDOW_MS = 24 * 3_600_000;
export const TELEMETRY_SERIES = ['cpuTempC', 'load1', 'cameraFps', 'outboxDepth'] as const;
type Series = (typeof TELEMETRY_SERIES)[number];

const SIZE = { width: 480, height: 180 };

/** "HH:MM" in Vietnam time, from the one formatter of the pages (`hh:mm:ss d/m/yyyy`). */
const minuteLabel = (d: Date) => formatVietnamTime(d).slice(0, 5);

function seriesChart(t: Translate, points: readonly TelemetryPoint[], series: Series) {
  const title = t(`chart_${series}`);
  const values = points.map((p) => p[series]);
  const measured = values.filter((v): v is number => v !== null);
  const round = (v: number) => String(Math.round(v * 10) / 10);
  const summary = fill(t('chartSeriesSummary'), {
    title,
    n: measured.length,
    min: measured.length ? round(Math.min(...measured)) : '–',
    max: measured.length ? round(Math.max(...measured)) : '–',
    last: measured.length ? round(measured.at(-1)!) : '–',
  });
  // A category axis of the minutes measured: a device away leaves no points, not a zero line.
  const option = {
    grid: { left: 44, right: 12, top: 16, bottom: 28 },
    xAxis: {
      type: 'category',
      data: points.map((p) => minuteLabel(p.minute)),
      axisLabel: { hideOverlap: true },
    },
    yAxis: { type: 'value', scale: series !== 'outboxDepth' },
    series: [
      {
        type: 'line',
        silent: true,
        symbol: 'none',
        connectNulls: false,
        lineStyle: { color: CHART_COLOURS.share, width: 1.5 },
        data: values,
      },
    ],
  };
  const svg = renderChartSvg(option, SIZE, summary);
  return html`<figure class="chart" data-chart="telemetry-${series}"><figcaption>${title}</figcaption>${svg}<p class="note">${summary}</p></figure>`;
}

/** Temperature, load, camera frame rate and outbox depth, drawn on the server as SVG. */
export function telemetryCharts(t: Translate, points: readonly TelemetryPoint[]) {
  if (points.length === 0)
    return html`<p class="muted" data-testid="telemetry-charts">${t('noTelemetry')}</p>`;
  return html`<div class="charts" data-testid="telemetry-charts"><p class="note">${t('telemetryCharts')}</p>${TELEMETRY_SERIES.map(
    (s) => seriesChart(t, points, s),
  )}</div>`;
}
