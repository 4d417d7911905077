import { LANGS, UnitId } from '@onestop/protocol';
import { type Database, FLEET_STATUSES, fleetSummary } from '@onestop/store';
import { Hono } from 'hono';
import { z } from 'zod';
import type { DashboardEnv } from '../../access/env.js';
import { requireRole } from '../../access/scope.js';
import type { Viewer } from '../../auth/access.js';
import { translator } from '../../i18n.js';
import { streamEvents } from '../../live/sse.js';
import { query } from '../../validate.js';
import type { FleetFeed } from './feed.js';
import { type FleetQuery, FleetSummaryBlock } from './summary.js';

/** An empty select is "any": the filter form sends `unit=` when nothing is chosen. */
const blankIsAny = (v: unknown) => (v === '' ? undefined : v);
/** The fleet filter of the devices page, its summary fragment and its live stream. */
export const FleetFilterQuery = z.object({
  unit: z.preprocess(blankIsAny, UnitId.optional()),
  status: z.preprocess(blankIsAny, z.enum(FLEET_STATUSES).optional()),
  version: z.preprocess(blankIsAny, z.string().max(40).optional()),
  lang: z.enum(LANGS).optional(),
});

/** A ward leader's fleet is their unit's, whatever the query asks; others choose. */
export function fleetScope(staff: Viewer | null, q: FleetQuery): string | null {
  if (staff?.role === 'ward') return staff.unitId ?? '';
  return q.unit ?? null;
}

/**
 * `/devices/fleet/summary`: the summary block alone, re-fetched by the page; `/devices/fleet/live`:
 * an event stream that says `changed` when the database signals a change in the asker's scope.
 */
export function fleetRoutes(db: Database, feed: FleetFeed | null) {
  const app = new Hono<DashboardEnv>();
  const anyone = requireRole('city', 'ward', 'technician');
  const strict = query(FleetFilterQuery.strict());

  app.get('/summary', anyone, strict, async (c) => {
    const q = c.req.valid('query');
    const unitId = fleetScope(c.get('staff'), q);
    const summary = await fleetSummary(db, { unitId, status: q.status, version: q.version });
    return c.html(
      <FleetSummaryBlock
        t={translator(c.get('lang'))}
        summary={summary}
        q={{ ...q, unit: unitId ?? undefined }}
      />,
    );
  });

  app.get('/live', anyone, strict, (c) => {
    if (!feed) return c.text('live updates are not running here', 503);
    const unitId = fleetScope(c.get('staff'), c.req.valid('query'));
    // One `changed` per signal in scope: the page re-fetches once per burst anyway.
    return streamEvents(c, (send) =>
      feed.subscribe((units) => {
        if (unitId && units && !units.includes(unitId)) return;
        send({ event: 'changed', data: '' });
      }),
    );
  });

  return app;
}
