import {
  countAt,
  formatDate,
  OFFICIAL_LEVEL_NAMES,
  OFFICIAL_LEVELS,
  type OfficialCounts,
  type ReportPeriod,
  ratingsIn,
} from '@onestop/evaluation';
import { fill, type Lang, type Translate } from '../i18n.js';
import { OFFICIAL_LEVEL_COLOURS } from './colours.js';
import { renderChartSvg } from './svg.js';

/** One ward or officer with its counted ratings at each official level. */
export interface DistributionEntry {
  id: string;
  name: string;
  href: string;
  official: OfficialCounts;
}

/** Share of one level among a row's ratings, in percent of the bar (exact; rounded by ECharts' axis). */
const percentOf = (c: OfficialCounts, n: number, level: (typeof OFFICIAL_LEVELS)[number]) =>
  (countAt(c, level) / n) * 100;

export function distributionOption(lang: Lang, rows: readonly DistributionEntry[]) {
  return {
    legend: { top: 0, data: OFFICIAL_LEVELS.map((l) => OFFICIAL_LEVEL_NAMES[l][lang]) },
    grid: { left: 200, right: 16, top: 32, bottom: 24 },
    xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value} %' } },
    yAxis: {
      type: 'category',
      inverse: true,
      data: rows.map((r) => `${r.name} (n = ${ratingsIn(r.official)})`),
      axisLabel: { width: 190, overflow: 'truncate' },
    },
    series: OFFICIAL_LEVELS.map((l) => ({
      type: 'bar',
      name: OFFICIAL_LEVEL_NAMES[l][lang],
      stack: 'levels',
      silent: true,
      barWidth: 14,
      itemStyle: { color: OFFICIAL_LEVEL_COLOURS[l] },
      data: rows.map((r) => percentOf(r.official, ratingsIn(r.official), l)),
    })),
  };
}

type Props = {
  lang: Lang;
  t: Translate;
  title: string;
  chart: 'unit-distribution' | 'officer-distribution';
  period: Pick<ReportPeriod, 'from' | 'to'>;
  entries: readonly DistributionEntry[];
};

/**
 * How each ward's or officer's counted ratings split over the three official levels (Circular
 * 01/2018), as 100 % stacked bars in the order given; rows with no rating are left out.
 */
export function DistributionChart({ lang, t, title, chart, period, entries }: Props) {
  const rows = entries.filter((e) => ratingsIn(e.official) > 0);
  const summary = fill(t('chartDistributionSummary'), {
    title,
    from: formatDate(period.from),
    to: formatDate(period.to),
    rows: rows.length,
    ratings: rows.reduce((n, r) => n + ratingsIn(r.official), 0),
  });
  const size = { width: 720, height: Math.max(120, 72 + rows.length * 24) };
  return (
    <figure class="chart" data-chart={chart} lang={lang}>
      <figcaption>{title}</figcaption>
      {rows.length > 0 ? (
        renderChartSvg(distributionOption(lang, rows), size, summary)
      ) : (
        <p class="muted">{summary}</p>
      )}
      <details>
        <summary>{t('chartNumbers')}</summary>
        <table data-testid={`${chart}-table`}>
          <thead>
            <tr>
              <th>{t('chartName')}</th>
              <th class="num">{t('ratings')}</th>
              {OFFICIAL_LEVELS.map((l) => (
                <th class="num">{OFFICIAL_LEVEL_NAMES[l][lang]}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr data-row={r.id}>
                <td data-label={t('chartName')}>
                  <a href={r.href}>{r.name}</a>
                </td>
                <td class="num" data-label={t('ratings')}>
                  {ratingsIn(r.official)}
                </td>
                {OFFICIAL_LEVELS.map((l) => (
                  <td class="num" data-official={l} data-label={OFFICIAL_LEVEL_NAMES[l][lang]}>
                    {countAt(r.official, l)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
