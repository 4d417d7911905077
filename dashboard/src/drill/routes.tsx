import { CounterId, OfficerId, vietnamDate } from '@onestop/protocol';
import {
  counterOfficers,
  counterOfUnit,
  counterSummaries,
  type Database,
  drillRatings,
  findOfficer,
  satisfactionTrend,
} from '@onestop/store';
import { Hono } from 'hono';
import { z } from 'zod';
import type { DashboardEnv } from '../access/env.js';
import { requireRole, unitScope } from '../access/scope.js';
import { canFollowUpComments, officerRefusal } from '../auth/access.js';
import { trendChart, trendStep } from '../charts/trend.js';
import { badRequest, forbidden, notFound } from '../errors/answer.js';
import { fill, translator } from '../i18n.js';
import { Layout, pageProps } from '../pages/layout.js';
import { pagedReportQuery, pager, pageWindow } from '../pages/pager.js';
import { PeriodNav } from '../pages/period-nav.js';
import { CounterTable } from '../pages/unit.js';
import { periodSearch, resolvePeriod, storeSpan } from '../period.js';
import { CounterOfficersTable } from './counter-officers.js';
import { DrillRatingsTable } from './ratings-table.js';
import { againstUnitTarget, targetOf } from './target.js';

/** Ratings per page of the drill-down lists. */
export const DRILL_PAGE_SIZE = 50;

const officerParam = z.strictObject({ officerId: OfficerId });
const counterParam = z.object({ counterId: CounterId });

/**
 * The last steps of city → ward → counter / officer → the ratings: an officer's ratings (the
 * officer themself, their ward's leader, the city) and a counter's page (its ward's leader, the
 * city). Each list is one page of the period's ratings with "showing X–Y of Z".
 */
export function drillRoutes(db: Database, now: () => Date) {
  const app = new Hono<DashboardEnv>();

  app.get(
    '/officers/:officerId/ratings',
    requireRole('city', 'ward', 'officer'),
    pagedReportQuery,
    async (c) => {
      const staff = c.get('staff');
      const p = officerParam.safeParse(c.req.param());
      if (!p.success) return badRequest(c, { error: 'invalid officerId' });
      const officer = await findOfficer(db, p.data.officerId);
      const refusal = officerRefusal(staff, officer);
      if (refusal === 'unknown') return notFound(c);
      if (refusal || !officer) return forbidden(c, refusal ?? 'otherWard');
      const q = c.req.valid('query');
      const at = now();
      const period = resolvePeriod(q.period, at);
      const search = periodSearch(period);
      const lang = c.get('lang');
      const t = translator(lang);
      const found = await drillRatings(db, {
        unitId: officer.unitId,
        officerId: officer.id,
        period: storeSpan(period),
        ...pageWindow(q.page, DRILL_PAGE_SIZE),
      });
      const base = `/officers/${encodeURIComponent(officer.id)}/ratings?${search}`;
      const list = pager(t, {
        page: q.page,
        size: DRILL_PAGE_SIZE,
        total: found.total,
        shown: found.rows.length,
        href: (page) => `${base}&page=${page}`,
        id: 'ratings',
      });
      const title = `${officer.name} · ${t('drillRatingsTitle')}`;
      return c.html(
        <Layout {...pageProps(c, lang)} lang={lang} t={t} title={title} staff={staff}>
          <h2>
            {t('drillRatingsTitle')}{' '}
            <small class="muted">
              <a href={`/officers/${encodeURIComponent(officer.id)}?${search}`}>{officer.name}</a> ·{' '}
              {officer.id}
            </small>
          </h2>
          <PeriodNav lang={lang} t={t} period={period} today={vietnamDate(at.getTime())} />
          <DrillRatingsTable
            lang={lang}
            t={t}
            rows={found.rows}
            pager={list}
            comments={canFollowUpComments(staff, officer.unitId)}
          />
        </Layout>,
      );
    },
  );

  app.get(
    '/units/:unitId/counters/:counterId',
    requireRole('city', 'ward'),
    unitScope(db),
    pagedReportQuery,
    async (c) => {
      const unit = c.get('unit');
      const p = counterParam.safeParse(c.req.param());
      if (!p.success) return badRequest(c, { error: 'invalid counterId' });
      const { counterId } = p.data;
      if (!(await counterOfUnit(db, unit.id, counterId)))
        return notFound(c, { error: 'unknown counter', counterId });
      const q = c.req.valid('query');
      const at = now();
      const period = resolvePeriod(q.period, at);
      const search = periodSearch(period);
      const span = storeSpan(period);
      const lang = c.get('lang');
      const t = translator(lang);
      const [found, counters, officers, buckets] = await Promise.all([
        drillRatings(db, {
          unitId: unit.id,
          counterId,
          period: span,
          ...pageWindow(q.page, DRILL_PAGE_SIZE),
        }),
        counterSummaries(db, unit.id, span),
        counterOfficers(db, { unitId: unit.id, counterId, period: span }),
        satisfactionTrend(db, { unitId: unit.id, counterId, ...span, step: trendStep(period) }),
      ]);
      const target = targetOf(unit);
      const base = `/units/${encodeURIComponent(unit.id)}/counters/${encodeURIComponent(counterId)}?${search}`;
      const list = pager(t, {
        page: q.page,
        size: DRILL_PAGE_SIZE,
        total: found.total,
        shown: found.rows.length,
        href: (page) => `${base}&page=${page}`,
        id: 'ratings',
      });
      const title = fill(t('drillCounterTitle'), { counter: counterId });
      return c.html(
        <Layout {...pageProps(c, lang)} lang={lang} t={t} title={title} staff={c.get('staff')}>
          <h2>
            {title}{' '}
            <small class="muted">
              <a href={`/units/${encodeURIComponent(unit.id)}?${search}`}>{unit.name}</a>
            </small>
          </h2>
          <PeriodNav lang={lang} t={t} period={period} today={vietnamDate(at.getTime())} />
          <CounterTable
            lang={lang}
            t={t}
            rows={againstUnitTarget(counters, target).filter((s) => s.counterId === counterId)}
          />
          <div class="charts">{trendChart(lang, t, period, buckets, target)}</div>
          <h3>{t('drillCounterOfficers')}</h3>
          <CounterOfficersTable t={t} rows={officers} search={search} target={target} />
          <h3 id="ratings">{t('drillRatingsTitle')}</h3>
          <DrillRatingsTable
            lang={lang}
            t={t}
            rows={found.rows}
            pager={list}
            comments={canFollowUpComments(c.get('staff'), unit.id)}
          />
        </Layout>,
      );
    },
  );

  return app;
}
