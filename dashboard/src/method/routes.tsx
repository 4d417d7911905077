import { DEFAULT_UNIT_SETTINGS } from '@onestop/evaluation';
import { LANGS, UnitId } from '@onestop/protocol';
import { type Database, findUnit, getUnitSettings, StoreInputError } from '@onestop/store';
import { Hono } from 'hono';
import { z } from 'zod';
import type { DashboardEnv } from '../access/env.js';
import { requireRole } from '../access/scope.js';
import { canSeeUnit } from '../auth/access.js';
import { forbidden, notFound } from '../errors/answer.js';
import { translator } from '../i18n.js';
import { Layout, pageProps } from '../pages/layout.js';
import { query } from '../validate.js';
import { MethodPage } from './page.js';

type Env = DashboardEnv;

/**
 * "Cách tính" (`?lang=en`: how figures are computed), for everyone who sees any figure.
 * `?unit=U` shows the misuse filters with that unit's thresholds, to those who belong to it
 * (its leaders and officers) and the city; without it, the defaults.
 */
const MethodQuery = z.strictObject({ unit: UnitId.optional(), lang: z.enum(LANGS).optional() });

export function methodRoutes(db: Database) {
  const app = new Hono<Env>();
  app.get('/', requireRole('city', 'ward', 'technician', 'officer'), query(MethodQuery), async (c) => {
    const lang = c.get('lang');
    const t = translator(lang);
    const staff = c.get('staff');
    let rules = { unitName: null as string | null, settings: DEFAULT_UNIT_SETTINGS };
    const asked = c.req.valid('query').unit;
    if (asked !== undefined) {
      // Not `unitScope`: officers of the unit may see its thresholds too (`staff.unitId`).
      if (!canSeeUnit(staff, asked) && staff?.unitId !== asked) return forbidden(c, 'otherWard');
      const unit = await findUnit(db, asked);
      if (!unit) return notFound(c, { error: 'unknown unit', unitId: asked });
      // A stored document that no longer validates: the judge applies the defaults meanwhile.
      const settings = await getUnitSettings(db, unit.id).catch((err: unknown) => {
        if (err instanceof StoreInputError) return DEFAULT_UNIT_SETTINGS;
        throw err;
      });
      rules = { unitName: unit.name, settings };
    }
    // The language switch keeps the unit shown (`pageProps` keeps the whole query).
    return c.html(
      <Layout {...pageProps(c, lang)} lang={lang} t={t} title={t('method')} staff={staff}>
        <MethodPage lang={lang} t={t} rules={rules} />
      </Layout>,
    );
  });
  return app;
}
