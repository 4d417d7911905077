import { COMMAND_NAMES, DeviceId } from '@onestop/protocol';
import {
  type Database,
  type DeviceCommand,
  deviceDetail,
  getDeviceConfig,
  openAlerts,
  quarantineCounts,
  quarantinedEvents,
  recentCommands,
  requestCommand,
  StoreInputError,
  setDeviceConfig,
  unitDevices,
} from '@onestop/store';
import { type Context, Hono } from 'hono';
import { html } from 'hono/html';
import { z } from 'zod';
import type { DashboardEnv } from '../access/env.js';
import { requireRole } from '../access/scope.js';
import { canSeeUnit } from '../auth/access.js';
import { formLimit, notFound } from '../errors/answer.js';
import { type Translate, translator } from '../i18n.js';
import { alertsTable, devicesTable, quarantineTable } from '../pages/devices.js';
import { layout } from '../pages/layout.js';
import { formatVietnamTime } from '../period.js';
import { form, params } from '../validate.js';

type Env = DashboardEnv;

/** City and technicians see every device; a ward leader only the ward's own. */
function maySee(staff: Env['Variables']['staff'], unitId: string): boolean {
  return staff?.role === 'technician' || canSeeUnit(staff, unitId);
}

/** Quarantined events listed on the devices page: the latest, enough to see a pattern. */
const QUARANTINE_LISTED = 50;

/**
 * The devices overview: open alerts, the devices with their quarantined-event counts, and the
 * latest quarantined events. `unitId` narrows everything to one ward (a ward leader's scope).
 */
export async function devicesOverview(db: Database, unitId: string | null, t: Translate) {
  const [rows, open, counts, quarantined] = await Promise.all([
    unitDevices(db, unitId),
    openAlerts(db, unitId),
    quarantineCounts(db, unitId),
    quarantinedEvents(db, { unitId, limit: QUARANTINE_LISTED }),
  ]);
  return html`<h2>${t('devices')}</h2><h3>${t('openAlerts')}</h3>${alertsTable(t, open)}
<h3>${t('devices')}</h3>${devicesTable(t, rows, counts)}
<h3>${t('quarantinedEvents')}</h3>${quarantineTable(t, quarantined)}`;
}

/** Technicians (and the city) change settings; ward leaders look. */
const mayEdit = (staff: Env['Variables']['staff']) => staff?.role === 'technician' || staff?.role === 'city';

const deviceParam = params(z.strictObject({ deviceId: DeviceId }));
/** The command's name is checked against COMMAND_NAMES by the store, which says which exist. */
const CommandForm = z.object({ name: z.string().max(64).default('') });
/** The settings document as typed; its JSON and its fields are checked where it is saved. */
const ConfigForm = z.object({ settings: z.string().default('') });

export function deviceRoutes(db: Database) {
  const app = new Hono<Env>();
  const anyone = requireRole('city', 'ward', 'technician');

  const page = async (c: Context<Env>, deviceId: string, notice?: { ok: boolean; text: string }) => {
    const staff = c.get('staff');
    const lang = c.get('lang');
    const t = translator(lang);
    const device = await deviceDetail(db, deviceId);
    if (!device || !maySee(staff, device.unitId)) return notFound(c);
    const stored = await getDeviceConfig(db, deviceId);
    const json = (v: unknown) => JSON.stringify(v ?? null, null, 2);
    const body = html`<h2>${t('device')} ${device.id} <small class="muted">${device.unitId} · ${t('counter')} ${device.counterId}</small></h2>
${notice ? html`<p class="${notice.ok ? 'ok' : 'bad'}" role="status" data-testid="notice">${notice.text}</p>` : ''}
<table><tbody>
<tr><th>${t('status')}</th><td>${device.revokedAt ? t('revoked') : device.status}</td></tr>
<tr><th>${t('lastSeen')}</th><td>${device.lastSeenAt ? formatVietnamTime(device.lastSeenAt) : '–'}</td></tr>
<tr><th>Agent</th><td>${device.agentVersion ?? '–'}</td></tr>
<tr><th>${t('configVersion')}</th><td data-testid="versions">${t('desired')} ${stored?.version ?? '–'} · ${t('applied')} ${device.appliedConfigVersion ?? '–'}</td></tr>
</tbody></table>
<h3>${t('settings')}</h3>
${
  mayEdit(staff)
    ? html`<form method="post" action="/devices/${device.id}/config">
<textarea name="settings" rows="22" style="width:100%;font-family:monospace">${json(stored?.settings ?? {})}</textarea>
<p><button type="submit">${t('saveSettings')}</button> <span class="note">${t('settingsHelp')}</span></p></form>`
    : html`<pre>${json(stored?.settings ?? null)}</pre>`
}
<h3>${t('commands')}</h3>
${
  mayEdit(staff)
    ? html`<div style="display:flex;gap:.5rem;flex-wrap:wrap">${COMMAND_NAMES.map(
        (n) => html`<form method="post" action="/devices/${device.id}/commands" style="margin:0">
<input type="hidden" name="name" value="${n}"><button type="submit">${t(`cmd_${n}`)}</button></form>`,
      )}</div>`
    : ''
}
${commandsTable(t, await recentCommands(db, deviceId))}
<h3>Telemetry</h3><pre>${json(device.telemetry)}</pre>
<h3>Birth</h3><pre>${json(device.birth)}</pre>`;
    return c.html(layout({ lang, t, title: device.id, body, staff }), notice && !notice.ok ? 400 : 200);
  };

  app.get('/:deviceId', anyone, deviceParam, (c) => page(c, c.req.valid('param').deviceId));

  const editors = requireRole('city', 'technician');
  app.post('/:deviceId/commands', editors, formLimit(8 * 1024), deviceParam, form(CommandForm), async (c) => {
    const id = { data: c.req.valid('param').deviceId };
    const t = translator(c.get('lang'));
    try {
      const cmd = await requestCommand(db, {
        deviceId: id.data,
        name: c.req.valid('form').name,
        actor: `dashboard:${c.get('staff')?.username}`,
      });
      return page(c, id.data, { ok: true, text: `${t('commandQueued')}: ${cmd.name}` });
    } catch (err) {
      if (err instanceof StoreInputError) return page(c, id.data, { ok: false, text: err.message });
      throw err;
    }
  });

  app.post(
    '/:deviceId/config',
    editors,
    formLimit(64 * 1024, { error: 'settings too large' }),
    deviceParam,
    form(ConfigForm),
    async (c) => {
      const id = { data: c.req.valid('param').deviceId };
      const t = translator(c.get('lang'));
      let settings: unknown;
      try {
        settings = JSON.parse(c.req.valid('form').settings);
      } catch (err) {
        return page(c, id.data, { ok: false, text: `JSON: ${(err as Error).message}` });
      }
      try {
        const [stored] = await setDeviceConfig(db, {
          deviceId: id.data,
          settings,
          actor: `dashboard:${c.get('staff')?.username}`,
        });
        return page(c, id.data, { ok: true, text: `${t('savedVersion')} ${stored?.version}` });
      } catch (err) {
        if (err instanceof StoreInputError) return page(c, id.data, { ok: false, text: err.message });
        throw err;
      }
    },
  );

  return app;
}

function commandState(t: ReturnType<typeof translator>, c: DeviceCommand): string {
  if (c.answeredAt) return c.ok ? t('cmdOk') : t('cmdFailed');
  if (c.sentAt) return t('cmdSent');
  return c.expiresAt < new Date() ? t('cmdExpired') : t('cmdQueued');
}

function commandsTable(t: ReturnType<typeof translator>, rows: DeviceCommand[]) {
  if (rows.length === 0) return '';
  return html`<table data-testid="commands"><thead><tr><th>${t('time')}</th><th>${t('action')}</th><th>${t('actor')}</th>
<th>${t('status')}</th><th>${t('detail')}</th></tr></thead><tbody>${rows.map(
    (
      c,
    ) => html`<tr><td data-label="${t('time')}">${formatVietnamTime(c.requestedAt)}</td><td data-label="${t('action')}">${c.name}</td><td data-label="${t('actor')}">${c.requestedBy}</td>
<td class="${c.answeredAt && !c.ok ? 'bad' : c.ok ? 'ok' : ''}" data-label="${t('status')}">${commandState(t, c)}</td>
<td data-label="${t('detail')}">${c.error ?? (c.result ? JSON.stringify(c.result) : '')}</td></tr>`,
  )}</tbody></table>`;
}
