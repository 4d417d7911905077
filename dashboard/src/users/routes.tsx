import { LANGS, UnitId } from '@onestop/protocol';
import {
  addStaffMember,
  canManageRole,
  type Database,
  disableStaffMember,
  enableStaffMember,
  findStaff,
  findStaffMember,
  issueSignInLink,
  listUnits,
  managedRoles,
  NewStaffInput,
  StaffInputError,
  StaffRole,
  StaffUsername,
} from '@onestop/store';
import { type Context, Hono } from 'hono';
import { every } from 'hono/combine';
import { validator } from 'hono/validator';
import { z } from 'zod';
import type { DashboardEnv } from '../access/env.js';
import { requireBrowserSession, requireRole } from '../access/scope.js';
import { forbidden, formLimit, notFound } from '../errors/answer.js';
import { type MessageKey, translator } from '../i18n.js';
import { layout } from '../pages/layout.js';
import { PageNumber, pageWindow } from '../pages/pager.js';
import { params, query } from '../validate.js';
import { type Flash, FlashBox } from './flash.js';
import {
  AddUserPage,
  type AddValues,
  EMPTY_ADD,
  type ListView,
  listSearch,
  type Unit,
  UsersPage,
} from './page.js';

type Env = DashboardEnv;

/** The filter's "every role / every unit" is sent as a blank value. */
const blankIsAbsent = <S extends z.ZodType>(s: S) =>
  z.preprocess((v) => (v === '' ? undefined : v), s.optional());
const ListQuery = z.strictObject({
  role: blankIsAbsent(StaffRole),
  unit: blankIsAbsent(UnitId),
  page: PageNumber,
  lang: z.enum(LANGS).optional(),
});
const Target = z.strictObject({ username: StaffUsername, action: z.enum(['link', 'disable', 'enable']) });

/** Accounts per page of the list. */
const PAGE_SIZE = 50;

/**
 * Dashboard accounts, for the city (every role) and technicians (technician accounts only; see
 * `canManageRole`): list, add with a one-time sign-in link, a new link, disable and enable. The
 * rules are the store's, shared with `onestop user`; every action is audited there.
 */
export function userRoutes(
  db: Database,
  opts: { secureCookies?: boolean | undefined } = {},
  flashes = new FlashBox(db),
) {
  const app = new Hono<Env>();
  const allowed = requireRole('city', 'technician');
  const person = requireBrowserSession();
  const managers = every(allowed, person);
  const limit = formLimit(8 * 1024);
  const me = (c: Context<Env>) => c.get('staff')!;
  const actor = (c: Context<Env>) => `dashboard:${me(c).username}`;
  const refusalText = (c: Context<Env>, code: string) =>
    translator(c.get('lang'))(`userRefused_${code}` as MessageKey);
  // Only units that exist: a typing slip must not make a new unit (the store would, for the CLI).
  const units = async (): Promise<Unit[]> =>
    (await listUnits(db)).map((u) => ({ id: u.id, name: u.name })).sort((a, b) => a.id.localeCompare(b.id));

  const listPage = async (
    c: Context<Env>,
    view: ListView,
    extra: { flash?: Flash | undefined; refusal?: string[] } = {},
  ) => {
    const lang = c.get('lang');
    const t = translator(lang);
    const staff = me(c);
    const roles = managedRoles(staff.role);
    const window = pageWindow(view.page, PAGE_SIZE);
    const found = await findStaff(db, { roles, role: view.role, unitId: view.unit, ...window });
    const body = (
      <UsersPage
        t={t}
        me={staff.username}
        rows={found.rows}
        total={found.total}
        size={PAGE_SIZE}
        view={view}
        roles={roles}
        units={await units()}
        technician={staff.role === 'technician'}
        flash={extra.flash}
        refusal={extra.refusal}
      />
    );
    return c.html(layout({ lang, t, title: t('users'), body, staff }), extra.refusal ? 400 : 200);
  };

  const addPage = async (c: Context<Env>, values: AddValues, refusal?: string[]) => {
    const lang = c.get('lang');
    const t = translator(lang);
    const staff = me(c);
    const body = (
      <AddUserPage
        t={t}
        roles={managedRoles(staff.role)}
        units={await units()}
        values={values}
        refusal={refusal}
      />
    );
    return c.html(layout({ lang, t, title: t('userAdd'), body, staff }), refusal ? 400 : 200);
  };

  /**
   * The add form read against the shared `NewStaffInput`; what was typed is kept whatever happens,
   * so a refused form comes back filled in. Blank unit, officer and name are absent ones.
   */
  const addForm = validator('form', async (value, c) => {
    const text = (k: string) => {
      const v = value[k];
      return typeof v === 'string' ? v.slice(0, 200) : '';
    };
    const values: AddValues = {
      username: text('username'),
      displayName: text('displayName'),
      role: text('role'),
      unitId: text('unitId'),
      officerId: text('officerId'),
    };
    const optional = new Set(['unitId', 'officerId', 'displayName']);
    const sent = Object.fromEntries(Object.entries(value).filter(([k, v]) => !(optional.has(k) && v === '')));
    const input = NewStaffInput.safeParse(sent);
    if (!input.success) return addPage(c as Context<Env>, values, [refusalText(c as Context<Env>, 'form')]);
    return { input: input.data, values };
  });

  app.get('/', managers, query(ListQuery), async (c) => {
    const { role, unit, page } = c.req.valid('query');
    return listPage(c, { role, unit, page }, { flash: await flashes.take(c, actor(c)) });
  });

  app.get('/new', managers, (c) => addPage(c, EMPTY_ADD));

  app.post('/', managers, limit, addForm, async (c) => {
    const { input, values } = c.req.valid('form');
    const staff = me(c);
    // No escalation: a technician's forged "city" is refused outright, not explained.
    if (StaffRole.safeParse(input.role).success && !canManageRole(staff.role, input.role))
      return forbidden(c, 'role');
    if (input.role === 'ward' && !(await units()).some((u) => u.id === input.unitId))
      return addPage(c, values, [refusalText(c, 'unit')]);
    try {
      // The account and its first link together: never an account nobody can sign in to.
      const link = await db.transaction(async (tx) => {
        const made = await addStaffMember(tx, { ...input, actor: actor(c) });
        return issueSignInLink(tx, made.username, actor(c));
      });
      await flashes.put(c, {
        done: 'added',
        username: input.username,
        link: link ? linkOf(c, link, opts.secureCookies === true) : undefined,
      });
      return c.redirect('/users', 303);
    } catch (err) {
      if (err instanceof StaffInputError) return addPage(c, values, [refusalText(c, err.refusal)]);
      throw err;
    }
  });

  app.post('/:username/:action', managers, limit, params(Target), query(ListQuery), async (c) => {
    const { username, action } = c.req.valid('param');
    const { role, unit, page } = c.req.valid('query');
    const view = { role, unit, page };
    const target = await findStaffMember(db, username);
    // Accounts outside the asker's reach answer as unknown ones: nobody probes who exists.
    if (!target || !canManageRole(me(c).role, target.role))
      return notFound(c, { error: 'unknown account', username });
    try {
      if (action === 'link') {
        const link = await issueSignInLink(db, username, actor(c));
        if (!link) return listPage(c, view, { refusal: [refusalText(c, 'disabled')] });
        await flashes.put(c, { done: 'link', username, link: linkOf(c, link, opts.secureCookies === true) });
      } else if (action === 'disable') {
        // False only when it was disabled already (a second click): done either way.
        await disableStaffMember(db, username, actor(c), { by: me(c).username });
        await flashes.put(c, { done: 'disabled', username });
      } else {
        await enableStaffMember(db, username, actor(c));
        await flashes.put(c, { done: 'enabled', username });
      }
    } catch (err) {
      if (err instanceof StaffInputError)
        return listPage(c, view, { refusal: [refusalText(c, err.refusal)] });
      throw err;
    }
    return c.redirect(`/users${listSearch(view)}`, 303);
  });

  return app;
}

/**
 * The link as `onestop user link` prints it, on the address this dashboard was reached at. Behind
 * a TLS-terminating proxy (`secureCookies`) the request URL says http while people use https.
 */
function linkOf(c: Context, link: { token: string; validMinutes: number }, https: boolean): Flash['link'] {
  const at = new URL(c.req.url);
  if (https) at.protocol = 'https:';
  return { url: `${at.origin}/login/link?token=${link.token}`, validMinutes: link.validMinutes };
}
