import { periodContaining } from '@onestop/evaluation';
import type { Found, FoundComment, FoundRating, FoundVisit } from '@onestop/store';
import type { Child, FC } from 'hono/jsx';
import { fill, type Lang, type MessageKey, type Translate } from '../i18n.js';
import type { pager } from '../pages/pager.js';
import { CommentKind, OfficerWords, RatingHeaders, RatingRowView } from '../pages/unit.js';
import { formatVietnamTime, periodSearch } from '../period.js';

type Pager = ReturnType<typeof pager>;

/** A result links to its unit's page on the day it happened (that day's figures and lists). */
export function unitDayHref(unitId: string, at: Date): string {
  return `/units/${unitId}?${periodSearch(periodContaining('day', at))}`;
}

const UnitCell: FC<{ t: Translate; r: { unitId: string; unitName: string | null }; at: Date }> = ({
  t,
  r,
  at,
}) => (
  <td data-label={t('unitColumn')}>
    <a href={unitDayHref(r.unitId, at)}>{r.unitName ?? r.unitId}</a>
  </td>
);

/** An officer's name only when the row's unit has them on its roster (the store decides). */
const OfficerCell: FC<{ t: Translate; r: { officerId: string | null; officerName: string | null } }> = ({
  t,
  r,
}) => (
  <td data-label={t('officer')}>
    <OfficerWords t={t} o={r} />
  </td>
);

const RatingsTable: FC<{ lang: Lang; t: Translate; found: Found<FoundRating> }> = ({ lang, t, found }) => {
  const extras = (r: FoundRating) => ({
    unit: { name: r.unitName, href: unitDayHref(r.unitId, r.at ?? r.serverTs) },
    reasons: r.reasons,
    scaled: true,
  });
  return (
    <table data-testid="search-ratings">
      <thead>
        <RatingHeaders t={t} extras={{ unit: true, reasons: true }} />
      </thead>
      <tbody>
        {found.rows.map((r) => (
          <RatingRowView lang={lang} t={t} r={r} extras={extras(r)} />
        ))}
      </tbody>
    </table>
  );
};

const VisitsTable: FC<{ t: Translate; found: Found<FoundVisit> }> = ({ t, found }) => (
  <table data-testid="search-visits">
    <thead>
      <tr>
        <th>{t('visitStarted')}</th>
        <th>{t('unitColumn')}</th>
        <th>{t('counter')}</th>
        <th>{t('officer')}</th>
        <th>{t('dossier')}</th>
        <th>{t('ticket')}</th>
        <th>{t('visitEnded')}</th>
        <th>{t('visitRated')}</th>
      </tr>
    </thead>
    <tbody>
      {found.rows.map((v) => (
        <tr data-visit-id={v.id}>
          <td data-label={t('visitStarted')}>{formatVietnamTime(v.startedAt)}</td>
          <UnitCell t={t} r={v} at={v.startedAt} />
          <td data-label={t('counter')}>{v.counterId}</td>
          <OfficerCell t={t} r={v} />
          <td data-label={t('dossier')}>{v.dossierIds.join(', ') || '–'}</td>
          <td data-label={t('ticket')}>{v.ticket ?? '–'}</td>
          <td data-label={t('visitEnded')}>{v.endedAt ? formatVietnamTime(v.endedAt) : '–'}</td>
          <td data-label={t('visitRated')}>{v.rated === null ? '–' : t(v.rated ? 'yes' : 'no')}</td>
        </tr>
      ))}
    </tbody>
  </table>
);

const CommentsTable: FC<{ t: Translate; found: Found<FoundComment> }> = ({ t, found }) => (
  <table data-testid="search-comments">
    <thead>
      <tr>
        <th>{t('time')}</th>
        <th>{t('unitColumn')}</th>
        <th>{t('counter')}</th>
        <th>{t('officer')}</th>
        <th>{t('dossier')}</th>
        <th>{t('comments')}</th>
      </tr>
    </thead>
    <tbody>
      {found.rows.map((r) => (
        <tr data-comment-id={r.id}>
          <td data-label={t('time')}>{formatVietnamTime(r.createdAt)}</td>
          <UnitCell t={t} r={r} at={r.createdAt} />
          <td data-label={t('counter')}>{r.counterId ?? '–'}</td>
          <OfficerCell t={t} r={r} />
          <td data-label={t('dossier')}>{r.dossierId ?? '–'}</td>
          <td data-label={t('comments')}>
            <CommentKind t={t} kind={r.kind} />
            {r.body}
          </td>
        </tr>
      ))}
    </tbody>
  </table>
);

export interface SearchResults {
  ratings: Found<FoundRating>;
  visits: Found<FoundVisit>;
  comments: Found<FoundComment>;
}

type Props = {
  lang: Lang;
  t: Translate;
  q: string;
  scope: 'unit' | 'city';
  found: SearchResults;
  pagers: Record<keyof SearchResults, Pager>;
};

/** What a dossier ID or ticket finds: ratings, visits and comments, each paged. */
export const SearchPage: FC<Props> = ({ lang, t, q, scope, found, pagers }) => {
  const nothing = found.ratings.total + found.visits.total + found.comments.total === 0;
  const Section: FC<{ of: keyof SearchResults; title: MessageKey; children: Child }> = (p) =>
    found[p.of].total === 0 ? (
      <></>
    ) : (
      <section id={p.of}>
        <h3>
          {t(p.title)} <small class="muted">({found[p.of].total})</small>
        </h3>
        {p.children}
        {pagers[p.of]}
      </section>
    );
  return (
    <>
      <h2>
        {t('searchTitle')}: <q data-testid="search-term">{q}</q>
      </h2>
      <p class="muted">{t(scope === 'unit' ? 'searchScopeUnit' : 'searchScopeCity')}</p>
      {nothing ? (
        <p class="muted" data-testid="search-nothing">
          {fill(t('searchNothing'), { q })}
        </p>
      ) : (
        ''
      )}
      <Section of="ratings" title="searchRatings">
        <RatingsTable lang={lang} t={t} found={found.ratings} />
      </Section>
      <Section of="visits" title="searchVisits">
        <VisitsTable t={t} found={found.visits} />
      </Section>
      <Section of="comments" title="searchComments">
        <CommentsTable t={t} found={found.comments} />
      </Section>
    </>
  );
};
