import { LANGS, UnitId } from '@onestop/protocol';
import { compareUnitsOver, type Database, openAlerts, unitDevices, unitTables } from '@onestop/store';
import { Hono } from 'hono';
import { z } from 'zod';
import type { DashboardEnv } from '../access/env.js';
import { requireRole, unitScope } from '../access/scope.js';
import { canSeeUnit } from '../auth/access.js';
import { forbidden } from '../errors/answer.js';
import { translator } from '../i18n.js';
import { unitJudgement, withUncounted } from '../judgement/data.js';
import type { LiveRatingFeed } from '../live/feed.js';
import { streamEvents } from '../live/sse.js';
import { ratingRowHtml } from '../pages/unit.js';
import { periodJson, ReportQuery, reportPeriods, storeSpan, withPeriods } from '../period.js';
import { query } from '../validate.js';

type Env = DashboardEnv;

const LiveQuery = z.strictObject({ unit: UnitId.optional(), lang: z.enum(LANGS).optional() });

/** Technicians and the city watch every device; a ward leader watches the ward's own counters. */
export function deviceScopeOf(staff: Env['Variables']['staff']): string | null {
  return staff?.role === 'ward' ? (staff.unitId ?? null) : null;
}

/**
 * JSON for integrators (a stable contract): one object per unit or officer, each with the
 * `period` it covers ({kind, from, to}, inclusive Vietnam dates) and `previous`, the same object
 * for the previous comparable period (null: nothing recorded for it then). Mounted at `/api`.
 * The query is checked before the unit (`unitScope`), as it always was: a bad period is 400
 * whoever asks.
 */
export function apiRoutes(deps: { db: Database; feed: LiveRatingFeed; now: () => Date }) {
  const { db } = deps;
  const app = new Hono<Env>();
  const leaders = requireRole('city', 'ward');
  const anyone = requireRole('city', 'ward', 'technician');
  const scoped = unitScope(db);
  const periodsOf = (q: z.output<typeof ReportQuery>) => reportPeriods(q.period, deps.now());

  app.get('/units', leaders, query(ReportQuery), async (c) => {
    const staff = c.get('staff');
    const { period, previous } = periodsOf(c.req.valid('query'));
    const [rows, before] = await compareUnitsOver(db, [storeSpan(period), storeSpan(previous)]);
    const visible = rows.filter((r) => canSeeUnit(staff, r.unitId));
    return c.json(withPeriods(visible, before, (r) => r.unitId, { period, previous }));
  });

  app.get('/units/:unitId/officers', leaders, query(ReportQuery), scoped, async (c) => {
    const unitId = c.var.unit.id;
    const { period, previous } = periodsOf(c.req.valid('query'));
    const [[{ officers: rows }, { officers: before }], judged, judgedBefore] = await Promise.all([
      unitTables(db, unitId, [storeSpan(period), storeSpan(previous)]),
      unitJudgement(db, unitId, storeSpan(period)),
      unitJudgement(db, unitId, storeSpan(previous)),
    ]);
    return c.json(
      withPeriods(withUncounted(rows, judged), withUncounted(before, judgedBefore), (r) => r.officerId, {
        period,
        previous,
      }),
    );
  });

  // The unit's evaluation as one document: the period, the officers, and the previous period's.
  app.get('/units/:unitId/evaluation', leaders, query(ReportQuery), scoped, async (c) => {
    const unitId = c.var.unit.id;
    const { period, previous } = periodsOf(c.req.valid('query'));
    const [[{ officers }, { officers: before }], judged, judgedBefore] = await Promise.all([
      unitTables(db, unitId, [storeSpan(period), storeSpan(previous)]),
      unitJudgement(db, unitId, storeSpan(period)),
      unitJudgement(db, unitId, storeSpan(previous)),
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

  app.get('/devices', anyone, async (c) => c.json(await unitDevices(db, deviceScopeOf(c.get('staff')))));
  app.get('/alerts', anyone, async (c) => c.json(await openAlerts(db, deviceScopeOf(c.get('staff')))));

  app.get('/live', leaders, query(LiveQuery), (c) => {
    const staff = c.get('staff')!;
    const asked = c.req.valid('query').unit;
    if (asked && !canSeeUnit(staff, asked)) return forbidden(c, 'otherWard');
    // A ward leader's stream is always narrowed to the ward's own unit.
    const unit = staff.role === 'ward' ? (staff.unitId ?? '') : asked;
    const lang = c.get('lang');
    return streamEvents(c, (send) =>
      deps.feed.subscribe((r) => {
        if (unit && r.unitId !== unit) return;
        void ratingRowHtml(lang, translator(lang), r).then((data) => send({ event: 'rating', data }));
      }),
    );
  });

  return app;
}
