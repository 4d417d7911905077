import {
  countUnsatisfiedRatings,
  officerSummaries,
  presenceIntervalsOf,
  recentComments,
  recentRatings,
  unitTables,
  unsatisfiedRatings,
} from '@onestop/store';
import { Hono } from 'hono';
import type { DashboardEnv } from '../access/env.js';
import { requireRole, unitScope } from '../access/scope.js';
import { unitLiveAsset } from '../assets/bundle.js';
import { UNIT_LIVE_CONFIG_ID, type UnitLiveConfig } from '../assets/unit-live-config.js';
import { canFollowUpComments, canSeeCitizenContact } from '../auth/access.js';
import { heatmapFigure, trendFigure } from '../charts/index.js';
import { CounterLinks, WardBoard } from '../drill/boards.js';
import { againstUnitTarget, targetOf } from '../drill/target.js';
import { translator } from '../i18n.js';
import { unitJudgement } from '../judgement/data.js';
import { UncountedTable } from '../judgement/page.js';
import { PresenceTable, UNSATISFIED_PAGE_SIZE, UnsatisfiedTable } from '../pages/accountability.js';
import { officerCsv } from '../pages/csv.js';
import { Layout, pageProps } from '../pages/layout.js';
import { pagedReportQuery, pager, pageWindow } from '../pages/pager.js';
import { PeriodNav } from '../pages/period-nav.js';
import { CommentList, CounterTable, LiveRatingsTable, OfficerTable } from '../pages/unit.js';
import { type ReportDeps, ReportQuery, reportPeriods, storeSpan } from '../period.js';
import { ReportLinks } from '../reports/links.js';
import { query } from '../validate.js';

/** Newest ratings shown in the live table (the client keeps the same number). */
const LIVE_ROWS = 50;
/** Newest comments shown on the unit page (all of them: the comments page). */
const COMMENT_ROWS = 20;

/**
 * A unit's report for its leaders and the city: officers, counters, what went uncounted, live
 * ratings, unsatisfied ratings, presence and comments, over one period. `unitScope` has checked
 * the unit (400 / 403 / 404) before any handler runs.
 */
export function unitRoutes(deps: ReportDeps) {
  const app = new Hono<DashboardEnv>();
  app.use('/:unitId', requireRole('city', 'ward'), unitScope(deps.db));
  app.use('/:unitId/officers', requireRole('city', 'ward'), unitScope(deps.db));
  app.use('/:unitId/officers.csv', requireRole('city', 'ward'), unitScope(deps.db));

  app.get('/:unitId', pagedReportQuery, async (c) => {
    const unit = c.get('unit');
    const staff = c.get('staff');
    const asked = c.req.valid('query');
    const { period, previous, search, today } = reportPeriods(asked.period, deps.now());
    const lang = c.get('lang');
    const t = translator(lang);
    const span = storeSpan(period);
    const bad = pageWindow(asked.page, UNSATISFIED_PAGE_SIZE);
    const db = deps.db;
    const [
      [{ officers, counters }, { officers: before }],
      judgement,
      latest,
      comments,
      presence,
      unsatisfied,
      total,
      trend,
      heat,
    ] = await Promise.all([
      unitTables(db, unit.id, [span, storeSpan(previous)]),
      unitJudgement(db, unit.id, span),
      recentRatings(db, { unitId: unit.id, limit: LIVE_ROWS }),
      recentComments(db, unit.id, { limit: COMMENT_ROWS }),
      presenceIntervalsOf(db, unit.id, span),
      unsatisfiedRatings(db, unit.id, span, bad.limit, bad.offset),
      countUnsatisfiedRatings(db, unit.id, span),
      trendFigure(db, { lang, t }, unit, period),
      heatmapFigure(db, { lang, t }, unit.id, period),
    ]);
    const target = targetOf(unit);
    const unsatisfiedPager = pager(t, {
      page: asked.page,
      size: UNSATISFIED_PAGE_SIZE,
      total,
      shown: unsatisfied.length,
      href: (page) => `/units/${unit.id}?${search}&page=${page}#unsatisfied`,
      id: 'unsatisfied',
    });
    const live: UnitLiveConfig = {
      liveUrl: `/api/live?${new URLSearchParams({ unit: unit.id, lang })}`,
      officersUrl: `/units/${encodeURIComponent(unit.id)}/officers?${search}&lang=${lang}`,
    };
    const script = await unitLiveAsset();
    const base = `/units/${unit.id}`;
    return c.html(
      <Layout
        {...pageProps(c, lang)}
        lang={lang}
        t={t}
        title={unit.name}
        staff={staff}
        modules={[script.path]}
        data={[{ id: UNIT_LIVE_CONFIG_ID, value: live }]}
      >
        <h2>
          {unit.name} <small class="muted">{t('unit')}</small>
        </h2>
        <PeriodNav lang={lang} t={t} period={period} today={today} />
        {ReportLinks({ t, unitId: unit.id, search })}
        <div class="charts">
          {trend}
          {heat}
        </div>
        {WardBoard({ lang, t, period, search, officers, previous: before, target })}
        <h3>
          {t('officers')}{' '}
          <small>
            <a href={`${base}/roster`}>{t('roster')}</a> ·{' '}
            <a href={`${base}/settings`}>{t('unitSettings')}</a> ·{' '}
            <a href={`${base}/officers.csv?${search}`} download>
              {t('downloadCsv')}
            </a>
          </small>
        </h3>
        <OfficerTable
          lang={lang}
          t={t}
          rows={againstUnitTarget(officers, target)}
          search={search}
          previous={before}
        />
        <p class="note">{t('fairnessNote')}</p>
        <h3>{t('counters')}</h3>
        {CounterLinks({ t, unitId: unit.id, counterIds: counters.map((x) => x.counterId), search })}
        <CounterTable lang={lang} t={t} rows={againstUnitTarget(counters, target)} />
        <h3>{t('uncountedTitle')}</h3>
        <UncountedTable t={t} judgement={judgement} unitId={unit.id} search={search} />
        <h3>
          <span class="live-dot" />
          {t('liveRatings')}
        </h3>
        <LiveRatingsTable lang={lang} t={t} rows={latest} />
        <h3>{t('unsatisfiedList')}</h3>
        <UnsatisfiedTable lang={lang} t={t} rows={unsatisfied} pager={unsatisfiedPager} />
        <h3>{t('presence')}</h3>
        <PresenceTable t={t} rows={presence} />
        <h3 id="comments">
          {t('comments')}{' '}
          <small>
            <a href={`${base}/comments`}>{t('allComments')}</a>
          </small>
        </h3>
        <CommentList
          t={t}
          rows={comments}
          unitId={unit.id}
          leader={canFollowUpComments(staff, unit.id)}
          contact={canSeeCitizenContact(staff, unit.id)}
        />
      </Layout>,
    );
  });

  // The officer table alone, re-fetched by the live-update module after new ratings.
  app.get('/:unitId/officers', query(ReportQuery), async (c) => {
    const unit = c.get('unit');
    const { period, previous, search } = reportPeriods(c.req.valid('query').period, deps.now());
    const lang = c.get('lang');
    const [{ officers: rows }, { officers: before }] = await unitTables(deps.db, unit.id, [
      storeSpan(period),
      storeSpan(previous),
    ]);
    const target = targetOf(unit);
    return c.html(
      <OfficerTable
        lang={lang}
        t={translator(lang)}
        rows={againstUnitTarget(rows, target)}
        search={search}
        previous={before}
      />,
    );
  });

  app.get('/:unitId/officers.csv', query(ReportQuery), async (c) => {
    const unit = c.get('unit');
    const { period } = reportPeriods(c.req.valid('query').period, deps.now());
    const rows = await officerSummaries(deps.db, unit.id, storeSpan(period));
    const name = `${unit.id}_${period.from}_${period.to}.csv`;
    const lang = c.get('lang');
    return c.body(officerCsv(lang, translator(lang), rows, period), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
    });
  });
  return app;
}
