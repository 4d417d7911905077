import { DeviceId, MAX_DRAIN_DAYS } from '@onestop/protocol';
import {
  type Database,
  deviceDetail,
  replaceDevice,
  restoreDevice,
  revokeDevice,
  rotateDevicePassword,
  StoreInputError,
} from '@onestop/store';
import { type Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { z } from 'zod';
import type { DashboardEnv } from '../../access/env.js';
import { requireRole } from '../../access/scope.js';
import { formLimit, notFound } from '../../errors/answer.js';
import { translator } from '../../i18n.js';
import { layout } from '../../pages/layout.js';
import { params } from '../../validate.js';
import { lifecycleText } from './messages.js';
import { OneTimeHandover } from './one-time.js';
import { ACTIONS, type Action, type ConfirmInput, ConfirmPage, DonePage } from './page.js';

type Env = DashboardEnv;

const actionParam = params(z.strictObject({ deviceId: DeviceId, action: z.enum(ACTIONS) }));
const tokenParam = params(z.strictObject({ deviceId: DeviceId, token: z.string().regex(/^[\w-]{24}$/) }));

/** What the confirmation form posts: `confirm=yes` proves it came through the confirmation step. */
const LifecycleForm = z.object({
  confirm: z.literal('yes'),
  newDeviceId: DeviceId.optional(),
  drainDays: z.coerce.number().int().min(0).max(MAX_DRAIN_DAYS).optional(),
});

/**
 * Replace, restore, rotate and revoke a device from its page: technicians and the city (ward
 * leaders look only). Each goes through a confirmation page, then POST-redirect-GET; a new
 * password travels from the POST to the one page that shows it through `OneTimeHandover`.
 */
export function lifecycleRoutes(db: Database, handover = new OneTimeHandover()) {
  const app = new Hono<Env>();
  const editors = requireRole('city', 'technician');
  const actor = (c: Context<Env>) => `dashboard:${c.get('staff')?.username}`;

  const render = (c: Context<Env>, title: string, body: Child, status: 200 | 400 = 200) => {
    const lang = c.get('lang');
    return c.html(layout({ lang, t: translator(lang), title, body, staff: c.get('staff') }), status, {
      'cache-control': 'no-store',
    });
  };

  const confirm = async (
    c: Context<Env>,
    deviceId: string,
    action: Action,
    input: ConfirmInput,
    error?: string,
  ) => {
    const device = await deviceDetail(db, deviceId);
    if (!device) return notFound(c);
    const l = lifecycleText(c.get('lang'));
    const body = <ConfirmPage l={l} device={device} action={action} input={input} error={error} />;
    return render(c, `${l(action)}: ${deviceId}`, body, error ? 400 : 200);
  };

  app.get('/:deviceId/lifecycle/:action', editors, actionParam, (c) => {
    const { deviceId, action } = c.req.valid('param');
    return confirm(c, deviceId, action, {});
  });

  app.post('/:deviceId/lifecycle/:action', editors, formLimit(4 * 1024), actionParam, async (c) => {
    const { deviceId, action } = c.req.valid('param');
    const raw = Object.fromEntries(
      Object.entries(await c.req.parseBody()).flatMap(([k, v]) =>
        typeof v === 'string' && v !== '' ? [[k, v]] : [],
      ),
    ) as Record<string, string>;
    const kept: ConfirmInput = { newDeviceId: raw.newDeviceId, drainDays: raw.drainDays };
    const l = lifecycleText(c.get('lang'));
    const parsed = LifecycleForm.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') || 'form';
      const label = field === 'newDeviceId' || field === 'drainDays' ? l(field) : field;
      return confirm(c, deviceId, action, kept, `${label}: ${issue?.message ?? ''}`);
    }
    if (action === 'replace' && !parsed.data.newDeviceId)
      return confirm(c, deviceId, action, kept, `${l('newDeviceId')}: ?`);
    const who = c.get('staff')!.username;
    try {
      if (action === 'replace' || action === 'rotate') {
        const made =
          action === 'replace'
            ? await replaceDevice(db, {
                deviceId,
                newDeviceId: parsed.data.newDeviceId,
                drainDays: parsed.data.drainDays,
                actor: actor(c),
              })
            : {
                ...(await rotateDevicePassword(db, deviceId, actor(c))),
                replaced: undefined,
                drainUntil: undefined,
              };
        const token = handover.put(who, {
          action,
          deviceId: made.deviceId,
          unitId: made.unitId,
          counterId: made.counterId,
          username: made.username,
          password: made.password,
          replaced: made.replaced,
          drainUntil: made.drainUntil?.toISOString(),
        });
        return c.redirect(`/devices/${made.deviceId}/credentials/${token}`, 303);
      }
      if (action === 'restore') await restoreDevice(db, deviceId, actor(c));
      else if (!(await revokeDevice(db, deviceId, actor(c))))
        throw new StoreInputError(`no active device '${deviceId}'`);
      return c.redirect(`/devices/${deviceId}/lifecycle/${action}/done`, 303);
    } catch (err) {
      if (err instanceof StoreInputError) return confirm(c, deviceId, action, kept, err.message);
      throw err;
    }
  });

  app.get('/:deviceId/lifecycle/:action/done', editors, actionParam, async (c) => {
    const { deviceId, action } = c.req.valid('param');
    const device = await deviceDetail(db, deviceId);
    if (!device) return notFound(c);
    // Says only what is true now: a done page for something not done sends back to the device.
    const done = action === 'revoke' ? device.revokedAt !== null : action === 'restore' && !device.revokedAt;
    if (!done) return c.redirect(`/devices/${deviceId}`, 303);
    const l = lifecycleText(c.get('lang'));
    return render(c, l(`done_${action}`), <DonePage l={l} deviceId={deviceId} action={action} />);
  });

  app.get('/:deviceId/credentials/:token', editors, tokenParam, (c) => {
    const { deviceId, token } = c.req.valid('param');
    const got = handover.take(c.get('staff')!.username, token);
    const l = lifecycleText(c.get('lang'));
    const action = got?.action ?? 'rotate';
    return render(
      c,
      l(`done_${action}`),
      <DonePage l={l} deviceId={deviceId} action={action} handover={got} />,
    );
  });

  return app;
}
