import {
  DISPLAY,
  displayNumber,
  type Figure,
  formatDate,
  MIN_SAMPLE,
  type ReportPeriod,
} from '@onestop/evaluation';
import { fill, type Lang, type Translate } from '../i18n.js';
import { figureCell } from '../pages/layout.js';
import { CHART_COLOURS } from './colours.js';
import { renderChartSvg } from './svg.js';

/** One ward or officer to rank: its official satisfied share now and in the previous period. */
export interface RankedEntry {
  id: string;
  name: string;
  /** Its own page (ward or officer), keeping the period. */
  href: string;
  share: Figure;
  /** The same figure for the previous comparable period (null: nothing recorded then). */
  previous: Figure | null;
}

/** A figure resting on enough ratings to be placed in a ranking (`too_few` never is). */
const rankable = (f: Figure) => f.value !== null && f.state !== 'too_few' && f.state !== 'no_data';

/**
 * Ranked: enough ratings, highest share first (more ratings first on a tie, then by name). Too
 * few: greyed apart, by name, never given a place: a share of 3 ratings ranked beside one of 300
 * would judge an officer on noise. Nothing: no rating at all in the period.
 */
export function rankEntries(entries: readonly RankedEntry[]) {
  const byName = (a: RankedEntry, b: RankedEntry) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
  return {
    ranked: entries
      .filter((e) => rankable(e.share))
      .sort((a, b) => b.share.value! - a.share.value! || b.share.n - a.share.n || byName(a, b)),
    tooFew: entries.filter((e) => e.share.state === 'too_few').sort(byName),
    none: entries.filter((e) => e.share.state === 'no_data').sort(byName),
  };
}

/**
 * The change of the share in percentage points, only when both periods rest on enough ratings
 * (otherwise null: an arrow between two noisy figures would be read as a verdict).
 */
export function shareChange(e: Pick<RankedEntry, 'share' | 'previous'>): number | null {
  if (!e.previous || !rankable(e.share) || !rankable(e.previous)) return null;
  return Number(((e.share.value! - e.previous.value!) * DISPLAY.share.scale).toFixed(DISPLAY.share.digits));
}

function changeText(t: Translate, delta: number | null): string {
  if (delta === null) return '';
  const arrow = delta > 0 ? '▲' : delta < 0 ? '▼' : '=';
  return `${arrow} ${Math.abs(delta).toFixed(DISPLAY.share.digits)} ${t('percentPoints')}`;
}

const onAxis = (x: number) => x * DISPLAY.share.scale;
const pct = (x: number) => `${displayNumber('share', x)} ${DISPLAY.share.unit}`;

/** Series order; the tests find each series' bars by `ecmeta_series_index`. */
export const RANKING_SERIES = { share: 0, bandLow: 1, band: 2 } as const;

export function rankingOption(t: Translate, ranked: readonly RankedEntry[], target: number) {
  const bar = { type: 'bar', silent: true, barWidth: 14 } as const;
  return {
    grid: { left: 200, right: 24, top: 24, bottom: 24 },
    xAxis: {
      type: 'value',
      min: 0,
      max: onAxis(1),
      axisLabel: { formatter: `{value} ${DISPLAY.share.unit}` },
    },
    yAxis: {
      type: 'category',
      inverse: true,
      data: ranked.map((e, i) => `${i + 1}. ${e.name}  ${changeText(t, shareChange(e))}`.trimEnd()),
      axisLabel: { width: 190, overflow: 'truncate' },
    },
    series: [
      {
        ...bar,
        barGap: '-100%',
        itemStyle: { color: CHART_COLOURS.share },
        data: ranked.map((e) => onAxis(e.share.value!)),
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { type: 'dashed', color: CHART_COLOURS.target, width: 1.5 },
          label: { formatter: fill(t('chartTarget'), { target: pct(target) }), position: 'end' },
          data: [{ xAxis: onAxis(target) }],
        },
      },
      // The 95 % interval as a tint laid over the bar from its low to its high bound.
      {
        ...bar,
        stack: 'interval',
        itemStyle: { color: 'transparent' },
        data: ranked.map((e) => onAxis(e.share.low ?? e.share.value!)),
      },
      {
        ...bar,
        stack: 'interval',
        itemStyle: { color: CHART_COLOURS.band, borderColor: CHART_COLOURS.share, borderWidth: 1 },
        data: ranked.map((e) => onAxis((e.share.high ?? e.share.value!) - (e.share.low ?? e.share.value!))),
      },
    ],
  };
}

type Props = {
  lang: Lang;
  t: Translate;
  /** What is ranked: the city's wards or a ward's officers. */
  title: string;
  /** `data-chart` of the figure, for tests and print. */
  chart: 'unit-ranking' | 'officer-ranking';
  period: Pick<ReportPeriod, 'from' | 'to'>;
  entries: readonly RankedEntry[];
  /** The satisfied-share target the line marks. */
  target: number;
};

/**
 * The official satisfied share of each ward (city) or officer (ward), best first, with its 95 %
 * interval, the target and the change since the previous period; the too-few listed apart.
 */
export function RankingChart({ lang, t, title, chart, period, entries, target }: Props) {
  const { ranked, tooFew, none } = rankEntries(entries);
  const summary = fill(t('chartRankingSummary'), {
    title,
    from: formatDate(period.from),
    to: formatDate(period.to),
    ranked: ranked.length,
    above: ranked.filter((e) => e.share.value! >= target).length,
    tooFew: tooFew.length,
    min: MIN_SAMPLE,
    target: pct(target),
  });
  const size = { width: 720, height: Math.max(120, 60 + ranked.length * 24) };
  const svg = ranked.length > 0 ? renderChartSvg(rankingOption(t, ranked, target), size, summary) : '';
  const row = (e: RankedEntry, place: number | null) => (
    <tr data-ranked={e.id} data-place={place === null ? '' : String(place)}>
      <td data-label={t('chartPlace')}>{place ?? '–'}</td>
      <td data-label={t('chartName')}>
        <a href={e.href}>{e.name}</a>
      </td>
      {figureCell(t, 'share', e.share, { id: 'satisfied-share', label: t('satisfiedShare') })}
      <td class="num" data-label={t('vsPrevious')} data-testid="ranking-change">
        {changeText(t, shareChange(e)) || '–'}
      </td>
    </tr>
  );
  return (
    <figure class="chart" data-chart={chart} lang={lang}>
      <figcaption>{title}</figcaption>
      {svg}
      {ranked.length === 0 ? <p class="muted">{summary}</p> : ''}
      {tooFew.length > 0 ? (
        <p class="note too-few" data-testid="ranking-too-few">
          {fill(t('chartTooFewToRank'), { min: MIN_SAMPLE })}{' '}
          {tooFew.map((e, i) => (
            <>
              {i > 0 ? ', ' : ''}
              <a href={e.href}>{e.name}</a> (n = {e.share.n})
            </>
          ))}
        </p>
      ) : (
        ''
      )}
      <details>
        <summary>{t('chartNumbers')}</summary>
        <table data-testid={`${chart}-table`}>
          <thead>
            <tr>
              <th>{t('chartPlace')}</th>
              <th>{t('chartName')}</th>
              <th class="num">{t('satisfiedShare')}</th>
              <th class="num">{t('vsPrevious')}</th>
            </tr>
          </thead>
          <tbody>
            {ranked.map((e, i) => row(e, i + 1))}
            {tooFew.map((e) => row(e, null))}
            {none.map((e) => row(e, null))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
