import { previousPeriod } from '@onestop/evaluation';
import { OfficerId, UnitId, vietnamDate } from '@onestop/protocol';
import {
  compareUnits,
  counterSummaries,
  countUnsatisfiedRatings,
  type Database,
  findUnit,
  officerRecord,
  officerSummaries,
  openAlerts,
  presenceIntervalsOf,
  recentAudit,
  recentComments,
  recentRatings,
  unitDevices,
  unsatisfiedRatings,
} from '@onestop/store';
import { Hono } from 'hono';
import { contextStorage } from 'hono/context-storage';
import { csrf } from 'hono/csrf';
import { html } from 'hono/html';
import { HTTPException } from 'hono/http-exception';
import { streamSSE } from 'hono/streaming';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { DashboardEnv } from './access/env.js';
import { requireRole } from './access/scope.js';
import {
  type AuthEnv,
  canFollowUpComments,
  canSeeOfficer,
  canSeeUnit,
  homeOf,
  identify,
} from './auth/access.js';
import { resolveClientAddress } from './auth/client-address.js';
import { authRoutes } from './auth/routes.js';
import { heatmapFigure, trendFigure } from './charts/index.js';
import { commentFollowUpRoutes } from './comments/follow-up.js';
import { type CommentLimits, commentRoutes } from './comments/routes.js';
import { deviceRoutes, devicesOverview } from './devices/routes.js';
import { badRequest, forbidden, notFound, serverError, wantsJson } from './errors/answer.js';
import { translator } from './i18n.js';
import { unitJudgement, withUncounted } from './judgement/data.js';
import { uncountedTable } from './judgement/page.js';
import { judgementRoutes } from './judgement/routes.js';
import { language } from './language/middleware.js';
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
import {
  commentList,
  counterTable,
  liveRatingsTable,
  officerTable,
  ratingRow,
  unitScript,
} from './pages/unit.js';
import { periodJson, periodSearch, ReportQuery, resolvePeriod, storeSpan, withPeriods } from './period.js';
import { rosterRoutes } from './roster/routes.js';
import { searchRoutes } from './search/routes.js';
import { dashboardSecureHeaders } from './security/headers.js';
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
}

/** Not ok makes `/healthz` answer 503; the rest goes into its body. */
export type PartsHealth = { ok: boolean; reason?: string; [detail: string]: unknown };

type Env = DashboardEnv;

const unitParam = z.strictObject({ unitId: UnitId });
const LiveQuery = z.strictObject({ unit: UnitId.optional(), lang: z.enum(['vi', 'en']).optional() });

export function createDashboardApp(deps: DashboardDeps) {
  const now = deps.now ?? (() => new Date());
  const app = new Hono<Env>();
  registerAlertGauge(deps.registry, deps.db, deps.logger);

  // Cross-site form posts are refused (Origin must match); the usual hardening headers on all.
  // Context storage lets `layout()` find the request's CSP nonce for pages that do not pass it.
  app.use(contextStorage(), csrf(), dashboardSecureHeaders());
  app.use(resolveClientAddress(deps.trustedProxies ?? []));
  app.use(language());

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
  const periodsOf = (q: z.output<typeof ReportQuery>) => {
    const at = now();
    const period = resolvePeriod(q.period, at);
    return {
      period,
      previous: previousPeriod(period),
      search: periodSearch(period),
      today: vietnamDate(at.getTime()),
    };
  };

  app.get('/', requireRole('city', 'ward', 'technician', 'officer'), query(ReportQuery), async (c) => {
    const staff = c.get('staff')!;
    if (staff.role !== 'city') return c.redirect(homeOf(staff), 303);
    const { period, previous, search, today } = periodsOf(c.req.valid('query'));
    const lang = c.get('lang');
    const t = translator(lang);
    const [rows, before, trend] = await Promise.all([
      compareUnits(deps.db, storeSpan(period)),
      compareUnits(deps.db, storeSpan(previous)),
      trendFigure(deps.db, { lang, t }, null, period),
    ]);
    const body = html`<h2>${t('city')}</h2>${periodNav(lang, t, period, today)}${trend}${cityTable(lang, t, rows, { search, previous: before })}<p class="note">${t('fairnessNote')}</p>`;
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
    ]);
    const unsatisfiedPager = pager(t, {
      page: asked.page,
      size: UNSATISFIED_PAGE_SIZE,
      total: unsatisfiedTotal,
      shown: unsatisfied.length,
      href: (page) => `/units/${unitId}?${search}&page=${page}#unsatisfied`,
      id: 'unsatisfied',
    });
    const body = html`<h2>${unit.name} <small class="muted">${t('unit')}</small></h2>${periodNav(lang, t, period, today)}
<div class="charts">${trend}${heat}</div>
<h3>${t('officers')} <small><a href="/units/${unitId}/roster">${t('roster')}</a> · <a href="/units/${unitId}/settings">${t('unitSettings')}</a> · <a href="/units/${unitId}/officers.csv?${search}" download>${t('downloadCsv')}</a></small></h3>${officerTable(lang, t, officers, { search, previous: before })}<p class="note">${t('fairnessNote')}</p>
<h3>${t('counters')}</h3>${counterTable(lang, t, counters)}
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
    const body = officerPage(lang, t, record, { nav, search, previous: before?.summary ?? null });
    return c.html(layout({ lang, t, title: record.officer.name, body, staff, periodSearch: search }));
  });

  // Technicians and the city watch every device; a ward leader watches the ward's own counters.
  const scopeOf = (staff: Env['Variables']['staff']) => (staff?.role === 'ward' ? staff.unitId : null);
  const devicesOf = (staff: Env['Variables']['staff']) => unitDevices(deps.db, scopeOf(staff));

  app.get('/devices', anyone, async (c) => {
    const staff = c.get('staff');
    const lang = c.get('lang');
    const t = translator(lang);
    const body = await devicesOverview(deps.db, scopeOf(staff), t);
    return c.html(layout({ lang, t, title: t('devices'), body, staff }));
  });

  app.route('/cach-tinh', methodRoutes(deps.db));
  app.route('/', judgementRoutes({ db: deps.db, now }));
  app.route('/devices', deviceRoutes(deps.db));
  app.route('/units', rosterRoutes(deps.db));
  app.route('/units', commentFollowUpRoutes(deps.db));
  app.route('/', searchRoutes(deps.db));

  // Who provisioned, revoked, changed settings, rosters and accounts: for the city only.
  app.get('/audit', requireRole('city'), async (c) => {
    const lang = c.get('lang');
    const t = translator(lang);
    const body = html`<h2>${t('audit')}</h2>${auditTable(lang, t, await recentAudit(deps.db, 300))}`;
    return c.html(layout({ lang, t, title: t('audit'), body, staff: c.get('staff') }));
  });

  // JSON for integrators (a stable contract): one object per unit or officer, each with the
  // `period` it covers ({kind, from, to}, inclusive Vietnam dates) and `previous`, the same object
  // for the previous comparable period (null: nothing recorded for it then).
  app.get('/api/units', leaders, query(ReportQuery), async (c) => {
    const staff = c.get('staff');
    const { period, previous } = periodsOf(c.req.valid('query'));
    const [rows, before] = await Promise.all([
      compareUnits(deps.db, storeSpan(period)),
      compareUnits(deps.db, storeSpan(previous)),
    ]);
    const visible = rows.filter((r) => canSeeUnit(staff, r.unitId));
    return c.json(withPeriods(visible, before, (r) => r.unitId, { period, previous }));
  });

  app.get('/api/units/:unitId/officers', leaders, query(ReportQuery), async (c) => {
    const p = unitParam.safeParse(c.req.param());
    if (!p.success) return badRequest(c, { error: 'invalid unitId' });
    if (!canSeeUnit(c.get('staff'), p.data.unitId)) return forbidden(c, 'otherWard');
    const { period, previous } = periodsOf(c.req.valid('query'));
    const [rows, before, judged, judgedBefore] = await Promise.all([
      officerSummaries(deps.db, p.data.unitId, storeSpan(period)),
      officerSummaries(deps.db, p.data.unitId, storeSpan(previous)),
      unitJudgement(deps.db, p.data.unitId, storeSpan(period)),
      unitJudgement(deps.db, p.data.unitId, storeSpan(previous)),
    ]);
    return c.json(
      withPeriods(withUncounted(rows, judged), withUncounted(before, judgedBefore), (r) => r.officerId, {
        period,
        previous,
      }),
    );
  });

  // The unit's evaluation as one document: the period, the officers, and the previous period's.
  app.get('/api/units/:unitId/evaluation', leaders, query(ReportQuery), async (c) => {
    const p = unitParam.safeParse(c.req.param());
    if (!p.success) return badRequest(c, { error: 'invalid unitId' });
    const { unitId } = p.data;
    if (!canSeeUnit(c.get('staff'), unitId)) return forbidden(c, 'otherWard');
    if (!(await findUnit(deps.db, unitId))) return notFound(c, { error: 'unknown unit', unitId });
    const { period, previous } = periodsOf(c.req.valid('query'));
    const [officers, before, judged, judgedBefore] = await Promise.all([
      officerSummaries(deps.db, unitId, storeSpan(period)),
      officerSummaries(deps.db, unitId, storeSpan(previous)),
      unitJudgement(deps.db, unitId, storeSpan(period)),
      unitJudgement(deps.db, unitId, storeSpan(previous)),
    ]);
    // `counters`: per counter, counted / unverified / filtered / quarantined; `uncounted`: their sums.
    return c.json({
      unitId,
      period: periodJson(period),
      officers,
      ...judged,
      previous: { period: periodJson(previous), officers: before, ...judgedBefore },
    });
  });

  app.get('/api/devices', anyone, async (c) => c.json(await devicesOf(c.get('staff'))));
  app.get('/api/alerts', anyone, async (c) => c.json(await openAlerts(deps.db, scopeOf(c.get('staff')))));

  app.get('/api/live', leaders, query(LiveQuery), (c) => {
    const staff = c.get('staff')!;
    const asked = c.req.valid('query').unit;
    if (asked && !canSeeUnit(staff, asked)) return forbidden(c, 'otherWard');
    // A ward leader's stream is always narrowed to the ward's own unit.
    const unit = staff.role === 'ward' ? (staff.unitId ?? '') : asked;
    const lang = c.get('lang');
    return streamSSE(c, async (stream) => {
      const queue: string[] = [];
      let wake: (() => void) | null = null;
      const unsubscribe = deps.feed.subscribe((r) => {
        if (unit && r.unitId !== unit) return;
        void Promise.resolve(ratingRow(lang, translator(lang), r)).then((h) => {
          queue.push(h.toString());
          wake?.();
        });
      });
      stream.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      await stream.writeSSE({ event: 'hello', data: 'ok' });
      while (!stream.aborted) {
        const next = queue.shift();
        if (next !== undefined) {
          await stream.writeSSE({ event: 'rating', data: next.replaceAll('\n', ' ') });
          continue;
        }
        // Wake on a new rating, or every 15 s to send a keep-alive through proxies.
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 15_000).unref();
        });
        wake = null;
        if (queue.length === 0 && !stream.aborted) await stream.writeSSE({ event: 'ping', data: '' });
      }
      unsubscribe();
    });
  });

  return app;
}
