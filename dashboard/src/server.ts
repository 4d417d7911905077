import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Database, Notifications } from '@onestop/store';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { createDashboardApp, type PartsHealth } from './app.js';
import { parseTrustedProxies } from './auth/client-address.js';
import { AlertHookWorker } from './devices/alerts/hook-worker.js';
import { LiveRatingFeed } from './live/feed.js';
import type { PairingEndpoint } from './pairing/claim.js';
import { PdfRenderer } from './reports/pdf.js';

export interface DashboardOptions {
  db: Database;
  /** Where the live feed hears of stored events (the store's). */
  notifications: Notifications;
  registry: Registry;
  logger: Logger;
  port: number;
  host?: string;
  /** Health of parts running beside the dashboard, added to its `/healthz`. */
  health?: () => PartsHealth;
  /** Reverse proxies trusted for `X-Forwarded-For`; default `ONESTOP_TRUSTED_PROXIES` (comma-separated). */
  trustedProxies?: readonly string[];
  /** Where boards claiming a pairing code are sent (broker URLs, CA). */
  pairing?: PairingEndpoint;
  /** Where release bundles are kept; default `ONESTOP_RELEASES_DIR`; neither: no uploads. */
  releasesDir?: string;
}

export interface RunningDashboard {
  port: number;
  url: string;
  close(): Promise<void>;
}

export async function startDashboard(opts: DashboardOptions): Promise<RunningDashboard> {
  const feed = new LiveRatingFeed(opts, opts.logger.child({ part: 'live-feed' }));
  // Chromium is launched on the first PDF and closed with the dashboard.
  const pdf = new PdfRenderer();
  // Off unless the operator says so: a unit's hook must not reach the centre's own services.
  const allowInternalHooks = process.env.ONESTOP_ALERT_HOOKS_ALLOW_INTERNAL === '1';
  const hooks = new AlertHookWorker({
    db: opts.db,
    notifications: opts.notifications,
    registry: opts.registry,
    logger: opts.logger.child({ part: 'alert-hooks' }),
    allowInternal: allowInternalHooks,
  });
  const app = createDashboardApp({
    allowInternalHooks,
    notifications: opts.notifications,
    pdf,
    db: opts.db,
    registry: opts.registry,
    logger: opts.logger,
    feed,
    health: opts.health,
    ...(opts.pairing ? { pairing: opts.pairing } : {}),
    releasesDir: opts.releasesDir ?? (process.env.ONESTOP_RELEASES_DIR || undefined),
    // Set when a reverse proxy serves the dashboard over HTTPS (the request URLs here are http).
    secureCookies: process.env.ONESTOP_SECURE_COOKIES === '1',
    trustedProxies: opts.trustedProxies ?? parseTrustedProxies(process.env.ONESTOP_TRUSTED_PROXIES),
  });
  const server = createAdaptorServer({ fetch: app.fetch });
  const host = opts.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => resolve());
  });
  feed.start();
  hooks.start();
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  opts.logger.info({ url }, 'dashboard listening');
  return {
    port,
    url,
    close: () =>
      new Promise<void>((resolve) => {
        feed.stop();
        // SSE streams stay open forever: cut them so that close() returns.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      })
        .then(() => hooks.stop())
        .then(() => pdf.close()),
  };
}
