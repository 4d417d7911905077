import { recentAudit } from '@onestop/store';
import { Hono } from 'hono';
import type { DashboardEnv } from '../access/env.js';
import { requireRole } from '../access/scope.js';
import { translator } from '../i18n.js';
import { AuditTable } from '../pages/audit.js';
import { Layout, pageProps } from '../pages/layout.js';
import type { ReportDeps } from '../period.js';

/** The newest audit entries shown. */
const AUDIT_ROWS = 300;

/** Who provisioned, revoked, changed settings, rosters and accounts: for the city only. */
export function auditRoutes(deps: Pick<ReportDeps, 'db'>) {
  const app = new Hono<DashboardEnv>();
  app.get('/', requireRole('city'), async (c) => {
    const lang = c.get('lang');
    const t = translator(lang);
    const rows = await recentAudit(deps.db, AUDIT_ROWS);
    return c.html(
      <Layout {...pageProps(c, lang)} lang={lang} t={t} title={t('audit')} staff={c.get('staff')}>
        <h2>{t('audit')}</h2>
        <AuditTable lang={lang} t={t} rows={rows} />
      </Layout>,
    );
  });
  return app;
}
