import { asLang, OfficerId, UnitId } from '@onestop/protocol';
import {
  compareUnits,
  counterSummaries,
  countUnsatisfiedRatings,
  type Database,
  findUnit,
  officerRecord,
  officerSummaries,
  presenceIntervalsOf,
  recentAudit,
  recentComments,
  recentRatings,
  unsatisfiedRatings,
} from '@onestop/store';
import { Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { DashboardEnv } from './access/env.js';
import { requireRole } from './access/scope.js';
import { apiRoutes, deviceScopeOf } from './api/routes.js';
import { canFollowUpComments, canSeeOfficer, canSeeUnit, homeOf, identify } from './auth/access.js';
import { resolveClientAddress } from './auth/client-address.js';
import { authRoutes } from './auth/routes.js';
import { heatmapFigure, trendFigure } from './charts/index.js';
import { commentFollowUpRoutes } from './comments/follow-up.js';
import { type CommentLimits, commentRoutes } from './comments/routes.js';
import { deviceRoutes, devicesOverview } from './devices/routes.js';
import { CityBoard, CounterLinks, WardBoard } from './drill/boards.js';
import { officerExtras } from './drill/officer-extras.js';
import { drillRoutes } from './drill/routes.js';
import { againstUnitTarget, unitTarget } from './drill/target.js';
import { badRequest, forbidden, notFound, sameOriginPosts, serverError, wantsJson } from './errors/answer.js';
import { pickLang, translator } from './i18n.js';
import { unitJudgement } from './judgement/data.js';
import { uncountedTable } from './judgement/page.js';
import { judgementRoutes } from './judgement/routes.js';
import type { LiveRatingFeed } from './live/feed.js';
import { methodRoutes } from './method/routes.js';
import { registerAlertGauge } from './metrics.js';
import { presenceTable, UNSATISFIED_PAGE_SIZE, unsatisfiedTable } from './pages/accountability.js';
import { auditTable } from './pages/audit.js';
import { cityTable } from './pages/city.js';
import { officerCsv } from './pages/csv.js';
import { layout } from './pages/layout.js';
import { officerPage } from './pages/officer.js';
import { pagedReportQuery, pager, pageWindow } from './pages/pager.js';
import { periodNav } from './pages/period-nav.js';
import { commentList, counterTable, liveRatingsTable, officerTable, unitScript } from './pages/unit.js';
import { ReportQuery, reportPeriods, storeSpan } from './period.js';
import { ReportLinks } from './reports/links.js';
import { PdfRenderer } from './reports/pdf.js';
import { reportRoutes } from './reports/routes.js';
import { rosterRoutes } from './roster/routes.js';
import { searchRoutes } from './search/routes.js';
import { query } from './validate.js';

export interface DashboardDeps {
  db: Database;
  registry: Registry;
  logger: Logger;
  feed: LiveRatingFeed;
  now?: () => Date;
  commentLimits?: CommentLimits;
  /**
   * Failed sign-ins allowed per account from one address per 15 minutes; from all addresses
   * together ten times as many (see `AuthRoutesOptions`).
   */
  maxLoginFailures?: number;
  maxAccountLoginFailures?: number;
  /**
   * Reverse proxies (IPs, CIDR ranges) whose `X-Forwarded-For` names the client for throttling;
   * from any other peer the header is ignored.
   */
  trustedProxies?: readonly string[];
  /** Session cookies always Secure (the dashboard is served over HTTPS by a reverse proxy). */
  secureCookies?: boolean;
  /** Health of parts running beside the dashboard (the all-in-one's ingest), added to `/healthz`. */
  health?: () => PartsHealth;
  /**
   * Prints reports to PDF in Chromium; its owner closes it (`startDashboard` does on shutdown).
   * Without one, the app makes its own, which launches Chromium only if a PDF is asked for.
   */
  pdf?: PdfRenderer;
}

/** Not ok makes `/healthz` answer 503; the rest goes into its body. */
export type PartsHealth = { ok: boolean; reason?: string; [detail: string]: unknown };

type Env = DashboardEnv;

const unitParam = z.strictObject({ unitId: UnitId });

export function createDashboardApp(deps: DashboardDeps) {
  const now = deps.now ?? (() => new Date());
  const app = new Hono<Env>();
  registerAlertGauge(deps.registry, deps.db, deps.logger);

  // The usual hardening headers on all.
  app.use(secureHeaders({ referrerPolicy: 'same-origin' }));
  app.use(resolveClientAddress(deps.trustedProxies ?? []));
  app.use(async (c, next) => {
    const asked = c.req.query('lang');
    const lang = pickLang(asked, getCookie(c, 'lang'));
    const chosen = asLang(asked);
    if (chosen) setCookie(c, 'lang', chosen, { path: '/', sameSite: 'Lax', maxAge: 31_536_000 });
    c.set('lang', lang);
    await next();
  });
  // Cross-site form posts are refused (Origin must match), in the asker's language.
  app.use(sameOriginPosts());

  app.onError((err, c) => {
    // Middleware refusals (CSRF, body limit) are answers, not failures.
    if (err instanceof HTTPException) return err.getResponse();
    return serverError(c, err, (entry, msg) => deps.logger.error(entry, msg));
  });
  // An address nobody serves: a page for people, Hono's usual text for machine paths.
  app.notFound((c) => (wantsJson(c) ? c.text('404 Not Found', 404) : notFound(c)));

  app.get('/healthz', async (c) => {
    await deps.db.execute('select 1');
    if (!deps.health) return c.json({ status: 'ok' });
    const { ok, ...details } = deps.health();
    return c.json({ status: ok ? 'ok' : 'unavailable', ...details }, ok ? 200 : 503);
  });

  app.get('/metrics', async (c) =>
    c.body(await deps.registry.metrics(), 200, { 'content-type': deps.registry.contentType }),
  );

  // Public: health, metrics (counts only, for Prometheus), sign-in, and the citizens' comment
  // form. Everything after `identify` that is not public checks the account's role.
  app.route('/comment', commentRoutes(deps.db, deps.commentLimits));
  app.use(identify(deps.db));
  app.route(
    '/',
    authRoutes({
      db: deps.db,
      logger: deps.logger,
      registry: deps.registry,
      maxFailures: deps.maxLoginFailures,
      maxAccountFailures: deps.maxAccountLoginFailures,
      secureCookies: deps.secureCookies,
    }),
  );
  const leaders = requireRole('city', 'ward');
  const anyone = requireRole('city', 'ward', 'technician');

  // Every report takes one period query (`ReportQuery`) and also loads the previous comparable
  // period, for the change column on pages and `previous` in the JSON.
  const periodsOf = (q: z.output<typeof ReportQuery>) => reportPeriods(q.period, now());

  app.get('/', requireRole('city', 'ward', 'technician', 'officer'), query(ReportQuery), async (c) => {
    const staff = c.get('staff')!;
    if (staff.role !== 'city') return c.redirect(homeOf(staff), 303);
    const { period, previous, search, today } = periodsOf(c.req.valid('query'));
    const lang = c.get('lang');
    const t = translator(lang);
    const [rows, before, trend, heat] = await Promise.all([
      compareUnits(deps.db, storeSpan(period)),
      compareUnits(deps.db, storeSpan(previous)),
      trendFigure(deps.db, { lang, t }, null, period),
      heatmapFigure(deps.db, { lang, t }, null, period),
    ]);
    const board = CityBoard({ lang, t, period, search, rows, previous: before });
    const body = html`<h2>${t('city')}</h2>${periodNav(lang, t, period, today)}${ReportLinks({ t, unitId: null, search })}<div class="charts">${trend}${heat}</div>${board}${cityTable(lang, t, rows, { search, previous: before })}<p class="note">${t('fairnessNote')}</p>`;
    return c.html(layout({ lang, t, title: t('city'), body, staff, periodSearch: search }));
  });

  app.get('/units/:unitId', leaders, pagedReportQuery, async (c) => {
    const p = unitParam.safeParse(c.req.param());
    if (!p.success) return badRequest(c, { error: 'invalid unitId' });
    const { unitId } = p.data;
    const staff = c.get('staff');
    if (!canSeeUnit(staff, unitId)) return forbidden(c, 'otherWard');
    const asked = c.req.valid('query');
    const { period, previous, search, today } = periodsOf(asked);
    const lang = c.get('lang');
    const t = translator(lang);
    const unit = await findUnit(deps.db, unitId);
    if (!unit) return notFound(c, { error: 'unknown unit', unitId });
    const span = storeSpan(period);
    const bad = pageWindow(asked.page, UNSATISFIED_PAGE_SIZE);
    const [
      officers,
      before,
      counters,
      judgement,
      latest,
      comments,
      presence,
      unsatisfied,
      unsatisfiedTotal,
      trend,
      heat,
      target,
    ] = await Promise.all([
      officerSummaries(deps.db, unitId, span),
      officerSummaries(deps.db, unitId, storeSpan(previous)),
      counterSummaries(deps.db, unitId, span),
      unitJudgement(deps.db, unitId, span),
      recentRatings(deps.db, { unitId, limit: 50 }),
      recentComments(deps.db, unitId, 20),
      presenceIntervalsOf(deps.db, unitId, span),
      unsatisfiedRatings(deps.db, unitId, span, bad.limit, bad.offset),
      countUnsatisfiedRatings(deps.db, unitId, span),
      trendFigure(deps.db, { lang, t }, unitId, period),
      heatmapFigure(deps.db, { lang, t }, unitId, period),
      unitTarget(deps.db, unitId),
    ]);
    const unsatisfiedPager = pager(t, {
      page: asked.page,
      size: UNSATISFIED_PAGE_SIZE,
      total: unsatisfiedTotal,
      shown: unsatisfied.length,
      href: (page) => `/units/${unitId}?${search}&page=${page}#unsatisfied`,
      id: 'unsatisfied',
    });
    const body = html`<h2>${unit.name} <small class="muted">${t('unit')}</small></h2>${periodNav(lang, t, period, today)}${ReportLinks({ t, unitId, search })}
<div class="charts">${trend}${heat}</div>${WardBoard({ lang, t, period, search, officers, previous: before, target })}
<h3>${t('officers')} <small><a href="/units/${unitId}/roster">${t('roster')}</a> · <a href="/units/${unitId}/settings">${t('unitSettings')}</a> · <a href="/units/${unitId}/officers.csv?${search}" download>${t('downloadCsv')}</a></small></h3>${officerTable(lang, t, againstUnitTarget(officers, target), { search, previous: before })}<p class="note">${t('fairnessNote')}</p>
<h3>${t('counters')}</h3>${CounterLinks({ t, unitId, counterIds: counters.map((x) => x.counterId), search })}${counterTable(lang, t, againstUnitTarget(counters, target))}
<h3>${t('uncountedTitle')}</h3>${uncountedTable(t, judgement, { unitId, search })}
<h3><span class="live-dot"></span>${t('liveRatings')}</h3>${liveRatingsTable(lang, t, latest)}
<h3>${t('unsatisfiedList')}</h3>${unsatisfiedTable(lang, t, unsatisfied, unsatisfiedPager)}
<h3>${t('presence')}</h3>${presenceTable(t, presence)}
<h3 id="comments">${t('comments')} <small><a href="/units/${unitId}/comments">${t('allComments')}</a></small></h3>${commentList(t, comments, { unitId, leader: canFollowUpComments(staff, unitId) })}`;
    return c.html(
      layout({
        lang,
        t,
        title: unit.name,
        body,
        script: unitScript(unitId, search, lang),
        staff,
        periodSearch: search,
      }),
    );
  });

  app.get('/units/:unitId/officers', leaders, query(ReportQuery), async (c) => {
    const p = unitParam.safeParse(c.req.param());
    if (!p.success) return badRequest(c, { error: 'invalid unitId' });
    if (!canSeeUnit(c.get('staff'), p.data.unitId)) return forbidden(c, 'otherWard');
    const { period, previous, search } = periodsOf(c.req.valid('query'));
    const lang = c.get('lang');
    const [rows, before] = await Promise.all([
      officerSummaries(deps.db, p.data.unitId, storeSpan(period)),
      officerSummaries(deps.db, p.data.unitId, storeSpan(previous)),
    ]);
    return c.html(officerTable(lang, translator(lang), rows, { search, previous: before }));
  });

  app.get('/units/:unitId/officers.csv', leaders, query(ReportQuery), async (c) => {
    const p = unitParam.safeParse(c.req.param());
    if (!p.success) return badRequest(c, { error: 'invalid unitId' });
    if (!canSeeUnit(c.get('staff'), p.data.unitId)) return forbidden(c, 'otherWard');
    const { period } = periodsOf(c.req.valid('query'));
    const rows = await officerSummaries(deps.db, p.data.unitId, storeSpan(period));
    const name = `${p.data.unitId}_${period.from}_${period.to}.csv`;
    const lang = c.get('lang');
    return c.body(officerCsv(lang, translator(lang), rows, period), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
    });
  });

  app.get('/officers/:officerId', requireRole('city', 'ward', 'officer'), query(ReportQuery), async (c) => {
    const staff = c.get('staff');
    const p = z.strictObject({ officerId: OfficerId }).safeParse(c.req.param());
    if (!p.success) return badRequest(c, { error: 'invalid officerId' });
    const lang = c.get('lang');
    const t = translator(lang);
    const { period, previous, search, today } = periodsOf(c.req.valid('query'));
    const [record, before] = await Promise.all([
      officerRecord(deps.db, p.data.officerId, storeSpan(period)),
      officerRecord(deps.db, p.data.officerId, storeSpan(previous)),
    ]);
    if (!record) return notFound(c);
    if (!canSeeOfficer(staff, record.officer))
      return forbidden(c, staff?.role === 'officer' ? 'ownRecordOnly' : 'otherWard');
    const nav = periodNav(lang, t, period, today);
    const target = await unitTarget(deps.db, record.officer.unitId);
    const body = html`${officerPage(lang, t, { ...record, summary: record.summary && againstUnitTarget([record.summary], target)[0]!, byHour: againstUnitTarget(record.byHour, target) }, { nav, search, previous: before?.summary ?? null })}${await officerExtras(deps.db, { lang, t, search, now: now(), target }, record.officer, period)}`;
    return c.html(layout({ lang, t, title: record.officer.name, body, staff, periodSearch: search }));
  });

  app.get('/devices', anyone, async (c) => {
    const staff = c.get('staff');
    const lang = c.get('lang');
    const t = translator(lang);
    const body = await devicesOverview(deps.db, deviceScopeOf(staff), t);
    return c.html(layout({ lang, t, title: t('devices'), body, staff }));
  });

  app.route('/cach-tinh', methodRoutes(deps.db));
  app.route('/', judgementRoutes({ db: deps.db, now }));
  app.route('/devices', deviceRoutes(deps.db));
  app.route('/units', rosterRoutes(deps.db));
  app.route('/units', commentFollowUpRoutes(deps.db));
  app.route('/', searchRoutes(deps.db));
  app.route('/', drillRoutes(deps.db, now));
  app.route('/', reportRoutes({ db: deps.db, now, pdf: deps.pdf ?? new PdfRenderer() }));

  // Who provisioned, revoked, changed settings, rosters and accounts: for the city only.
  app.get('/audit', requireRole('city'), async (c) => {
    const lang = c.get('lang');
    const t = translator(lang);
    const body = html`<h2>${t('audit')}</h2>${auditTable(lang, t, await recentAudit(deps.db, 300))}`;
    return c.html(layout({ lang, t, title: t('audit'), body, staff: c.get('staff') }));
  });

  // JSON for integrators: a stable contract, under one module.
  app.route('/api', apiRoutes({ db: deps.db, feed: deps.feed, now }));

  return app;
}
