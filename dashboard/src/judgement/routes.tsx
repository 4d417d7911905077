import { vietnamDate } from '@onestop/protocol';
import { type Database, uncountedRatings } from '@onestop/store';
import { Hono } from 'hono';
import type { DashboardEnv as Env } from '../access/env.js';
import { requireRole, unitScope } from '../access/scope.js';

import { translator } from '../i18n.js';
import { Layout, pageProps } from '../pages/layout.js';
import { pager, pageWindow } from '../pages/pager.js';
import { PeriodNav } from '../pages/period-nav.js';
import { type PeriodRequest, periodJson, periodSearch, resolvePeriod, storeSpan } from '../period.js';
import { unitJudgement } from './data.js';
import { filterSearch, UncountedPage, uncountedHref, uncountedTotal } from './page.js';
import { DEFAULT_UNCOUNTED_LIMIT, uncountedQuery } from './query.js';
import { settingsRoutes } from './settings-routes.js';

/**
 * What counts for nobody, for the leaders who must defend every figure: the list behind each
 * uncounted number of the unit page (HTML and JSON), and the unit's evaluation settings.
 */
export function judgementRoutes(deps: { db: Database; now: () => Date }) {
  const app = new Hono<Env>();
  const leaders = requireRole('city', 'ward');
  const scoped = unitScope(deps.db);
  const periodOf = (request: PeriodRequest) => {
    const at = deps.now();
    const period = resolvePeriod(request, at);
    return { period, search: periodSearch(period), today: vietnamDate(at.getTime()) };
  };

  app.get('/units/:unitId/uncounted', leaders, uncountedQuery, scoped, async (c) => {
    const unit = c.var.unit;
    const q = c.req.valid('query');
    const { period, search, today } = periodOf(q.period);
    const filter = { counter: q.counter, kind: q.kind };
    const span = storeSpan(period);
    const [rows, judged] = await Promise.all([
      uncountedRatings(deps.db, {
        unitId: unit.id,
        counterId: q.counter,
        kind: q.kind,
        period: span,
        ...pageWindow(q.page, q.limit),
      }),
      unitJudgement(deps.db, unit.id, span),
    ]);
    const lang = c.get('lang');
    const t = translator(lang);
    const keep = filterSearch(filter);
    const size = q.limit === DEFAULT_UNCOUNTED_LIMIT ? '' : `&limit=${q.limit}`;
    const pages = pager(t, {
      page: q.page,
      size: q.limit,
      total: uncountedTotal(judged, filter),
      shown: rows.length,
      href: (page) => `${uncountedHref(unit.id, filter, search)}${size}&page=${page}`,
    });
    return c.html(
      <Layout {...pageProps(c, lang)} lang={lang} t={t} title={t('uncountedList')} staff={c.get('staff')}>
        <UncountedPage
          lang={lang}
          t={t}
          unit={unit}
          rows={rows}
          filter={filter}
          pager={pages}
          nav={<PeriodNav lang={lang} t={t} period={period} today={today} keep={keep} />}
          periodSearch={search}
        />
      </Layout>,
    );
  });

  // JSON for integrators: the same list, newest first, with the reason codes of
  // @onestop/evaluation judgement.ts (words: the page, or /cach-tinh).
  app.get('/api/units/:unitId/uncounted', leaders, uncountedQuery, scoped, async (c) => {
    const unit = c.var.unit;
    const q = c.req.valid('query');
    const { period } = periodOf(q.period);
    const span = storeSpan(period);
    const filter = { counter: q.counter, kind: q.kind };
    const [ratings, judged] = await Promise.all([
      uncountedRatings(deps.db, {
        unitId: unit.id,
        counterId: q.counter,
        kind: q.kind,
        period: span,
        ...pageWindow(q.page, q.limit),
      }),
      unitJudgement(deps.db, unit.id, span),
    ]);
    // `total`: the whole list's length; `page` of `limit` ratings each.
    return c.json({
      unitId: unit.id,
      period: periodJson(period),
      counterId: q.counter ?? null,
      kind: q.kind ?? null,
      limit: q.limit,
      page: q.page,
      total: uncountedTotal(judged, filter),
      ratings,
    });
  });

  app.route('/', settingsRoutes(deps.db));
  return app;
}
