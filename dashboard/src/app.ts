import { UnitId } from '@onestop/protocol';
import {
  compareUnits,
  type Database,
  findUnit,
  officerSummaries,
  openAlerts,
  unitDevices,
} from '@onestop/store';
import { Hono } from 'hono';
import { contextStorage } from 'hono/context-storage';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { streamSSE } from 'hono/streaming';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import type { DashboardEnv } from './access/env.js';
import { requireRole } from './access/scope.js';
import { assetRoutes } from './assets/routes.js';
import { auditRoutes } from './audit/routes.js';
import { canSeeUnit, identify } from './auth/access.js';
import { resolveClientAddress } from './auth/client-address.js';
import { authRoutes } from './auth/routes.js';
import { cityRoutes } from './city/routes.js';
import { commentFollowUpRoutes } from './comments/follow-up.js';
import { type CommentLimits, commentRoutes } from './comments/routes.js';
import { deviceRoutes, devicesOverview } from './devices/routes.js';
import { badRequest, forbidden, notFound, serverError, wantsJson } from './errors/answer.js';
import { translator } from './i18n.js';
import { unitJudgement, withUncounted } from './judgement/data.js';
import { judgementRoutes } from './judgement/routes.js';
import { language } from './language/middleware.js';
import type { LiveRatingFeed } from './live/feed.js';
import { methodRoutes } from './method/routes.js';
import { registerAlertGauge } from './metrics.js';
import { officerRoutes } from './officer/routes.js';
import { layout } from './pages/layout.js';
import { ratingRow } from './pages/unit.js';
import { periodJson, ReportQuery, storeSpan, withPeriods } from './period.js';
import { reportPeriods } from './report/periods.js';
import { rosterRoutes } from './roster/routes.js';
import { searchRoutes } from './search/routes.js';
import { dashboardSecureHeaders } from './security/headers.js';
import { unitRoutes } from './unit/routes.js';
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
  app.route('/assets', assetRoutes());
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

  app.route('/', cityRoutes({ db: deps.db, now }));
  app.route('/units', unitRoutes({ db: deps.db, now }));
  app.route('/officers', officerRoutes({ db: deps.db, now }));

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

  app.route('/audit', auditRoutes(deps));

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
