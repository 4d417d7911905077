import { createHash } from 'node:crypto';
import { BarChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { LRUCache } from 'lru-cache';

/**
 * Charts are drawn on the server by Apache ECharts into SVG (its SSR mode): the page needs no
 * client script, prints and scales like text, and the chart is an element the HTML tests can read.
 * Only the chart kinds the pages draw are registered, which keeps start-up and memory small.
 */
echarts.use([
  BarChart,
  HeatmapChart,
  LineChart,
  ScatterChart,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  VisualMapComponent,
  SVGRenderer,
]);

export type ChartOption = echarts.EChartsCoreOption;

/** The drawing size in SVG units; on the page the SVG takes the column's width (viewBox). */
export interface ChartSize {
  width: number;
  height: number;
}

/**
 * ECharts writes label fonts as `style="font-size:12px;font-family:sans-serif;"`. The page's CSP
 * has no `style-src-attr` exception, so the browser blocks those (a console error per label, and
 * labels in the default font size). The same declarations as SVG presentation attributes are not
 * styles to the CSP and draw the same.
 */
export function presentationAttributes(svg: string): string {
  return svg.replace(/\sstyle="([^"]*)"/g, (_, declarations: string) =>
    // A quoted font name arrives as `&quot;Noto Sans&quot;`: its `;` must not split a declaration.
    declarations
      .replaceAll('&quot;', '\u0000')
      .split(';')
      .map((d) => d.replaceAll('\u0000', '&quot;'))
      .map((d) => /^\s*([a-z-]+)\s*:\s*(.+?)\s*$/.exec(d))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ` ${m[1]}="${m[2]!.replaceAll('"', '&quot;')}"`)
      .join(''),
  );
}

/**
 * What a string costs V8's heap: one byte a character while every character is Latin-1, two as
 * soon as one is not. A chart's Vietnamese labels (ư, ơ, ạ…) make most pictures two-byte, so a
 * bound in characters would hold twice the memory it says.
 */
function heapBytes(s: string): number {
  return /[\u0100-\uffff]/.test(s) ? 2 * s.length : s.length;
}

/**
 * Drawn charts by what was drawn. ECharts spends ~20–40 ms of CPU on one chart (building its
 * model, laying out labels, writing the SVG) whatever the data's size, and the same figures give
 * the same picture, to the byte: a past period's charts never change, and the page of a ward that
 * got no rating since the last look shows the same ones again. So a picture is kept by a hash of
 * its option and size, never by page or period (nothing goes stale: other figures are another
 * key). Bounded by bytes: a city ranking is ~100 KB, a trend ~30 KB.
 */
const drawn = new LRUCache<string, string>({
  maxSize: 32 * 1024 * 1024,
  sizeCalculation: heapBytes,
});
/** Drawings made and drawings reused, for `/metrics` (`onestop_dashboard_charts_total`). */
export const chartCounts = { drawn: 0, reused: 0 };
/**
 * Heap bytes the cache of drawings holds now, for `/metrics`: it fills over the first hours of a
 * live day (every new rating is a new picture) up to its bound, which a memory graph would
 * otherwise show as growth with no end in sight.
 */
export const chartCacheBytes = (): number => drawn.calculatedSize;

/**
 * The key of an option: its JSON. A function in an option (a formatter) has no JSON and would be
 * left out of the key, so two different charts could share it: such an option is not kept.
 */
function keyOf(option: ChartOption, size: ChartSize): string | null {
  let pure = true;
  const json = JSON.stringify([size.width, size.height, option], (_, v: unknown) => {
    if (typeof v === 'function') pure = false;
    return v;
  });
  return pure ? createHash('sha256').update(json).digest('base64url') : null;
}

function draw(option: ChartOption, size: ChartSize): string {
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: size.width,
    height: size.height,
  });
  let svg: string;
  try {
    chart.setOption({ animation: false, ...option });
    svg = chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
  chartCounts.drawn++;
  return presentationAttributes(
    svg.replace(/^<svg width="\d+" height="\d+"/, '<svg').replace(/<style\s*>[\s\S]*?<\/style>/g, ''),
  );
}

/**
 * The SVG of one chart, labelled for screen readers: `role="img"` with `summary` as its name. The
 * fixed width and height go, the viewBox stays, so CSS scales it to the column (`svg.chart`) and
 * a 390 px phone never scrolls sideways. ECharts' hover styles go too: without a client script
 * there is nothing to hover, and an inline `<style>` would need a CSP exception.
 */
export function renderChartSvg(option: ChartOption, size: ChartSize, summary: string): HtmlEscapedString {
  const key = keyOf(option, size);
  let body = key === null ? undefined : drawn.get(key);
  if (body === undefined) {
    body = draw(option, size);
    if (key !== null) drawn.set(key, body);
  } else chartCounts.reused++;
  const label = html`${summary}`.toString();
  return raw(body.replace(/^<svg/, `<svg class="chart" role="img" aria-label="${label}"`));
}
