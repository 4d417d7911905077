import { customPeriod, MIN_SAMPLE, periodDays } from '@onestop/evaluation';
import type { HourWeekdayVolume, TrendBucket } from '@onestop/store';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { translator } from '../i18n.js';
import { heatmapChart } from './heatmap.js';
import { chartCounts, presentationAttributes, renderChartSvg } from './svg.js';
import { DAILY_TREND_MAX_DAYS, TREND_SERIES, trendChart, trendStarts, trendStep } from './trend.js';

const t = translator('vi');

/** The data indices ECharts drew as marks of one series (SSR tags each mark with them). */
function marks(svg: string, series: number, shape: 'symbol' | 'any' = 'any'): number[] {
  const out: number[] = [];
  for (const m of svg.matchAll(/<path [^>]*>/g)) {
    const tag = m[0];
    if (!tag.includes(`ecmeta_series_index="${series}"`)) continue;
    // A line's own symbols are scaled circles; its markLine is a path without a transform.
    if (shape === 'symbol' && !tag.includes('transform="matrix(')) continue;
    const i = /ecmeta_data_index="(\d+)"/.exec(tag)?.[1];
    if (i !== undefined) out.push(Number(i));
  }
  return out;
}

const dayPlus = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe('trend buckets', () => {
  it('goes by day up to the limit and by Monday-first week beyond, covering every day once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 1, max: 400 }), (offset, days) => {
        const from = dayPlus('2024-01-01', offset);
        const period = { from, to: dayPlus(from, days - 1) };
        const step = trendStep(period);
        expect(step).toBe(days > DAILY_TREND_MAX_DAYS ? 'week' : 'day');
        const starts = trendStarts(period, step);
        if (step === 'day') {
          expect(starts).toHaveLength(periodDays(period));
          expect(starts[0]).toBe(from);
          expect(starts.at(-1)).toBe(period.to);
        } else {
          // Every start a Monday, 7 days apart; the first week holds `from`, the last holds `to`.
          for (const s of starts) expect(new Date(`${s}T00:00:00Z`).getUTCDay()).toBe(1);
          expect(starts[0]! <= from && dayPlus(starts[0]!, 6) >= from).toBe(true);
          const last = starts.at(-1)!;
          expect(last <= period.to && dayPlus(last, 6) >= period.to).toBe(true);
          for (const [i, s] of starts.slice(1).entries()) expect(s).toBe(dayPlus(starts[i]!, 7));
        }
      }),
    );
  });
});

describe('trend chart', () => {
  const countsArb = fc.array(
    fc.option(fc.record({ verySatisfied: fc.nat(40), satisfied: fc.nat(30), unsatisfied: fc.nat(20) }), {
      nil: null,
    }),
    { minLength: 1, maxLength: 20 },
  );

  it('draws a bar per day with ratings, joins only days with enough, greys the too-few apart', () => {
    fc.assert(
      fc.property(countsArb, (days) => {
        const from = '2025-09-01';
        const period = customPeriod(from, dayPlus(from, days.length - 1));
        const buckets: TrendBucket[] = days.flatMap((c, i) => (c ? [{ start: dayPlus(from, i), ...c }] : []));
        const svg = String(trendChart('vi', t, period, buckets));
        const n = days.map((c) => (c ? c.verySatisfied + c.satisfied + c.unsatisfied : 0));
        const idx = (keep: (k: number) => boolean) => n.flatMap((k, i) => (keep(k) ? [i] : []));
        expect(marks(svg, TREND_SERIES.volume)).toEqual(idx((k) => k > 0));
        expect(marks(svg, TREND_SERIES.share, 'symbol')).toEqual(idx((k) => k >= MIN_SAMPLE));
        // The scatter of too-few days numbers its own points 0, 1, …
        expect(marks(svg, TREND_SERIES.tooFew)).toHaveLength(idx((k) => k > 0 && k < MIN_SAMPLE).length);
        // The target line: dashed, labelled with the project's target.
        expect(svg).toMatch(/<path [^>]*stroke-dasharray="[^"]+"[^>]*ecmeta_series_index="3"/);
        expect(svg).toContain('Mục tiêu 80.0 %');
        // One table row per day, for screen readers and print.
        expect(svg.match(/<tr><td data-label="Ngày">/g) ?? []).toHaveLength(days.length);
      }),
      { numRuns: 25 },
    );
  });

  it('is an image with a spoken summary that scales to its column, with no inline style', () => {
    const period = customPeriod('2025-09-01', '2025-09-03');
    const svg = String(
      trendChart('en', translator('en'), period, [
        { start: '2025-09-01', verySatisfied: 30, satisfied: 5, unsatisfied: 5 },
        { start: '2025-09-02', verySatisfied: 2, satisfied: 1, unsatisfied: 0 },
      ]),
    );
    expect(svg).toContain(
      'aria-label="Satisfied share and ratings per day, 01/09/2025–03/09/2025: 1 points with enough ratings, 1 with too few (under 30), 1 with none; 43 ratings in all; target 80.0 %."',
    );
    expect(svg).toMatch(/<svg class="chart" role="img" [^>]*viewBox="0 0 720 300"/);
    expect(svg).not.toMatch(/<svg [^>]*\swidth=/);
    expect(svg).not.toContain('<style');
    // The too-few day is in the table, greyed as such.
    expect(svg).toMatch(
      /data-state="too_few"[^>]*>[^<]*<small>[^<]*<\/small><small>too few ratings \(n = 3\)/,
    );
  });

  it('goes by week past the daily limit', () => {
    const period = customPeriod('2025-01-01', '2025-06-30');
    const svg = String(trendChart('vi', t, period, []));
    expect(svg).toContain('data-step="week"');
    expect(svg).toContain('theo tuần');
  });
});

describe('hour × weekday chart', () => {
  const cellsArb = fc.uniqueArray(
    fc.record({
      weekday: fc.integer({ min: 1, max: 7 }),
      hour: fc.integer({ min: 0, max: 23 }),
      ratings: fc.nat(50),
    }),
    { selector: (c) => `${c.weekday}:${c.hour}`, maxLength: 30 },
  );

  it('paints one cell per hour with ratings, names the busiest, lists the numbers', () => {
    fc.assert(
      fc.property(cellsArb, (cells: HourWeekdayVolume[]) => {
        const period = customPeriod('2025-09-01', '2025-09-30');
        const svg = String(heatmapChart('vi', t, period, cells));
        const busy = cells.filter((c) => c.ratings > 0);
        expect(marks(svg, 0)).toHaveLength(busy.length);
        expect(svg.match(/<tr><td data-label="Thứ">/g) ?? []).toHaveLength(busy.length);
        const most = Math.max(0, ...busy.map((c) => c.ratings));
        if (busy.length === 0) expect(svg).toContain('chưa có đánh giá');
        else expect(svg).toMatch(new RegExp(`aria-label="[^"]*với ${most} đánh giá\\."`));
      }),
      { numRuns: 25 },
    );
  });
});

describe('chart SVG under the CSP', () => {
  it('turns style attributes into presentation attributes, which the CSP does not block', () => {
    expect(
      presentationAttributes(
        '<text text-anchor="end" style="font-size:12px;font-family:&quot;Noto Sans&quot;, sans-serif;">Th 2</text>',
      ),
    ).toBe(
      '<text text-anchor="end" font-size="12px" font-family="&quot;Noto Sans&quot;, sans-serif">Th 2</text>',
    );
  });

  it('leaves no style attribute in a drawn chart and keeps the label font size', () => {
    const volume: HourWeekdayVolume[] = [{ weekday: 1, hour: 9, ratings: 12 }];
    const svg = String(heatmapChart('vi', t, customPeriod('2025-09-01', '2025-09-30'), volume));
    expect(svg).toContain('<text');
    expect(svg).not.toMatch(/\sstyle="/);
    expect(svg).toMatch(/<text[^>]* font-size="12px"/);
  });
});

describe('cache of drawings', () => {
  const option = (values: number[]) => ({
    xAxis: { type: 'category', data: values.map(String) },
    yAxis: { type: 'value' },
    series: [{ type: 'bar', data: values }],
  });
  const size = { width: 320, height: 200 };

  it('draws the same figures once, to the same bytes, under each caller’s own label', () => {
    const values = [3, 1, 4, 1, 5, 9, 2, 6].map((v) => v + Math.random());
    const before = { ...chartCounts };
    const first = String(renderChartSvg(option(values), size, 'một'));
    const again = String(renderChartSvg(option(values), size, 'hai & "ba"'));
    expect(chartCounts.drawn - before.drawn).toBe(1);
    expect(chartCounts.reused - before.reused).toBe(1);
    expect(again.replace(/aria-label="[^"]*"/, '')).toBe(first.replace(/aria-label="[^"]*"/, ''));
    expect(again).toContain('aria-label="hai &amp; &quot;ba&quot;"');
    // Other figures or another size: another picture, drawn.
    const other = String(renderChartSvg(option([...values.slice(1), 7]), size, 'một'));
    const wider = String(renderChartSvg(option(values), { ...size, width: 640 }, 'một'));
    expect(chartCounts.drawn - before.drawn).toBe(3);
    expect(other).not.toBe(first);
    expect(wider).not.toBe(first);
  });

  it('never keeps an option with a function, which its key could not tell apart', () => {
    const values = [1, 2, 3].map((v) => v + Math.random());
    const withFormatter = (suffix: string) => ({
      ...option(values),
      yAxis: { type: 'value', axisLabel: { formatter: (v: number) => `${v}${suffix}` } },
    });
    const before = chartCounts.drawn;
    const a = String(renderChartSvg(withFormatter(' A'), size, 's'));
    const b = String(renderChartSvg(withFormatter(' B'), size, 's'));
    expect(chartCounts.drawn - before).toBe(2);
    expect(a).toContain(' A<');
    expect(b).toContain(' B<');
  });
});
