import { CounterId, DeviceId, formatPairingCode, normalisePairingCode, UnitId } from '@onestop/protocol';
import {
  type Database,
  type IssuedPairing,
  issuePairingCode,
  listUnits,
  PAIRING_TTL_MINUTES,
  reissuePairingCode,
  StoreInputError,
} from '@onestop/store';
import { type Context, Hono } from 'hono';
import QRCode from 'qrcode';
import { z } from 'zod';
import type { DashboardEnv } from '../access/env.js';
import { requireRole } from '../access/scope.js';
import { formLimit } from '../errors/answer.js';
import { type MessageKey, translator } from '../i18n.js';
import { layout } from '../pages/layout.js';
import { query } from '../validate.js';
import { AddDeviceForm, type AddDeviceValues, IssuedCodePage, PairInstructions } from './page.js';

type Env = DashboardEnv;

/** Each field's own schema, and the words a technician reads when it is wrong. */
const FIELDS = {
  counterId: [CounterId, 'pairingBadCounter'],
  deviceId: [DeviceId.optional(), 'pairingBadDeviceId'],
  minutes: [z.coerce.number().int().min(1).max(PAIRING_TTL_MINUTES.max).optional(), 'pairingBadMinutes'],
  unitId: [UnitId, 'pairingUnknownUnit'],
} as const satisfies Record<string, readonly [z.ZodType, MessageKey]>;

const Text = z.string().trim().max(100).optional();
const RawForm = z.object({ unitId: Text, counterId: Text, deviceId: Text, minutes: Text });

/** The address the board claims from: the one the technician reached this dashboard by. */
const centreOf = (c: Context) => new URL(c.req.url).origin;
/** What the QR code holds: a page that shows the command, and what `agent pair` also takes whole. */
const pairUrl = (centre: string, code: string) => `${centre}/pair?code=${code}`;

/**
 * "Add device" (technicians and the city): a device for a counter, and its one-time pairing code
 * with a QR code. Ward leaders see devices but do not provision them.
 */
export function addDeviceRoutes(db: Database) {
  const app = new Hono<Env>();
  const provisioners = requireRole('city', 'technician');

  /** The form, again with what was typed and the reason in the page's language when refused. */
  const formPage = async (c: Context<Env>, values: AddDeviceValues, error?: string) => {
    const lang = c.get('lang');
    const t = translator(lang);
    const units = await listUnits(db);
    const body = <AddDeviceForm t={t} units={units} values={values} error={error} />;
    return c.html(layout({ lang, t, title: t('addDevice'), body, staff: c.get('staff') }), error ? 400 : 200);
  };

  app.get('/add', provisioners, (c) => formPage(c, {}));

  app.post('/pair-again', provisioners, formLimit(4 * 1024), async (c) => {
    const t = translator(c.get('lang'));
    const raw = RawForm.pick({ deviceId: true }).safeParse(await c.req.parseBody());
    const deviceId = raw.success ? raw.data.deviceId : undefined;
    if (!DeviceId.safeParse(deviceId).success)
      return formPage(c, { againDeviceId: deviceId }, t('pairingBadDeviceId'));
    try {
      const issued = await reissuePairingCode(db, {
        deviceId: deviceId!,
        actor: `dashboard:${c.get('staff')?.username}`,
      });
      return issuedPage(c, issued);
    } catch (err) {
      if (err instanceof StoreInputError)
        return formPage(c, { againDeviceId: deviceId }, t('pairingNoDevice'));
      throw err;
    }
  });

  app.post('/add', provisioners, formLimit(4 * 1024), async (c) => {
    const t = translator(c.get('lang'));
    const raw = RawForm.safeParse(await c.req.parseBody());
    if (!raw.success) return formPage(c, {}, t('pairingBadCounter'));
    // Blank inputs are absent ones: browsers send every field.
    const values = Object.fromEntries(Object.entries(raw.data).filter(([, v]) => v)) as AddDeviceValues;
    const input: Record<string, unknown> = {};
    for (const [name, [schema, message]] of Object.entries(FIELDS)) {
      const r = schema.safeParse(values[name as keyof AddDeviceValues]);
      if (!r.success) return formPage(c, values, t(message));
      input[name] = r.data;
    }
    const units = await listUnits(db);
    if (!units.some((u) => u.id === input.unitId)) return formPage(c, values, t('pairingUnknownUnit'));
    try {
      const issued = await issuePairingCode(db, {
        unitId: String(input.unitId),
        counterId: String(input.counterId),
        ...(input.deviceId ? { deviceId: String(input.deviceId) } : {}),
        ...(input.minutes ? { ttlMinutes: Number(input.minutes) } : {}),
        actor: `dashboard:${c.get('staff')?.username}`,
      });
      return issuedPage(c, issued);
    } catch (err) {
      if (err instanceof StoreInputError)
        return formPage(
          c,
          values,
          /already exists/.test(err.message) ? t('pairingDeviceExists') : err.message,
        );
      throw err;
    }
  });
  return app;
}

/** The code shown once, with its QR code and the command for the board. */
async function issuedPage(c: Context<Env>, issued: IssuedPairing) {
  const t = translator(c.get('lang'));
  const centre = centreOf(c);
  const qrSvg = await QRCode.toString(pairUrl(centre, issued.code), {
    type: 'svg',
    errorCorrectionLevel: 'M',
    margin: 2,
    width: 240,
  });
  const body = <IssuedCodePage t={t} issued={{ ...issued, centre, qrSvg }} />;
  // Shown once: kept out of every cache.
  c.header('cache-control', 'no-store');
  return c.html(layout({ lang: c.get('lang'), t, title: t('pairingCode'), body, staff: c.get('staff') }));
}

const PairQuery = z.object({ code: z.string().max(32) });

/** `GET /pair?code=`: what the QR code opens on a phone, public and harmless (a GET claims nothing). */
export function pairInstructionRoutes() {
  const app = new Hono<Env>();
  app.get('/', query(PairQuery), (c) => {
    const lang = c.get('lang');
    const t = translator(lang);
    const code = normalisePairingCode(c.req.valid('query').code);
    const body = code ? (
      <PairInstructions t={t} code={formatPairingCode(code)} centre={centreOf(c)} />
    ) : (
      <p class="bad">{t('pairingBadCode')}</p>
    );
    return c.html(layout({ lang, t, title: t('pairingCode'), body, staff: null }), code ? 200 : 400);
  });
  return app;
}
