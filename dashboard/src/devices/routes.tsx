import { DeviceId, describeIssues, LANGS } from '@onestop/protocol';
import {
  type Database,
  deviceDetail,
  getDeviceConfig,
  openAlerts,
  quarantineCounts,
  quarantinedEvents,
  recentCommands,
  requestCommand,
  StoreInputError,
  setDeviceConfig,
  unitDevicesPage,
} from '@onestop/store';
import { type Context, Hono } from 'hono';
import { html } from 'hono/html';
import { validator } from 'hono/validator';
import { z } from 'zod';
import type { DashboardEnv } from '../access/env.js';
import { requireRole } from '../access/scope.js';
import { deviceScopeOf } from '../api/routes.js';
import { canSeeUnit } from '../auth/access.js';
import { badRequest, formLimit, notFound } from '../errors/answer.js';
import { type Translate, translator } from '../i18n.js';
import { alertsTable, devicesTable, quarantineTable } from '../pages/devices.js';
import { layout } from '../pages/layout.js';
import { PageNumber, pager, pageWindow } from '../pages/pager.js';
import { form, params } from '../validate.js';
import { DevicePage } from './page.js';

type Env = DashboardEnv;

/** City and technicians see every device; a ward leader only the ward's own. */
function maySee(staff: Env['Variables']['staff'], unitId: string): boolean {
  return staff?.role === 'technician' || canSeeUnit(staff, unitId);
}

/** Quarantined events listed on the devices page: the latest, enough to see a pattern. */
const QUARANTINE_LISTED = 50;

/** Devices per page of the list: a ward has a handful, the city about a thousand. */
export const DEVICES_PAGE_SIZE = 50;

/** `page` of the devices list (and `lang`, read by the language switch): 400 naming the field. */
const DevicesQuery = z.strictObject({ page: PageNumber, lang: z.enum(LANGS).optional() });
const devicesQuery = validator('query', (value, c) => {
  const r = DevicesQuery.safeParse(value);
  if (!r.success) return badRequest(c, { error: 'invalid query', ...describeIssues(r.error) });
  return r.data;
});

/**
 * The devices overview: open alerts, one page of the devices with their quarantined-event
 * counts, and the latest quarantined events. `unitId` narrows everything to one ward (a ward
 * leader's scope).
 */
export async function devicesOverview(db: Database, unitId: string | null, page: number, t: Translate) {
  const window = pageWindow(page, DEVICES_PAGE_SIZE);
  const [listed, open, quarantined] = await Promise.all([
    unitDevicesPage(db, { unitId, ...window }),
    openAlerts(db, unitId),
    quarantinedEvents(db, { unitId, limit: QUARANTINE_LISTED }),
  ]);
  const counts = await quarantineCounts(
    db,
    unitId,
    listed.rows.map((d) => d.deviceId),
  );
  const pages = pager(t, {
    page,
    size: DEVICES_PAGE_SIZE,
    total: listed.total,
    shown: listed.rows.length,
    href: (n) => (n > 1 ? `/devices?page=${n}` : '/devices'),
    id: 'devices',
  });
  return html`<h2>${t('devices')}</h2><h3>${t('openAlerts')}</h3>${alertsTable(t, open)}
<h3>${t('devices')}</h3>${pages}${devicesTable(t, listed.rows, counts)}${pages}
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

  app.get('/', anyone, devicesQuery, async (c) => {
    const staff = c.get('staff');
    const lang = c.get('lang');
    const t = translator(lang);
    const overview = await devicesOverview(db, deviceScopeOf(staff), c.req.valid('query').page, t);
    const add = mayEdit(staff) ? html`<p><a href="/devices/add">${t('addDevice')}</a></p>` : '';
    const body = html`${add}${overview}`;
    return c.html(layout({ lang, t, title: t('devices'), body, staff }));
  });

  const page = async (c: Context<Env>, deviceId: string, notice?: { ok: boolean; text: string }) => {
    const staff = c.get('staff');
    const lang = c.get('lang');
    const t = translator(lang);
    const device = await deviceDetail(db, deviceId);
    if (!device || !maySee(staff, device.unitId)) return notFound(c);
    const stored = await getDeviceConfig(db, deviceId);
    const commands = await recentCommands(db, deviceId);
    const body = (
      <DevicePage
        t={t}
        device={device}
        stored={stored}
        commands={commands}
        editable={mayEdit(staff)}
        notice={notice}
      />
    );
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
