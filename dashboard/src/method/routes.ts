import { DEFAULT_UNIT_SETTINGS } from '@onestop/evaluation';
import { UnitId } from '@onestop/protocol';
import { type Database, findUnit, getUnitSettings, StoreInputError } from '@onestop/store';
import { Hono } from 'hono';
import type { DashboardEnv } from '../access/env.js';
import { requireRole } from '../access/scope.js';
import { type AuthEnv, canSeeUnit } from '../auth/access.js';
import { badRequest, forbidden, notFound } from '../errors/answer.js';
import { type Lang, translator } from '../i18n.js';
import { layout } from '../pages/layout.js';
import { methodPage } from './page.js';

type Env = DashboardEnv;

/**
 * "Cách tính" (`?lang=en`: how figures are computed), for everyone who sees any figure.
 * `?unit=U` shows the misuse filters with that unit's thresholds, to those who belong to it
 * (its leaders and officers) and the city; without it, the defaults.
 */
export function methodRoutes(db: Database) {
  const app = new Hono<Env>();
  app.get('/', requireRole('city', 'ward', 'technician', 'officer'), async (c) => {
    const lang = c.get('lang');
    const t = translator(lang);
    const staff = c.get('staff');
    let rules = { unitName: null as string | null, settings: DEFAULT_UNIT_SETTINGS };
    const asked = c.req.query('unit');
    if (asked !== undefined) {
      const unitId = UnitId.safeParse(asked);
      if (!unitId.success) return badRequest(c, { error: 'invalid unit', field: 'unit' });
      if (!canSeeUnit(staff, unitId.data) && staff?.unitId !== unitId.data) return forbidden(c, 'otherWard');
      const unit = await findUnit(db, unitId.data);
      if (!unit) return notFound(c, { error: 'unknown unit', unitId: unitId.data });
      // A stored document that no longer validates: the judge applies the defaults meanwhile.
      const settings = await getUnitSettings(db, unit.id).catch((err: unknown) => {
        if (err instanceof StoreInputError) return DEFAULT_UNIT_SETTINGS;
        throw err;
      });
      rules = { unitName: unit.name, settings };
    }
    const body = methodPage(lang, t, rules);
    // The language switch keeps the unit shown.
    const periodSearch = asked === undefined ? undefined : `unit=${encodeURIComponent(asked)}`;
    return c.html(layout({ lang, t, title: t('method'), body, staff, periodSearch }));
  });
  return app;
}
