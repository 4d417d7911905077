import { type Database, searchComments, searchRatings, searchVisits } from '@onestop/store';
import { Hono } from 'hono';
import type { DashboardEnv } from '../access/env.js';
import { requireRole } from '../access/scope.js';
import { forbidden } from '../errors/answer.js';
import { translator } from '../i18n.js';
import { Layout, pageProps } from '../pages/layout.js';
import { pager, pageWindow } from '../pages/pager.js';
import { SearchPage, type SearchResults } from './page.js';
import { type SearchQuery, searchQuery } from './query.js';

type Env = DashboardEnv;

/** Results per page of each list: a receipt's dossier has a handful; a ticket repeats daily. */
export const SEARCH_PAGE_SIZE = 25;

/** Which query key pages which list. */
const PAGE_KEYS = { ratings: 'page', visits: 'visitPage', comments: 'commentPage' } as const;

/**
 * Search by dossier ID or queue ticket: a ward leader within the ward's own unit (the store is
 * asked for that unit only, so another unit's rows are never read), the city across every unit.
 */
export function searchRoutes(db: Database) {
  const app = new Hono<Env>();
  app.get('/search', requireRole('city', 'ward'), searchQuery, async (c) => {
    const staff = c.get('staff')!;
    if (staff.role === 'ward' && !staff.unitId) return forbidden(c, 'otherWard');
    const unitId = staff.role === 'ward' ? staff.unitId! : null;
    const q = c.req.valid('query');
    const ask = (key: keyof SearchResults) => ({
      term: q.q,
      unitId,
      ...pageWindow(q[PAGE_KEYS[key]], SEARCH_PAGE_SIZE),
    });
    const [ratings, visits, comments] = await Promise.all([
      searchRatings(db, ask('ratings')),
      searchVisits(db, ask('visits')),
      searchComments(db, ask('comments')),
    ]);
    const found: SearchResults = { ratings, visits, comments };
    const lang = c.get('lang');
    const t = translator(lang);
    const pagerOf = (key: keyof SearchResults) =>
      pager(t, {
        page: q[PAGE_KEYS[key]],
        size: SEARCH_PAGE_SIZE,
        total: found[key].total,
        shown: found[key].rows.length,
        href: (page) => `/search?${searchOf(q, { [PAGE_KEYS[key]]: page })}#${key}`,
        id: key,
      });
    const pagers = { ratings: pagerOf('ratings'), visits: pagerOf('visits'), comments: pagerOf('comments') };
    return c.html(
      <Layout {...pageProps(c, lang)} lang={lang} t={t} title={t('searchTitle')} staff={staff} searched={q.q}>
        <SearchPage
          lang={lang}
          t={t}
          q={q.q}
          scope={unitId ? 'unit' : 'city'}
          found={found}
          pagers={pagers}
        />
      </Layout>,
    );
  });
  return app;
}

/** The query of this search with some page numbers changed; first pages are left out. */
function searchOf(
  q: SearchQuery,
  change: Partial<Record<'page' | 'visitPage' | 'commentPage', number>>,
): string {
  const s = new URLSearchParams({ q: q.q });
  for (const key of ['page', 'visitPage', 'commentPage'] as const) {
    const n = change[key] ?? q[key];
    if (n > 1) s.set(key, String(n));
  }
  return s.toString();
}
