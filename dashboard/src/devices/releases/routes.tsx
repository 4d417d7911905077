import {
  changeRollout,
  type Database,
  listReleaseKeys,
  listReleases,
  listRollouts,
  type Rollout,
  RolloutRefusal,
  removeReleaseKey,
  rolloutProgress,
  StoreInputError,
  startRollout,
  trustReleaseKey,
  widenRollout,
} from '@onestop/store';
import { type Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { z } from 'zod';
import type { DashboardEnv } from '../../access/env.js';
import { requireRole } from '../../access/scope.js';
import { formLimit, notFound } from '../../errors/answer.js';
import { fill, translateIfKnown, translator } from '../../i18n.js';
import { layout } from '../../pages/layout.js';
import { params } from '../../validate.js';
import { ReleasesPage, RolloutPage } from './page.js';

type Env = DashboardEnv;
type Staff = Env['Variables']['staff'];

/** Releases and rollouts are the fleet's: technicians and the city act, ward leaders look. */
const mayEdit = (staff: Staff) => staff?.role === 'technician' || staff?.role === 'city';

/**
 * A ward leader sees the rollouts of their own unit; a city-wide one, or another ward's, is not
 * found (its device list names other wards' boards), as another ward's device is not.
 */
const maySee = (staff: Staff, r: Pick<Rollout, 'unitId'>) =>
  mayEdit(staff) || (staff?.role === 'ward' && r.unitId !== null && r.unitId === staff.unitId);

const rolloutParam = params(z.strictObject({ rolloutId: z.uuid() }));
const actionParam = params(
  z.strictObject({ rolloutId: z.uuid(), action: z.enum(['pause', 'resume', 'withdraw', 'widen']) }),
);
const keyParam = params(z.strictObject({ keyId: z.string().regex(/^[0-9a-f]{16}$/) }));

/**
 * The scope is an explicit choice, as the CLI's `--unit` / `--city`: a blank unit field must never
 * start a city-wide rollout by itself.
 */
const StartForm = z.object({
  version: z.string().min(1).max(40),
  scope: z.enum(['city', 'unit'], { error: 'rolloutScopeRequired' }),
  unitId: z.string().max(64).optional(),
  canary: z.string().min(1).max(4000),
  healthDeadlineS: z.coerce.number().int().optional(),
});
const KeyForm = z.object({ name: z.string().max(80).optional(), publicPem: z.string().min(1).max(4096) });
const WidenForm = z.object({ percent: z.coerce.number().int() });

/** A store refusal in the reader's language when it has a code; the English text otherwise. */
function refusalText(c: Context<Env>, err: StoreInputError): string {
  if (!(err instanceof RolloutRefusal)) return err.message;
  const text = translateIfKnown(c.get('lang'), `rolloutRefusal_${err.code}`);
  return text ? fill(text, err.values) : err.message;
}

/** A form's fields, blanks dropped: the schemas then see what was typed. */
async function formOf(c: Context<Env>): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  return Object.fromEntries(
    Object.entries(body).flatMap(([k, v]) =>
      typeof v === 'string' && v.trim() !== '' ? [[k, v.trim()]] : [],
    ),
  );
}

/**
 * The console of fleet updates under /devices: the releases, the trusted keys and the rollouts,
 * one page per rollout with its progress per stage, its failures with their reasons and its
 * buttons (POST, then redirect; refusals shown on the page with status 400).
 */
export function releaseConsoleRoutes(db: Database) {
  const app = new Hono<Env>();
  const anyone = requireRole('city', 'ward', 'technician');
  const editors = requireRole('city', 'technician');
  const actor = (c: Context<Env>) => `dashboard:${c.get('staff')?.username}`;

  const render = (c: Context<Env>, title: string, body: Child, status: 200 | 400 = 200) => {
    const lang = c.get('lang');
    return c.html(layout({ lang, t: translator(lang), title, body, staff: c.get('staff') }), status);
  };

  const listPage = async (c: Context<Env>, error?: string) => {
    const staff = c.get('staff');
    const t = translator(c.get('lang'));
    const [releases, keys, rollouts] = await Promise.all([
      listReleases(db),
      listReleaseKeys(db),
      listRollouts(db),
    ]);
    const body = (
      <>
        {error ? (
          <p class="bad" role="alert" data-testid="release-error">
            {t('rolloutRefused')}: {error}
          </p>
        ) : (
          ''
        )}
        <ReleasesPage
          t={t}
          releases={releases}
          keys={keys}
          rollouts={rollouts.filter((r) => maySee(staff, r))}
          editable={mayEdit(staff)}
        />
      </>
    );
    return render(c, t('releases'), body, error ? 400 : 200);
  };

  const rolloutPage = async (c: Context<Env>, id: string, error?: string) => {
    const staff = c.get('staff');
    const t = translator(c.get('lang'));
    const progress = await rolloutProgress(db, id);
    if (!progress || !maySee(staff, progress.rollout)) return notFound(c);
    return render(
      c,
      `${t('rollout')} ${progress.rollout.version}`,
      <RolloutPage t={t} progress={progress} editable={mayEdit(staff)} error={error} />,
      error ? 400 : 200,
    );
  };

  app.get('/releases', anyone, (c) => listPage(c));

  app.post('/releases/keys', editors, formLimit(8 * 1024), async (c) => {
    const parsed = KeyForm.safeParse(await formOf(c));
    if (!parsed.success) return listPage(c, parsed.error.issues[0]?.message ?? 'form');
    try {
      await trustReleaseKey(db, {
        publicPem: parsed.data.publicPem,
        name: parsed.data.name ?? '',
        actor: actor(c),
      });
    } catch (err) {
      if (err instanceof StoreInputError) return listPage(c, err.message);
      throw err;
    }
    return c.redirect('/devices/releases', 303);
  });

  app.post('/releases/keys/:keyId/remove', editors, formLimit(1024), keyParam, async (c) => {
    const { keyId } = c.req.valid('param');
    if (!(await removeReleaseKey(db, keyId, actor(c)))) return notFound(c);
    return c.redirect('/devices/releases', 303);
  });

  app.post('/rollouts', editors, formLimit(8 * 1024), async (c) => {
    const parsed = StartForm.safeParse(await formOf(c));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      if (issue?.path[0] === 'scope') return listPage(c, translator(c.get('lang'))('rolloutScopeRequired'));
      return listPage(c, `${issue?.path.join('.') ?? 'form'}: ${issue?.message ?? ''}`);
    }
    const f = parsed.data;
    const t = translator(c.get('lang'));
    if ((f.scope === 'unit') !== (f.unitId !== undefined))
      return listPage(c, t(f.scope === 'unit' ? 'rolloutUnitRequired' : 'rolloutCityNoUnit'));
    try {
      const r = await startRollout(db, {
        version: f.version,
        unitId: f.scope === 'unit' ? f.unitId! : null,
        canary: f.canary.split(/[\s,]+/).filter(Boolean),
        healthDeadlineS: f.healthDeadlineS,
        actor: actor(c),
      });
      return c.redirect(`/devices/rollouts/${r.id}`, 303);
    } catch (err) {
      if (err instanceof StoreInputError) return listPage(c, refusalText(c, err));
      throw err;
    }
  });

  app.get('/rollouts/:rolloutId', anyone, rolloutParam, (c) =>
    rolloutPage(c, c.req.valid('param').rolloutId),
  );

  app.post('/rollouts/:rolloutId/:action', editors, formLimit(1024), actionParam, async (c) => {
    const { rolloutId, action } = c.req.valid('param');
    try {
      if (action === 'widen') {
        const parsed = WidenForm.safeParse(await formOf(c));
        if (!parsed.success) return rolloutPage(c, rolloutId, `percent: ${parsed.error.issues[0]?.message}`);
        await widenRollout(db, { rolloutId, percent: parsed.data.percent, actor: actor(c) });
      } else await changeRollout(db, { rolloutId, action, actor: actor(c) });
    } catch (err) {
      if (err instanceof StoreInputError) {
        if (err.message.startsWith('no rollout')) return notFound(c);
        return rolloutPage(c, rolloutId, refusalText(c, err));
      }
      throw err;
    }
    return c.redirect(`/devices/rollouts/${rolloutId}`, 303);
  });

  return app;
}
