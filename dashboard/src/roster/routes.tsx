import { OfficerId, UnitId } from '@onestop/protocol';
import {
  type Database,
  findUnit,
  retireOfficer,
  StoreInputError,
  saveOfficer,
  unitRoster,
} from '@onestop/store';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { html } from 'hono/html';
import type { DashboardEnv } from '../access/env.js';
import { requireRole } from '../access/scope.js';
import { type AuthEnv, canSeeUnit } from '../auth/access.js';
import { forbidden, notFound } from '../errors/answer.js';
import { type Lang, translator } from '../i18n.js';
import { layout } from '../pages/layout.js';

type Env = DashboardEnv;

/**
 * The unit's officers (name, badge) as ward leaders keep them: what the counters show on the
 * kiosk and how their badge readers know who signed in. Saving sends it to the unit's devices.
 */
export function rosterRoutes(db: Database) {
  const app = new Hono<Env>();
  const leaders = requireRole('city', 'ward');
  const limit = bodyLimit({ maxSize: 8 * 1024, onError: (c) => c.json({ error: 'form too large' }, 413) });

  const page = async (c: Context<Env>, unitId: string, notice?: { ok: boolean; text: string }) => {
    const staff = c.get('staff');
    const lang = c.get('lang');
    const t = translator(lang);
    const unit = await findUnit(db, unitId);
    if (!unit || !canSeeUnit(staff, unitId)) return notFound(c);
    const roster = await unitRoster(db, unitId);
    const input = (name: string, label: string, extra = '') =>
      html`<p><label>${label}<br><input name="${name}" ${extra} style="font-size:1rem;min-width:20rem"></label></p>`;
    const body = html`<h2>${t('roster')} <small class="muted">${unit.name}</small></h2>
${notice ? html`<p class="${notice.ok ? 'ok' : 'bad'}" role="status" data-testid="notice">${notice.text}</p>` : ''}
<table data-testid="roster"><thead><tr><th>${t('officerId')}</th><th>${t('officer')}</th><th>${t('badge')}</th><th></th></tr></thead>
<tbody>${roster.map(
      (
        o,
      ) => html`<tr><td data-label="${t('officerId')}">${o.id}</td><td data-label="${t('officer')}">${o.name}</td><td data-label="${t('badge')}">${o.badge ?? '–'}</td>
<td><form method="post" action="/units/${unitId}/roster/${o.id}/retire" style="margin:0" data-confirm="${t('retireConfirm')} ${o.name}?"><button type="submit">${t('retire')}</button></form></td></tr>`,
    )}</tbody></table>
<h3>${t('addOrUpdateOfficer')}</h3>
<form method="post" action="/units/${unitId}/roster">
${input('officerId', t('officerId'), 'required maxlength="64" pattern="[A-Za-z0-9][A-Za-z0-9._-]*"')}
${input('name', t('officer'), 'required maxlength="80"')}
${input('badge', t('badge'), 'maxlength="64"')}
<p><button type="submit">${t('save')}</button></p></form>
<p class="note">${t('rosterNote')}</p>`;
    // Retiring someone takes them off every counter of the unit: ask once more.
    const script = `document.querySelectorAll('form[data-confirm]').forEach((f) => f.addEventListener('submit', (e) => { if (!confirm(f.dataset.confirm)) e.preventDefault(); }));`;
    return c.html(
      layout({ lang, t, title: t('roster'), body, staff, script }),
      notice && !notice.ok ? 400 : 200,
    );
  };

  const unitOf = (c: Context<Env>) => {
    const u = UnitId.safeParse(c.req.param('unitId'));
    return u.success && canSeeUnit(c.get('staff'), u.data) ? u.data : null;
  };
  const actor = (c: Context<Env>) => `dashboard:${c.get('staff')?.username}`;

  app.get('/:unitId/roster', leaders, async (c) => {
    const unitId = unitOf(c);
    return unitId ? page(c, unitId) : forbidden(c, 'otherWard');
  });

  app.post('/:unitId/roster', leaders, limit, async (c) => {
    const unitId = unitOf(c);
    if (!unitId) return forbidden(c, 'otherWard');
    const f = await c.req.parseBody();
    try {
      const o = await saveOfficer(db, {
        unitId,
        officerId: String(f.officerId ?? ''),
        name: String(f.name ?? ''),
        badge: String(f.badge ?? ''),
        actor: actor(c),
        transferFromOtherUnit: c.get('staff')?.role === 'city',
      });
      const t = translator(c.get('lang'));
      const onFile = o.countersOnFileSettings > 0 ? ` ${t('rosterOnFile')}: ${o.countersOnFileSettings}` : '';
      return page(c, unitId, { ok: true, text: `${t('savedOfficer')}: ${o.name}.${onFile}` });
    } catch (err) {
      if (err instanceof StoreInputError) return page(c, unitId, { ok: false, text: err.message });
      throw err;
    }
  });

  app.post('/:unitId/roster/:officerId/retire', leaders, async (c) => {
    const unitId = unitOf(c);
    const officer = OfficerId.safeParse(c.req.param('officerId'));
    if (!unitId || !officer.success) return forbidden(c, 'otherWard');
    // Only an officer of this unit: the roster lookup keeps a ward inside its own unit.
    if (!(await unitRoster(db, unitId)).some((o) => o.id === officer.data))
      return page(c, unitId, { ok: false, text: `${officer.data}: 404` });
    await retireOfficer(db, officer.data, actor(c));
    return c.redirect(`/units/${unitId}/roster`, 303);
  });

  return app;
}
