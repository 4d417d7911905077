import { randomBytes } from 'node:crypto';
import type { ServiceCredential } from './auth.js';

export const INGEST_USERNAME = 'svc-ingest';
export const DASHBOARD_USERNAME = 'svc-dashboard';

/**
 * All-in-one: fresh random service passwords at every start, never written anywhere. Split
 * deployment: every process reads the same ONESTOP_SERVICE_PASSWORD (and, if the dashboard
 * should not be able to act as the ingest, ONESTOP_DASHBOARD_PASSWORD).
 */
export function serviceCredentials(env: NodeJS.ProcessEnv = process.env): {
  ingest: ServiceCredential;
  dashboard: ServiceCredential;
  all: ServiceCredential[];
} {
  const ingestPw = env.ONESTOP_SERVICE_PASSWORD || randomBytes(24).toString('base64url');
  const dashboardPw =
    env.ONESTOP_DASHBOARD_PASSWORD || env.ONESTOP_SERVICE_PASSWORD || randomBytes(24).toString('base64url');
  const ingest: ServiceCredential = { username: INGEST_USERNAME, password: ingestPw, role: 'ingest' };
  const dashboard: ServiceCredential = {
    username: DASHBOARD_USERNAME,
    password: dashboardPw,
    role: 'dashboard',
  };
  return { ingest, dashboard, all: [ingest, dashboard] };
}
