import type { Database, Notifications } from '@onestop/store';
import { Hono } from 'hono';
import { contextStorage } from 'hono/context-storage';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { DashboardEnv } from './access/env.js';
import { apiRoutes } from './api/routes.js';
import { assetRoutes } from './assets/routes.js';
import { auditRoutes } from './audit/routes.js';
import { identify } from './auth/access.js';
import { resolveClientAddress } from './auth/client-address.js';
import { authRoutes } from './auth/routes.js';
import { cityRoutes } from './city/routes.js';
import { commentFollowUpRoutes } from './comments/follow-up.js';
import { type CommentLimits, commentRoutes } from './comments/routes.js';
import { FleetFeed } from './devices/fleet/feed.js';
import { releaseConsoleRoutes } from './devices/releases/routes.js';
import { deviceRoutes } from './devices/routes.js';
import { drillRoutes } from './drill/routes.js';
import {
  badRequest,
  isMalformedForm,
  notFound,
  sameOriginPosts,
  serverError,
  wantsJson,
} from './errors/answer.js';
import { judgementRoutes } from './judgement/routes.js';
import { language } from './language/middleware.js';
import type { LiveRatingFeed } from './live/feed.js';
import { methodRoutes } from './method/routes.js';
import { registerAlertGauge, registerChartCounter } from './metrics.js';
import { officerRoutes } from './officer/routes.js';
import { addDeviceRoutes, pairInstructionRoutes } from './pairing/add-routes.js';
import { type PairingEndpoint, pairingClaimRoutes } from './pairing/claim.js';
import { releaseDownloadRoutes } from './releases/download.js';
import { releaseUploadRoutes } from './releases/upload.js';
import { PdfRenderer } from './reports/pdf.js';
import { reportRoutes } from './reports/routes.js';
import { rosterRoutes } from './roster/routes.js';
import { searchRoutes } from './search/routes.js';
import { headWithoutBody } from './security/head.js';
import { dashboardSecureHeaders } from './security/headers.js';
import { unitRoutes } from './unit/routes.js';
import { userRoutes } from './users/routes.js';

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
  /** Where the devices page hears of fleet changes (the store's); without it, no live summary. */
  notifications?: Notifications;
  /** Units' alert webhooks may point at the centre's own loopback (a relay on the same host). */
  allowInternalHooks?: boolean;
  /** Where paired boards are sent (broker URLs, CA); without it a claim answers 503. */
  pairing?: PairingEndpoint;
  /** Refused pairing claims allowed from one address per 15 minutes (default 10). */
  maxPairingFailures?: number;
  /** Where release bundles are kept (`<data>/releases`); without it, uploads answer 503. */
  releasesDir?: string;
  /** The largest release bundle accepted (default 1 GiB). */
  maxReleaseBytes?: number;
}

/** Not ok makes `/healthz` answer 503; the rest goes into its body. */
export type PartsHealth = { ok: boolean; reason?: string; [detail: string]: unknown };

type Env = DashboardEnv;

export function createDashboardApp(deps: DashboardDeps) {
  const now = deps.now ?? (() => new Date());
  const app = new Hono<Env>();
  registerAlertGauge(deps.registry, deps.db, deps.logger);
  registerChartCounter(deps.registry);

  // Cross-site form posts are refused (Origin must match); the usual hardening headers on all.
  // Context storage lets `layout()` find the request's CSP nonce for pages that do not pass it.
  app.use(contextStorage(), dashboardSecureHeaders(), headWithoutBody());
  app.use(resolveClientAddress(deps.trustedProxies ?? []));
  app.use(language());
  // Cross-site form posts are refused (Origin must match), in the asker's language.
  app.use(sameOriginPosts());

  app.onError((err, c) => {
    // Middleware refusals (CSRF, body limit) are answers, not failures.
    if (err instanceof HTTPException) return err.getResponse();
    // A form whose body is not the multipart or URL-encoded data its Content-Type claims: the
    // asker's mistake wherever a route reads the form, so answered here once, for every route.
    if (isMalformedForm(err)) return badRequest(c, { error: 'malformed form body', reason: 'malformed' });
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
  // A board claiming its pairing code has no account: the code is its proof (throttled).
  app.route(
    '/api/pair',
    pairingClaimRoutes({
      db: deps.db,
      endpoint: deps.pairing,
      logger: deps.logger,
      registry: deps.registry,
      maxFailures: deps.maxPairingFailures,
    }),
  );
  app.route('/pair', pairInstructionRoutes());
  // Boards authenticate with their MQTT credentials (HTTP Basic), not as staff: before `identify`.
  app.route(
    '/api/releases',
    releaseDownloadRoutes({ db: deps.db, logger: deps.logger, registry: deps.registry }),
  );
  app.use(identify(deps.db));
  // What a signed-in person is shown (names, ratings, citizens' contacts) stays out of shared
  // and browser caches, unless the route said otherwise.
  app.use(async (c, next) => {
    await next();
    if (c.get('staff') && !c.res.headers.has('cache-control')) c.header('cache-control', 'private, no-store');
  });
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

  app.route('/', cityRoutes({ db: deps.db, now }));
  app.route('/units', unitRoutes({ db: deps.db, now }));
  app.route('/officers', officerRoutes({ db: deps.db, now }));

  app.route('/cach-tinh', methodRoutes(deps.db));
  app.route('/', judgementRoutes({ db: deps.db, now }));
  const fleetFeed = deps.notifications ? new FleetFeed(deps.notifications, deps.logger) : null;
  // Before the device pages, whose `/devices/:deviceId` would take `add` for a device ID.
  app.route('/devices', addDeviceRoutes(deps.db));
  // Before `deviceRoutes`, whose `/:deviceId` would take `releases` or `rollouts` for a device ID.
  app.route('/devices', releaseConsoleRoutes(deps.db));
  app.route('/devices', deviceRoutes(deps.db, { allowInternalHooks: deps.allowInternalHooks, fleetFeed }));
  app.route('/units', rosterRoutes(deps.db));
  app.route('/units', commentFollowUpRoutes(deps.db));
  app.route('/', searchRoutes(deps.db));
  app.route('/', drillRoutes(deps.db, now));
  app.route('/', reportRoutes({ db: deps.db, now, pdf: deps.pdf ?? new PdfRenderer() }));

  app.route('/audit', auditRoutes(deps));
  app.route('/users', userRoutes(deps.db, { secureCookies: deps.secureCookies }));

  // JSON for integrators: a stable contract, under one module.
  app.route(
    '/api/releases',
    releaseUploadRoutes({
      db: deps.db,
      logger: deps.logger,
      registry: deps.registry,
      releasesDir: deps.releasesDir,
      maxBytes: deps.maxReleaseBytes,
    }),
  );
  app.route('/api', apiRoutes({ db: deps.db, feed: deps.feed, now }));

  return app;
}
