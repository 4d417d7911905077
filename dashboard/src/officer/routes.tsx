import { OfficerId } from '@onestop/protocol';
import { officerRecord, officerSummaries } from '@onestop/store';
import { Hono } from 'hono';
import { z } from 'zod';
import type { DashboardEnv } from '../access/env.js';
import { requireRole } from '../access/scope.js';
import { officerRefusal } from '../auth/access.js';
import { officerExtras } from '../drill/officer-extras.js';
import { againstUnitTarget, unitTarget } from '../drill/target.js';
import { forbidden, notFound } from '../errors/answer.js';
import { translator } from '../i18n.js';
import { Layout, pageProps } from '../pages/layout.js';
import { OfficerPage } from '../pages/officer.js';
import { PeriodNav } from '../pages/period-nav.js';
import { type ReportDeps, ReportQuery, reportPeriods, storeSpan } from '../period.js';
import { params, query } from '../validate.js';

const OfficerParam = z.strictObject({ officerId: OfficerId });

/** 400 for an officer ID that cannot be one (a page on this HTML route). */
const officerParam = params(OfficerParam);

/**
 * One officer's record over a period. Officers see only their own; leaders those of units they
 * may see. The record is loaded before the check, since only it says which unit the officer is in.
 */
export function officerRoutes(deps: ReportDeps) {
  const app = new Hono<DashboardEnv>();
  app.get(
    '/:officerId',
    requireRole('city', 'ward', 'officer'),
    officerParam,
    query(ReportQuery),
    async (c) => {
      const staff = c.get('staff');
      const { officerId } = c.req.valid('param');
      const lang = c.get('lang');
      const t = translator(lang);
      const { period, previous, search, today } = reportPeriods(c.req.valid('query').period, deps.now());
      const record = await officerRecord(deps.db, officerId, storeSpan(period));
      const refusal = officerRefusal(staff, record?.officer ?? null);
      if (refusal === 'unknown') return notFound(c);
      if (refusal || !record) return forbidden(c, refusal ?? 'otherWard');
      const { unitId } = record.officer;
      // Only once allowed: the previous period's figure, the unit's target and the drill-down,
      // side by side (the drill-down waits for the target only, a one-row read).
      const target = unitTarget(deps.db, unitId);
      const [before, measured, extras] = await Promise.all([
        officerSummaries(deps.db, unitId, storeSpan(previous)),
        target.then((goal) => ({
          ...record,
          summary: record.summary && againstUnitTarget([record.summary], goal)[0]!,
          byHour: againstUnitTarget(record.byHour, goal),
        })),
        target.then((goal) =>
          officerExtras(
            deps.db,
            { lang, t, search, now: deps.now(), target: goal },
            record.officer,
            period,
            record.unitSummaries,
          ),
        ),
      ]);
      const nav = <PeriodNav lang={lang} t={t} period={period} today={today} />;
      return c.html(
        <Layout {...pageProps(c, lang)} lang={lang} t={t} title={record.officer.name} staff={staff}>
          <OfficerPage
            lang={lang}
            t={t}
            record={measured}
            nav={nav}
            search={search}
            previous={before.find((s) => s.officerId === officerId) ?? null}
          />
          {extras}
        </Layout>,
      );
    },
  );
  return app;
}
