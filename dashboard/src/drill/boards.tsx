import { type ReportPeriod, SATISFIED_SHARE_TARGET } from '@onestop/evaluation';
import type { OfficerSummary, UnitComparison } from '@onestop/store';
import { DistributionChart } from '../charts/distribution.js';
import { RankingChart } from '../charts/ranking.js';
import type { Lang, Translate } from '../i18n.js';

type Common = {
  lang: Lang;
  t: Translate;
  period: Pick<ReportPeriod, 'from' | 'to'>;
  /** The period's query string, kept in every link. */
  search: string;
};

/**
 * The city's wards ranked and their level distribution. The city compares wards against the one
 * official target, not against each ward's own.
 */
export function CityBoard(
  p: Common & { rows: readonly UnitComparison[]; previous: readonly UnitComparison[] },
) {
  const before = new Map(p.previous.map((u) => [u.unitId, u.satisfiedShare]));
  const entries = p.rows.map((u) => ({
    id: u.unitId,
    name: u.unitName,
    href: `/units/${encodeURIComponent(u.unitId)}?${p.search}`,
    share: u.satisfiedShare,
    previous: before.get(u.unitId) ?? null,
    official: u.official,
  }));
  return (
    <div class="charts" data-testid="city-board">
      <RankingChart
        lang={p.lang}
        t={p.t}
        title={p.t('chartUnitRanking')}
        chart="unit-ranking"
        period={p.period}
        entries={entries}
        target={SATISFIED_SHARE_TARGET}
      />
      <DistributionChart
        lang={p.lang}
        t={p.t}
        title={p.t('chartUnitDistribution')}
        chart="unit-distribution"
        period={p.period}
        entries={entries}
      />
    </div>
  );
}

/**
 * A ward's officers ranked and their level distribution. The row of ratings credited to nobody is
 * no officer and is never ranked.
 */
export function WardBoard(
  p: Common & {
    officers: readonly OfficerSummary[];
    previous: readonly OfficerSummary[];
    target?: number;
  },
) {
  const before = new Map(p.previous.map((s) => [s.officerId, s.satisfiedShare]));
  const entries = p.officers.flatMap((s) =>
    s.officerId === null
      ? []
      : [
          {
            id: s.officerId,
            name: s.officerName ?? s.officerId,
            href: `/officers/${encodeURIComponent(s.officerId)}?${p.search}`,
            share: s.satisfiedShare,
            previous: before.get(s.officerId) ?? null,
            official: s.official,
          },
        ],
  );
  return (
    <div class="charts" data-testid="ward-board">
      <RankingChart
        lang={p.lang}
        t={p.t}
        title={p.t('chartOfficerRanking')}
        chart="officer-ranking"
        period={p.period}
        entries={entries}
        target={p.target ?? SATISFIED_SHARE_TARGET}
      />
      <DistributionChart
        lang={p.lang}
        t={p.t}
        title={p.t('chartOfficerDistribution')}
        chart="officer-distribution"
        period={p.period}
        entries={entries}
      />
    </div>
  );
}

/** Each counter of the ward's table, linked to its own page (its officers, trend and ratings). */
export function CounterLinks(p: {
  t: Translate;
  unitId: string;
  counterIds: readonly string[];
  search: string;
}) {
  if (p.counterIds.length === 0) return null;
  return (
    <p class="note" data-testid="counter-links">
      {p.t('counters')}:{' '}
      {p.counterIds.map((id, i) => (
        <>
          {i > 0 ? ' · ' : ''}
          <a href={`/units/${encodeURIComponent(p.unitId)}/counters/${encodeURIComponent(id)}?${p.search}`}>
            {id}
          </a>
        </>
      ))}
    </p>
  );
}
