import { OfficerId, UnitId } from '@onestop/protocol';
import {
  BadgeClashError,
  type Database,
  retireOfficer,
  StoreInputError,
  saveOfficer,
  unitRoster,
} from '@onestop/store';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { DashboardEnv } from '../access/env.js';
import { requireRole, unitScope } from '../access/scope.js';
import { canSeeBadges } from '../auth/access.js';
import { formLimit } from '../errors/answer.js';
import { translator } from '../i18n.js';
import { layout } from '../pages/layout.js';
import { form, params } from '../validate.js';
import { type Notice, RosterPage } from './page.js';

type Env = DashboardEnv;

/** Blank fields arrive as ''; the store names what is missing in words (e.g. "name is required"). */
const Text = z.string().trim().max(200).default('');
const OfficerForm = z.object({ officerId: Text, name: Text, badge: Text });
const RetireParams = z.strictObject({ unitId: UnitId, officerId: OfficerId });

/**
 * The unit's officers (name, badge) as ward leaders keep them: what the counters show on the
 * kiosk and how their badge readers know who signed in. Saving sends it to the unit's devices.
 */
export function rosterRoutes(db: Database) {
  const app = new Hono<Env>();
  const leaders = requireRole('city', 'ward');
  const scoped = unitScope(db);

  const page = async (c: Context<Env>, notice?: Notice, status?: 403) => {
    const staff = c.get('staff');
    const lang = c.get('lang');
    const t = translator(lang);
    const unit = c.var.unit;
    const roster = await unitRoster(db, unit.id);
    const body = (
      <RosterPage t={t} unit={unit} roster={roster} notice={notice} badges={canSeeBadges(staff, unit.id)} />
    );
    return c.html(
      layout({ lang, t, title: t('roster'), body, staff }),
      status ?? (notice && !notice.ok ? 400 : 200),
    );
  };
  const actor = (c: Context<Env>) => `dashboard:${c.get('staff')?.username}`;

  app.get('/:unitId/roster', leaders, scoped, (c) => page(c));

  app.post('/:unitId/roster', leaders, formLimit(8 * 1024), scoped, form(OfficerForm), async (c) => {
    const { badge, ...f } = c.req.valid('form');
    const t = translator(c.get('lang'));
    // Who may not see badges gets no badge field: a blank one leaves the badge as it is (it used
    // to erase it on every rename), and a badge they post is a forged form.
    const badges = canSeeBadges(c.get('staff'), c.var.unit.id);
    if (!badges && badge !== '') return page(c, { ok: false, text: t('badgeNotYours') }, 403);
    try {
      const o = await saveOfficer(db, {
        unitId: c.var.unit.id,
        ...f,
        ...(badges ? { badge } : {}),
        actor: actor(c),
        transferFromOtherUnit: c.get('staff')?.role === 'city',
      });
      const onFile = o.countersOnFileSettings > 0 ? ` ${t('rosterOnFile')}: ${o.countersOnFileSettings}` : '';
      return page(c, { ok: true, text: `${t('savedOfficer')}: ${o.name}.${onFile}` });
    } catch (err) {
      // Neither the badge nor the officer holding it, to a viewer who may not see badges.
      if (err instanceof BadgeClashError && !badges) return page(c, { ok: false, text: t('badgeTaken') });
      if (err instanceof StoreInputError) return page(c, { ok: false, text: err.message });
      throw err;
    }
  });

  app.post('/:unitId/roster/:officerId/retire', leaders, scoped, params(RetireParams), async (c) => {
    const { unitId, officerId } = c.req.valid('param');
    // Only an officer of this unit: the roster lookup keeps a ward inside its own unit.
    if (!(await unitRoster(db, unitId)).some((o) => o.id === officerId))
      return page(c, { ok: false, text: `${officerId}: 404` });
    await retireOfficer(db, officerId, actor(c));
    return c.redirect(`/units/${unitId}/roster`, 303);
  });

  return app;
}
