import { RatingScale } from '@onestop/protocol';
import { UNCOUNTED_KINDS, type UncountedKind, type UncountedRating } from '@onestop/store';
import type { Child, FC } from 'hono/jsx';
import { type Lang, levelLabel, scaledLevelLabel, type Translate } from '../i18n.js';
import { formatVietnamTime } from '../period.js';
import type { UnitJudgement } from './data.js';

/** What a list of uncounted ratings shows: a counter or all, a kind or both. */
export interface UncountedFilter {
  counter?: string | undefined;
  kind?: UncountedKind | undefined;
}

/** The query string of a filter (without the period), `&`-joined, empty for "everything". */
export function filterSearch(f: UncountedFilter): string {
  const q = new URLSearchParams();
  if (f.counter) q.set('counter', f.counter);
  if (f.kind) q.set('kind', f.kind);
  return q.toString();
}

export function uncountedHref(unitId: string, f: UncountedFilter, periodSearch: string): string {
  const filter = filterSearch(f);
  return `/units/${unitId}/uncounted?${filter ? `${filter}&` : ''}${periodSearch}`;
}

type CellProps = { t: Translate; n: number; href: string };

/** An uncounted number opening its list; nothing to open at 0. */
const CountCell: FC<CellProps & { kind: UncountedKind | 'quarantined'; label: string }> = (p) => (
  <td class="num" data-kind={p.kind} data-label={p.label}>
    {p.n > 0 ? <a href={p.href}>{p.n}</a> : '0'}
  </td>
);

/**
 * Beside the counter table of the unit page: per counter, what was counted and what counted for
 * nobody; each uncounted number opens its list (quarantined ones are listed with the devices).
 */
export const UncountedTable: FC<{
  t: Translate;
  judgement: UnitJudgement;
  unitId: string;
  search: string;
}> = ({ t, judgement: j, unitId, search }) => {
  if (j.counters.length === 0) return <p class="muted">{t('empty')}</p>;
  const Uncounted: FC<{ n: number; f: UncountedFilter & { kind: UncountedKind } }> = ({ n, f }) => (
    <CountCell t={t} n={n} href={uncountedHref(unitId, f, search)} kind={f.kind} label={t(f.kind)} />
  );
  const Quarantined: FC<{ n: number }> = ({ n }) => (
    <CountCell t={t} n={n} href="/devices" kind="quarantined" label={t('quarantined')} />
  );
  return (
    <>
      <table data-testid="uncounted-table">
        <thead>
          <tr>
            <th>{t('counter')}</th>
            <th class="num">{t('counted')}</th>
            <th class="num">{t('unverified')}</th>
            <th class="num">{t('filtered')}</th>
            <th class="num">{t('quarantined')}</th>
          </tr>
        </thead>
        <tbody>
          {j.counters.map((c) => (
            <tr data-counter={c.counterId}>
              <td data-label={t('counter')}>{c.counterId}</td>
              <td class="num" data-label={t('counted')}>
                {c.counted}
              </td>
              <Uncounted n={c.unverified} f={{ counter: c.counterId, kind: 'unverified' }} />
              <Uncounted n={c.filtered} f={{ counter: c.counterId, kind: 'filtered' }} />
              <Quarantined n={c.quarantined} />
            </tr>
          ))}
          <tr data-counter="">
            <th>{t('total')}</th>
            <td class="num" data-label={t('counted')}>
              {j.counters.reduce((n, c) => n + c.counted, 0)}
            </td>
            <Uncounted n={j.uncounted.unverified} f={{ kind: 'unverified' }} />
            <Uncounted n={j.uncounted.filtered} f={{ kind: 'filtered' }} />
            <Quarantined n={j.uncounted.quarantined} />
          </tr>
        </tbody>
      </table>
      <p class="note">
        {t('uncountedNote')} <a href={`/cach-tinh?unit=${unitId}#attribution`}>{t('seeMethod')}</a>
      </p>
    </>
  );
};

/** How many ratings a filter lists: the counters' uncounted numbers it covers. */
export function uncountedTotal(j: UnitJudgement, f: UncountedFilter): number {
  return j.counters
    .filter((c) => f.counter === undefined || c.counterId === f.counter)
    .reduce(
      (n, c) => n + (f.kind === 'filtered' ? 0 : c.unverified) + (f.kind === 'unverified' ? 0 : c.filtered),
      0,
    );
}

/** Why a rating counts for nobody, in words: the filter that caught it, then a failed attribution. */
export function reasonWords(t: Translate, r: Pick<UncountedRating, 'filterReason' | 'attributionReason'>) {
  const words: string[] = [];
  if (r.filterReason) words.push(`${t('filtered')}: ${t(`filter_${r.filterReason}`)}`);
  if (r.attributionReason) words.push(`${t('unverified')}: ${t(`attribution_${r.attributionReason}`)}`);
  return words;
}

/** A level named with its scale, for lists where levels of several scales meet. */
export function levelText(lang: Lang, scale: string, level: number): string {
  const s = RatingScale.safeParse(scale);
  // Levels of every scale may meet in one list: each names its scale.
  return s.success ? scaledLevelLabel(lang, s.data, level) : levelLabel(lang, scale, level);
}

const UncountedRow: FC<{ lang: Lang; t: Translate; r: UncountedRating }> = ({ lang, t, r }) => (
  <tr data-event-id={r.eventId} data-kind={r.kind}>
    <td data-label={t('time')}>{formatVietnamTime(r.at)}</td>
    <td data-label={t('counter')}>{r.counterId}</td>
    <td data-label={t('namedOfficer')}>
      {r.officerId === null ? (
        '–'
      ) : (
        <>
          {r.officerName ?? r.officerId}
          {r.officerName ? (
            <>
              {' '}
              <small class="muted">{r.officerId}</small>
            </>
          ) : (
            ''
          )}
        </>
      )}
    </td>
    <td class={r.official === 'unsatisfied' ? 'bad' : ''} data-label={t('level')}>
      {levelText(lang, r.scale, r.level)}
    </td>
    <td data-label={t('dossier')}>{r.dossierIds.join(', ') || '–'}</td>
    <td data-label={t('whyUncounted')}>
      {reasonWords(t, r).map((w, i) => (
        <>
          {i > 0 ? <br /> : ''}
          {w}
        </>
      ))}
    </td>
  </tr>
);

/** Links that change one part of the filter and keep the rest and the period. */
const FilterNav: FC<{ t: Translate; filter: UncountedFilter; periodSearch: string }> = ({
  t,
  filter: f,
  periodSearch,
}) => {
  const Link: FC<{ g: UncountedFilter; text: string; current: boolean }> = ({ g, text, current }) =>
    current ? (
      <b>{text}</b>
    ) : (
      <a href={`?${filterSearch(g) ? `${filterSearch(g)}&` : ''}${periodSearch}`}>{text}</a>
    );
  return (
    <p data-testid="uncounted-filter">
      {f.counter ? (
        <>
          {t('counter')} <b>{f.counter}</b> ·{' '}
          <Link g={{ ...f, counter: undefined }} text={t('allCounters')} current={false} />
        </>
      ) : (
        <b>{t('allCounters')}</b>
      )}{' '}
      —{' '}
      {[...UNCOUNTED_KINDS, undefined].map((kind) => (
        <>
          <Link g={{ ...f, kind }} text={kind ? t(kind) : t('bothKinds')} current={f.kind === kind} />{' '}
        </>
      ))}
    </p>
  );
};

type PageProps = {
  lang: Lang;
  t: Translate;
  unit: { id: string; name: string };
  rows: readonly UncountedRating[];
  filter: UncountedFilter;
  /** "Showing X–Y of Z" with the page links. */
  pager: Child;
  /** The period bar, keeping the filter. */
  nav: Child;
  periodSearch: string;
};

/** The list behind one uncounted number of the unit page. */
export const UncountedPage: FC<PageProps> = (p) => (
  <>
    <h2>
      {p.t('uncountedList')} <small class="muted">{p.unit.name}</small>
    </h2>
    <p>
      <a href={`/units/${p.unit.id}?${p.periodSearch}`}>{p.t('backToUnit')}</a>
    </p>
    {p.nav}
    <FilterNav t={p.t} filter={p.filter} periodSearch={p.periodSearch} />
    {p.rows.length === 0 ? (
      <p class="muted">{p.t('empty')}</p>
    ) : (
      <table data-testid="uncounted-list">
        <thead>
          <tr>
            <th>{p.t('time')}</th>
            <th>{p.t('counter')}</th>
            <th>{p.t('namedOfficer')}</th>
            <th>{p.t('level')}</th>
            <th>{p.t('dossier')}</th>
            <th>{p.t('whyUncounted')}</th>
          </tr>
        </thead>
        <tbody>
          {p.rows.map((r) => (
            <UncountedRow lang={p.lang} t={p.t} r={r} />
          ))}
        </tbody>
      </table>
    )}
    {p.pager}
    <p class="note">
      {p.t('uncountedNote')} <a href={`/cach-tinh?unit=${p.unit.id}#attribution`}>{p.t('seeMethod')}</a>
    </p>
  </>
);
