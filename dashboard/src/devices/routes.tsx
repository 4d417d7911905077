import { CounterSettings, DeviceId, describeIssues } from '@onestop/protocol';
import {
  type Database,
  deviceDetail,
  fleetSummary,
  getDeviceConfig,
  listUnits,
  openAlerts,
  quarantineCounts,
  quarantinedEvents,
  recentCommands,
  requestCommand,
  StoreInputError,
  setDeviceConfig,
  telemetryHistory,
  unitDevicesPage,
  updateStatuses,
} from '@onestop/store';
import { type Context, Hono } from 'hono';
import { html } from 'hono/html';
import { validator } from 'hono/validator';
import { z } from 'zod';
import type { DashboardEnv } from '../access/env.js';
import { requireRole } from '../access/scope.js';
import { fleetLiveAsset } from '../assets/bundle.js';
import { canSeeBadges, canSeeUnit } from '../auth/access.js';
import { badRequest, formLimit, notFound } from '../errors/answer.js';
import { type Translate, translator } from '../i18n.js';
import { alertsTable, devicesTable, quarantineTable } from '../pages/devices.js';
import { Layout, layout, pageProps } from '../pages/layout.js';
import { PageNumber, pager, pageWindow } from '../pages/pager.js';
import { form, params } from '../validate.js';
import { type AlertRouteOptions, alertRoutes } from './alerts/routes.js';
import {
  CONFIRMED,
  type DeviceQuery,
  deviceQuery,
  isDisruptive,
  type Notice,
  noticeOf,
} from './console/actions.js';
import type { FleetFeed } from './fleet/feed.js';
import { FleetFilterQuery, fleetRoutes, fleetScope } from './fleet/routes.js';
import { FleetFilters, type FleetQuery, FleetSummaryBlock, fleetSearch } from './fleet/summary.js';
import { lifecycleRoutes } from './lifecycle/routes.js';
import { DevicePage } from './page.js';
import { explainIssues, type FormValues, readForm, SettingsForm, valuesOf } from './settings/form.js';
import { TELEMETRY_WINDOW_MS, telemetryCharts } from './telemetry/charts.js';

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
const DevicesQuery = FleetFilterQuery.extend({ page: PageNumber }).strict();
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
export async function devicesOverview(
  db: Database,
  unitId: string | null,
  page: number,
  t: Translate,
  fleet: { q: FleetQuery; units: ReadonlyArray<{ id: string; name: string }> | null } = {
    q: {},
    units: null,
  },
) {
  const window = pageWindow(page, DEVICES_PAGE_SIZE);
  const { status, version } = fleet.q;
  const [listed, open, quarantined, summary, versions] = await Promise.all([
    unitDevicesPage(db, { unitId, ...window, status, version }),
    openAlerts(db, unitId),
    quarantinedEvents(db, { unitId, limit: QUARANTINE_LISTED }),
    fleetSummary(db, { unitId, status, version }),
    // The version filter offers every version of the scope, not only of the filtered devices.
    fleetSummary(db, { unitId }).then((s) => s.versions.map((v) => v.version)),
  ]);
  const counts = await quarantineCounts(
    db,
    unitId,
    listed.rows.map((d) => d.deviceId),
  );
  const updates = await updateStatuses(
    db,
    listed.rows.map((d) => d.deviceId),
  );
  const pages = pager(t, {
    page,
    size: DEVICES_PAGE_SIZE,
    total: listed.total,
    shown: listed.rows.length,
    href: (n) => {
      const search = fleetSearch(fleet.q);
      return n > 1 ? `/devices${search || '?'}${search ? '&' : ''}page=${n}` : `/devices${search}`;
    },
    id: 'devices',
  });
  const top = (
    <>
      <FleetSummaryBlock t={t} summary={summary} q={fleet.q} />
      <FleetFilters t={t} q={fleet.q} units={fleet.units} versions={versions} />
    </>
  );
  return html`<h2>${t('devices')}</h2>${top}<h3>${t('openAlerts')}</h3>${alertsTable(t, open)}
<p><a href="/devices/alerts" data-testid="alerts-console">${t('alertsConsole')}</a> · <a href="/devices/releases" data-testid="releases-console">${t('releases')}</a></p>
<h3>${t('devices')}</h3>${pages}${devicesTable(t, listed.rows, counts, updates)}${pages}
<h3>${t('quarantinedEvents')}</h3>${quarantineTable(t, quarantined)}`;
}

/** Technicians (and the city) change settings; ward leaders look. */
const mayEdit = (staff: Env['Variables']['staff']) => staff?.role === 'technician' || staff?.role === 'city';

const deviceParam = params(z.strictObject({ deviceId: DeviceId }));
/** The command's name is checked against COMMAND_NAMES by the store, which says which exist. */
const CommandForm = z.object({ name: z.string().max(64).default(''), confirm: z.string().max(8).optional() });
/** The settings document as typed; its JSON and its fields are checked where it is saved. */
const ConfigForm = z.object({ settings: z.string().default('') });

export function deviceRoutes(db: Database, opts: AlertRouteOptions & { fleetFeed?: FleetFeed | null } = {}) {
  const app = new Hono<Env>();
  const anyone = requireRole('city', 'ward', 'technician');
  // Before `/:deviceId`, which would take `alerts` or `fleet` for a device ID.
  app.route('/alerts', alertRoutes(db, opts));
  app.route('/fleet', fleetRoutes(db, opts.fleetFeed ?? null));

  app.get('/', anyone, devicesQuery, async (c) => {
    const staff = c.get('staff');
    const lang = c.get('lang');
    const t = translator(lang);
    const q = c.req.valid('query');
    const unitId = fleetScope(staff, q);
    const units = staff?.role === 'ward' ? null : await listUnits(db);
    const fleetQ = {
      unit: staff?.role === 'ward' ? undefined : q.unit,
      status: q.status,
      version: q.version,
    };
    const overview = await devicesOverview(db, unitId, q.page, t, { q: fleetQ, units });
    const body = (
      <>
        {mayEdit(staff) && (
          <p>
            <a href="/devices/add">{t('addDevice')}</a>
          </p>
        )}
        {overview}
      </>
    );
    const modules = [(await fleetLiveAsset()).path];
    return c.html(
      <Layout {...pageProps(c, lang)} lang={lang} t={t} title={t('devices')} staff={staff} modules={modules}>
        {body}
      </Layout>,
    );
  });

  /** `asked`: the query of a GET, which may carry what a redirect after an action reports. */
  const page = async (
    c: Context<Env>,
    deviceId: string,
    notice?: Notice,
    asked?: DeviceQuery,
    typed?: { values: FormValues; errors: Record<string, string> },
  ) => {
    const staff = c.get('staff');
    const lang = c.get('lang');
    const t = translator(lang);
    const device = await deviceDetail(db, deviceId);
    if (!device || !maySee(staff, device.unitId)) return notFound(c);
    const stored = await getDeviceConfig(db, deviceId);
    if (asked) notice = await noticeOf(db, t, deviceId, asked, stored?.version);
    const commands = await recentCommands(db, deviceId);
    const history = await telemetryHistory(db, deviceId, new Date(Date.now() - TELEMETRY_WINDOW_MS));
    const body = (
      <DevicePage
        t={t}
        device={device}
        stored={stored}
        commands={commands}
        editable={mayEdit(staff)}
        lang={lang}
        badges={canSeeBadges(staff, device.unitId)}
        charts={telemetryCharts(t, history)}
        settingsForm={
          <SettingsForm
            t={t}
            action={`/devices/${deviceId}/settings`}
            values={typed?.values ?? valuesOf(stored?.settings ?? CounterSettings.parse({}))}
            errors={typed?.errors ?? {}}
          />
        }
        notice={notice}
      />
    );
    return c.html(layout({ lang, t, title: device.id, body, staff }), notice && !notice.ok ? 400 : 200);
  };

  app.get('/:deviceId', anyone, deviceParam, deviceQuery, (c) =>
    page(c, c.req.valid('param').deviceId, undefined, c.req.valid('query')),
  );
  // Replace, restore, rotate, revoke: their own folder (confirmation, POST-redirect-GET).
  app.route('/', lifecycleRoutes(db));

  const editors = requireRole('city', 'technician');
  app.post('/:deviceId/commands', editors, formLimit(8 * 1024), deviceParam, form(CommandForm), async (c) => {
    const id = { data: c.req.valid('param').deviceId };
    const t = translator(c.get('lang'));
    const { name, confirm } = c.req.valid('form');
    if (isDisruptive(name) && confirm !== CONFIRMED)
      return page(c, id.data, { ok: false, text: t('confirmNeeded') });
    try {
      const cmd = await requestCommand(db, {
        deviceId: id.data,
        name,
        actor: `dashboard:${c.get('staff')?.username}`,
      });
      // Post/redirect/get: a refresh of the page reloads it, never queues the command again.
      return c.redirect(`/devices/${id.data}?queued=${cmd.cmdId}`, 303);
    } catch (err) {
      if (err instanceof StoreInputError) return page(c, id.data, { ok: false, text: err.message });
      throw err;
    }
  });

  // The form generated from the settings schema: refused input is shown again with each field's
  // reason in the asker's language; a save redirects (303) so a refresh never saves again.
  app.post('/:deviceId/settings', editors, formLimit(64 * 1024), deviceParam, async (c) => {
    const id = c.req.valid('param').deviceId;
    const t = translator(c.get('lang'));
    const { typed, settings } = readForm(await c.req.parseBody());
    const checked = CounterSettings.safeParse(settings);
    if (!checked.success)
      return page(c, id, { ok: false, text: t('settingsRefused') }, undefined, {
        values: typed,
        errors: explainIssues(t, checked.error),
      });
    try {
      const [stored] = await setDeviceConfig(db, {
        deviceId: id,
        settings: checked.data,
        actor: `dashboard:${c.get('staff')?.username}`,
      });
      return c.redirect(`/devices/${id}?saved=${stored?.version}`, 303);
    } catch (err) {
      if (!(err instanceof StoreInputError)) throw err;
      const text = `${t('settingsStoreRefused')}: ${err.message}`;
      return page(c, id, { ok: false, text }, undefined, { values: typed, errors: {} });
    }
  });

  // The settings as one JSON document, for scripts; people use the form above.
  app.post(
    '/:deviceId/config',
    editors,
    formLimit(64 * 1024, { error: 'settings too large' }),
    deviceParam,
    form(ConfigForm),
    async (c) => {
      const id = { data: c.req.valid('param').deviceId };
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
        return c.redirect(`/devices/${id.data}?saved=${stored?.version}`, 303);
      } catch (err) {
        if (err instanceof StoreInputError) return page(c, id.data, { ok: false, text: err.message });
        throw err;
      }
    },
  );

  return app;
}
