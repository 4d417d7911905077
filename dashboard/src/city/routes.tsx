import { compareUnitsOver } from '@onestop/store';
import { Hono } from 'hono';
import type { DashboardEnv } from '../access/env.js';
import { requireRole } from '../access/scope.js';
import { homeOf } from '../auth/access.js';
import { heatmapFigure, trendFigure } from '../charts/index.js';
import { CityBoard } from '../drill/boards.js';
import { translator } from '../i18n.js';
import { CityTable } from '../pages/city.js';
import { Layout, pageProps } from '../pages/layout.js';
import { PeriodNav } from '../pages/period-nav.js';
import { type ReportDeps, ReportQuery, reportPeriods, storeSpan } from '../period.js';
import { ReportLinks } from '../reports/links.js';
import { query } from '../validate.js';

/**
 * The city's page: every unit side by side with the change since the previous period. Anyone
 * else signed in who opens `/` is sent to their own start page.
 */
export function cityRoutes(deps: ReportDeps) {
  const app = new Hono<DashboardEnv>();
  app.get('/', requireRole('city', 'ward', 'technician', 'officer'), query(ReportQuery), async (c) => {
    const staff = c.get('staff')!;
    if (staff.role !== 'city') return c.redirect(homeOf(staff), 303);
    const { period, previous, search, today } = reportPeriods(c.req.valid('query').period, deps.now());
    const lang = c.get('lang');
    const t = translator(lang);
    const [[rows, before], trend, heat] = await Promise.all([
      compareUnitsOver(deps.db, [storeSpan(period), storeSpan(previous)]),
      trendFigure(deps.db, { lang, t }, null, period),
      heatmapFigure(deps.db, { lang, t }, null, period),
    ]);
    return c.html(
      <Layout {...pageProps(c, lang)} lang={lang} t={t} title={t('city')} staff={staff}>
        <h2>{t('city')}</h2>
        <PeriodNav lang={lang} t={t} period={period} today={today} />
        {ReportLinks({ t, unitId: null, search })}
        <div class="charts">
          {trend}
          {heat}
        </div>
        {CityBoard({ lang, t, period, search, rows, previous: before })}
        <CityTable lang={lang} t={t} rows={rows} search={search} previous={before} />
        <p class="note">{t('fairnessNote')}</p>
      </Layout>,
    );
  });
  return app;
}
