import { UnitId } from '@onestop/protocol';
import {
  acknowledgeAlert,
  alertSteps,
  assignAlert,
  clearAlert,
  commentAlert,
  type Database,
  findUnit,
  getAlert,
  listAlerts,
  listUnits,
  StoreInputError,
  setUnitAlertHook,
  technicians,
  unitAlertHookList,
} from '@onestop/store';
import { type Context, Hono } from 'hono';
import { z } from 'zod';
import type { DashboardEnv } from '../../access/env.js';
import { requireRole } from '../../access/scope.js';
import { canSeeUnit } from '../../auth/access.js';
import { formLimit, notFound } from '../../errors/answer.js';
import { type Translate, translator } from '../../i18n.js';
import { type LayoutOptions, layout } from '../../pages/layout.js';
import { form, params, query } from '../../validate.js';
import type { Notice } from '../console/actions.js';
import { ALERT_FILTER_STATUSES, ALERT_KINDS, AlertDetail, AlertList, HooksPage } from './page.js';

type Env = DashboardEnv;
type Staff = Env['Variables']['staff'];

const maySee = (staff: Staff, unitId: string) => staff?.role === 'technician' || canSeeUnit(staff, unitId);
const mayAct = (staff: Staff) => staff?.role === 'technician' || staff?.role === 'city';
/** A ward leader's alerts are their unit's; technicians and the city see every unit. */
const scopeOf = (staff: Staff) => (staff?.role === 'ward' ? (staff.unitId ?? '') : null);

/** An empty select is "any": the form sends `kind=` and `unit=` when nothing is chosen. */
const blankIsAny = (v: unknown) => (v === '' ? undefined : v);
const ListQuery = z.strictObject({
  status: z.enum(ALERT_FILTER_STATUSES).default('active'),
  kind: z.preprocess(blankIsAny, z.enum(ALERT_KINDS).optional()),
  unit: z.preprocess(blankIsAny, UnitId.optional()),
  lang: z.enum(['vi', 'en']).optional(),
});
const AlertParam = params(
  z.strictObject({
    alertId: z.coerce
      .number()
      .int()
      .min(1)
      .max(2 ** 31 - 1),
  }),
);
const ACTIONS = ['acknowledge', 'assign', 'comment', 'clear'] as const;
const ActionParam = params(
  z.strictObject({
    alertId: z.coerce
      .number()
      .int()
      .min(1)
      .max(2 ** 31 - 1),
    action: z.enum(ACTIONS),
  }),
);
const ActionForm = z.object({
  comment: z.string().max(4_000).default(''),
  assignee: z.string().max(64).default(''),
});
const DoneQuery = z.object({
  done: z.enum(['acknowledged', 'assigned', 'commented', 'cleared', 'hookSaved', 'hookRemoved']).optional(),
});
const HookForm = z.object({ unitId: z.string().max(64).default(''), url: z.string().max(4_000).default('') });

/** A store refusal in the asker's language, with the store's own words after it for detail. */
function refusal(t: Translate, err: StoreInputError): string {
  const m = err.message;
  if (m.startsWith('comment:')) return `${t('commentRequired')} (${m})`;
  if (/ is (cleared|acknowledged|open)$/.test(m)) return `${t('alertNotActive')} (${m})`;
  if (m.startsWith('url:')) return `${t('hookBadUrl')} (${m})`;
  return m;
}

export interface AlertRouteOptions {
  /** Units' hooks may point at the centre's own loopback (`ONESTOP_ALERT_HOOKS_ALLOW_INTERNAL=1`). */
  allowInternalHooks?: boolean;
}

/**
 * The alerts console under `/devices/alerts`: the list with filters, one alert with its history
 * and the lifecycle steps (technicians and the city), and the units' webhooks. Every step posts,
 * then redirects (303) back to the page; a refused step shows the page again with what was typed.
 */
export function alertRoutes(db: Database, opts: AlertRouteOptions = {}) {
  const app = new Hono<Env>();
  const anyone = requireRole('city', 'ward', 'technician');
  const actors = requireRole('city', 'technician');
  const render = (c: Context<Env>, title: string, body: LayoutOptions['body'], status: 200 | 400 = 200) => {
    const lang = c.get('lang');
    return c.html(layout({ lang, t: translator(lang), title, body, staff: c.get('staff') }), status);
  };
  const doneNotice = (t: Translate, done: z.infer<typeof DoneQuery>['done']): Notice | undefined =>
    done
      ? {
          ok: true,
          text: t(done.startsWith('hook') ? (done as 'hookSaved') : `alertDone_${done as 'cleared'}`),
        }
      : undefined;

  app.get('/', anyone, query(ListQuery), async (c) => {
    const staff = c.get('staff');
    const t = translator(c.get('lang'));
    const q = c.req.valid('query');
    const scope = scopeOf(staff);
    const rows = await listAlerts(db, { unitId: scope ?? q.unit ?? null, status: q.status, kind: q.kind });
    const units = scope === null ? await listUnits(db) : null;
    return render(c, t('alertsConsole'), <AlertList t={t} rows={rows} filter={q} units={units} />);
  });

  const hooksPage = async (c: Context<Env>, notice?: Notice, typed?: { unitId: string; url: string }) => {
    const staff = c.get('staff');
    const t = translator(c.get('lang'));
    const hooks = await unitAlertHookList(db, scopeOf(staff));
    const body = <HooksPage t={t} hooks={hooks} editable={mayAct(staff)} notice={notice} typed={typed} />;
    return render(c, t('alertHooks'), body, notice && !notice.ok ? 400 : 200);
  };
  app.get('/hooks', anyone, query(DoneQuery.extend({ lang: z.enum(['vi', 'en']).optional() })), (c) =>
    hooksPage(c, doneNotice(translator(c.get('lang')), c.req.valid('query').done)),
  );
  app.post('/hooks', actors, formLimit(8 * 1024), form(HookForm), async (c) => {
    const t = translator(c.get('lang'));
    const f = c.req.valid('form');
    const unitId = UnitId.safeParse(f.unitId.trim());
    if (!unitId.success || !(await findUnit(db, unitId.data)))
      return hooksPage(c, { ok: false, text: t('unknownUnit') }, f);
    const url = f.url.trim() === '' ? null : f.url;
    try {
      await setUnitAlertHook(db, {
        unitId: unitId.data,
        url,
        actor: `dashboard:${c.get('staff')?.username}`,
        allowInternal: opts.allowInternalHooks ?? false,
      });
    } catch (err) {
      if (err instanceof StoreInputError) return hooksPage(c, { ok: false, text: refusal(t, err) }, f);
      throw err;
    }
    return c.redirect(`/devices/alerts/hooks?done=${url === null ? 'hookRemoved' : 'hookSaved'}`, 303);
  });

  const detail = async (
    c: Context<Env>,
    alertId: number,
    notice?: Notice,
    typed?: { action: string; comment: string },
  ) => {
    const staff = c.get('staff');
    const lang = c.get('lang');
    const t = translator(lang);
    const alert = await getAlert(db, alertId);
    if (!alert || !maySee(staff, alert.unitId)) return notFound(c);
    const [steps, techs] = await Promise.all([alertSteps(db, alertId), technicians(db)]);
    const body = (
      <AlertDetail
        t={t}
        lang={lang}
        alert={alert}
        steps={steps}
        technicians={techs}
        editable={mayAct(staff)}
        notice={notice}
        typed={typed}
      />
    );
    return render(c, `${t('alert')} #${alertId}`, body, notice && !notice.ok ? 400 : 200);
  };
  app.get(
    '/:alertId',
    anyone,
    AlertParam,
    query(DoneQuery.extend({ lang: z.enum(['vi', 'en']).optional() })),
    (c) =>
      detail(
        c,
        c.req.valid('param').alertId,
        doneNotice(translator(c.get('lang')), c.req.valid('query').done),
      ),
  );

  app.post('/:alertId/:action', actors, formLimit(16 * 1024), ActionParam, form(ActionForm), async (c) => {
    const { alertId, action } = c.req.valid('param');
    const { comment, assignee } = c.req.valid('form');
    const t = translator(c.get('lang'));
    const alert = await getAlert(db, alertId);
    if (!alert) return notFound(c);
    const step = { alertId, actor: `dashboard:${c.get('staff')?.username}`, comment };
    try {
      if (action === 'acknowledge') await acknowledgeAlert(db, step);
      if (action === 'comment') await commentAlert(db, step);
      if (action === 'clear') await clearAlert(db, step);
      if (action === 'assign')
        await assignAlert(db, { ...step, assignee: assignee === '' ? null : assignee });
    } catch (err) {
      if (err instanceof StoreInputError)
        return detail(c, alertId, { ok: false, text: refusal(t, err) }, { action, comment });
      throw err;
    }
    const done = { acknowledge: 'acknowledged', assign: 'assigned', comment: 'commented', clear: 'cleared' }[
      action
    ];
    return c.redirect(`/devices/alerts/${alertId}?done=${done}`, 303);
  });

  return app;
}
