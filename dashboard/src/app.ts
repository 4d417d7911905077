import { OfficerId, UnitId, vietnamDate } from '@onestop/protocol';
import {
  compareUnits,
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
import { type Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { csrf } from 'hono/csrf';
import { html } from 'hono/html';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import { streamSSE } from 'hono/streaming';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { type AuthEnv, canSeeOfficer, canSeeUnit, homeOf, identify, requireRole } from './auth/access.js';
import { resolveClientAddress } from './auth/client-address.js';
import { authRoutes } from './auth/routes.js';
import { type CommentLimits, commentRoutes } from './comments/routes.js';
import { deviceRoutes, devicesOverview } from './devices/routes.js';
import { type Lang, pickLang, translator } from './i18n.js';
import type { LiveRatingFeed } from './live/feed.js';
import { registerAlertGauge } from './metrics.js';
import { presenceTable, unsatisfiedTable } from './pages/accountability.js';
import { auditTable } from './pages/audit.js';
import { cityTable } from './pages/city.js';
import { officerCsv } from './pages/csv.js';
import { layout } from './pages/layout.js';
import { officerPage } from './pages/officer.js';
import { commentList, liveRatingsTable, officerTable, ratingRow, unitScript } from './pages/unit.js';
import { PeriodQuery, periodOfDays } from './period.js';
import { rosterRoutes } from './roster/routes.js';
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

type Env = { Variables: AuthEnv['Variables'] & { lang: Lang } };

const unitParam = z.strictObject({ unitId: UnitId });
const LiveQuery = z.strictObject({ unit: UnitId.optional(), lang: z.enum(['vi', 'en']).optional() });

export function createDashboardApp(deps: DashboardDeps) {
  const now = deps.now ?? (() => new Date());
  const app = new Hono<Env>();
  registerAlertGauge(deps.registry, deps.db, deps.logger);

  // Cross-site form posts are refused (Origin must match); the usual hardening headers on all.
  app.use(csrf(), secureHeaders({ referrerPolicy: 'same-origin' }));
  app.use(resolveClientAddress(deps.trustedProxies ?? []));
  app.use(async (c, next) => {
    const asked = c.req.query('lang');
    const lang = pickLang(asked, getCookie(c, 'lang'));
    if (asked === 'vi' || asked === 'en')
      setCookie(c, 'lang', asked, { path: '/', sameSite: 'Lax', maxAge: 31_536_000 });
    c.set('lang', lang);
    await next();
  });

  app.onError((err, c) => {
    // Middleware refusals (CSRF, body limit) are answers, not failures.
    if (err instanceof HTTPException) return err.getResponse();
    deps.logger.error({ err, path: c.req.path }, 'dashboard request failed');
    return c.json({ error: 'internal error' }, 500);
  });

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
  const forbidden = (c: Context<Env>) =>
    c.json({ error: 'forbidden', reason: 'this unit belongs to another ward' }, 403);

  app.get('/', requireRole('city', 'ward', 'technician', 'officer'), query(PeriodQuery), async (c) => {
    const staff = c.get('staff')!;
    if (staff.role !== 'city') return c.redirect(homeOf(staff), 303);
    const { days } = c.req.valid('query');
    const lang = c.get('lang');
    const t = translator(lang);
    const rows = await compareUnits(deps.db, periodOfDays(days, now()));
    const body = html`<h2>${t('city')}</h2>${periodNav(t, days)}${cityTable(t, rows, days)}<p class="note">${t('fairnessNote')}</p>`;
    return c.html(layout({ lang, t, title: t('city'), body, staff }));
  });

  app.get('/units/:unitId', leaders, query(PeriodQuery), async (c) => {
    const p = unitParam.safeParse(c.req.param());
    if (!p.success) return c.json({ error: 'invalid unitId' }, 400);
    const { unitId } = p.data;
    const staff = c.get('staff');
    if (!canSeeUnit(staff, unitId)) return forbidden(c);
    const { days } = c.req.valid('query');
    const lang = c.get('lang');
    const t = translator(lang);
    const unit = await findUnit(deps.db, unitId);
    if (!unit)
      return c.html(
        layout({ lang, t, title: unitId, body: html`<p class="bad">404: ${unitId}</p>`, staff }),
        404,
      );
    const period = periodOfDays(days, now());
    const [officers, latest, comments, presence, unsatisfied] = await Promise.all([
      officerSummaries(deps.db, unitId, period),
      recentRatings(deps.db, { unitId, limit: 50 }),
      recentComments(deps.db, unitId, 20),
      presenceIntervalsOf(deps.db, unitId, period),
      unsatisfiedRatings(deps.db, unitId, period),
    ]);
    const body = html`<h2>${unit.name} <small class="muted">${t('unit')}</small></h2>${periodNav(t, days)}
<h3>${t('officers')} <small><a href="/units/${unitId}/roster">${t('roster')}</a> · <a href="/units/${unitId}/officers.csv?days=${days}" download>${t('downloadCsv')}</a></small></h3>${officerTable(lang, t, officers)}<p class="note">${t('fairnessNote')}</p>
<h3><span class="live-dot"></span>${t('liveRatings')}</h3>${liveRatingsTable(lang, t, latest)}
<h3>${t('unsatisfiedList')}</h3>${unsatisfiedTable(lang, t, unsatisfied)}
<h3>${t('presence')}</h3>${presenceTable(t, presence)}
<h3>${t('comments')}</h3>${commentList(t, comments)}`;
    return c.html(layout({ lang, t, title: unit.name, body, script: unitScript(unitId, days, lang), staff }));
  });

  app.get('/units/:unitId/officers', leaders, query(PeriodQuery), async (c) => {
    const p = unitParam.safeParse(c.req.param());
    if (!p.success) return c.json({ error: 'invalid unitId' }, 400);
    if (!canSeeUnit(c.get('staff'), p.data.unitId)) return forbidden(c);
    const { days } = c.req.valid('query');
    const lang = c.get('lang');
    const rows = await officerSummaries(deps.db, p.data.unitId, periodOfDays(days, now()));
    return c.html(officerTable(lang, translator(lang), rows));
  });

  app.get('/units/:unitId/officers.csv', leaders, query(PeriodQuery), async (c) => {
    const p = unitParam.safeParse(c.req.param());
    if (!p.success) return c.json({ error: 'invalid unitId' }, 400);
    if (!canSeeUnit(c.get('staff'), p.data.unitId)) return forbidden(c);
    const { days } = c.req.valid('query');
    const period = periodOfDays(days, now());
    const rows = await officerSummaries(deps.db, p.data.unitId, period);
    const day = (d: Date) => vietnamDate(d.getTime());
    const name = `${p.data.unitId}_${day(period.from)}_${day(new Date(period.to.getTime() - 1))}.csv`;
    return c.body(officerCsv(translator(c.get('lang')), rows), 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${name}"`,
    });
  });

  app.get('/officers/:officerId', requireRole('city', 'ward', 'officer'), query(PeriodQuery), async (c) => {
    const staff = c.get('staff');
    const p = z.strictObject({ officerId: OfficerId }).safeParse(c.req.param());
    if (!p.success) return c.json({ error: 'invalid officerId' }, 400);
    const lang = c.get('lang');
    const t = translator(lang);
    const record = await officerRecord(
      deps.db,
      p.data.officerId,
      periodOfDays(c.req.valid('query').days, now()),
    );
    if (!record)
      return c.html(
        layout({ lang, t, title: p.data.officerId, body: html`<p class="bad">404</p>`, staff }),
        404,
      );
    if (!canSeeOfficer(staff, record.officer)) return forbidden(c);
    return c.html(layout({ lang, t, title: record.officer.name, body: officerPage(lang, t, record), staff }));
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

  app.route('/devices', deviceRoutes(deps.db));
  app.route('/units', rosterRoutes(deps.db));

  // Who provisioned, revoked, changed settings, rosters and accounts: for the city only.
  app.get('/audit', requireRole('city'), async (c) => {
    const lang = c.get('lang');
    const t = translator(lang);
    const body = html`<h2>${t('audit')}</h2>${auditTable(t, await recentAudit(deps.db, 300))}`;
    return c.html(layout({ lang, t, title: t('audit'), body, staff: c.get('staff') }));
  });

  app.get('/api/units', leaders, query(PeriodQuery), async (c) => {
    const staff = c.get('staff');
    const rows = await compareUnits(deps.db, periodOfDays(c.req.valid('query').days, now()));
    return c.json(rows.filter((r) => canSeeUnit(staff, r.unitId)));
  });

  app.get('/api/units/:unitId/officers', leaders, query(PeriodQuery), async (c) => {
    const p = unitParam.safeParse(c.req.param());
    if (!p.success) return c.json({ error: 'invalid unitId' }, 400);
    if (!canSeeUnit(c.get('staff'), p.data.unitId)) return forbidden(c);
    return c.json(
      await officerSummaries(deps.db, p.data.unitId, periodOfDays(c.req.valid('query').days, now())),
    );
  });

  app.get('/api/devices', anyone, async (c) => c.json(await devicesOf(c.get('staff'))));
  app.get('/api/alerts', anyone, async (c) => c.json(await openAlerts(deps.db, scopeOf(c.get('staff')))));

  app.get('/api/live', leaders, query(LiveQuery), (c) => {
    const staff = c.get('staff')!;
    const asked = c.req.valid('query').unit;
    if (asked && !canSeeUnit(staff, asked)) return forbidden(c);
    // A ward leader's stream is always narrowed to the ward's own unit.
    const unit = staff.role === 'ward' ? (staff.unitId ?? '') : asked;
    const lang = c.get('lang');
    return streamSSE(c, async (stream) => {
      const queue: string[] = [];
      let wake: (() => void) | null = null;
      const unsubscribe = deps.feed.subscribe((r) => {
        if (unit && r.unitId !== unit) return;
        void Promise.resolve(ratingRow(lang, r)).then((h) => {
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

function periodNav(t: ReturnType<typeof translator>, days: number) {
  const link = (d: number, label: string) =>
    d === days ? html`<b>${label}</b> ` : html`<a href="?days=${d}">${label}</a> `;
  return html`<nav class="period" aria-label="${t('period')}">${link(1, t('today'))}${link(7, t('last7'))}${link(30, t('last30'))}</nav>`;
}
