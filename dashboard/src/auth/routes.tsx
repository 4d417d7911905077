import { LANGS } from '@onestop/protocol';
import {
  checkStaffPassword,
  closeStaffSession,
  type Database,
  MIN_PASSWORD_LENGTH,
  openStaffSession,
  SESSION_TTL_MS,
  type StaffMember,
  setStaffPassword,
  staffBySession,
} from '@onestop/store';
import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { validator } from 'hono/validator';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import type { DashboardEnv } from '../access/env.js';
import { formLimit } from '../errors/answer.js';
import { translator } from '../i18n.js';
import { layout } from '../pages/layout.js';
import { form, query } from '../validate.js';
import { homeOf, SESSION_COOKIE } from './access.js';
import { throttleKey } from './client-address.js';
import { LinkPage, LoginPage } from './pages.js';
import { AttemptWindow } from './throttle.js';

type Env = DashboardEnv;

const LoginForm = z.strictObject({
  username: z.string().trim().toLowerCase().min(1).max(63),
  password: z.string().min(1).max(200),
  next: z.string().max(500).optional(),
});

const LoginQuery = z.strictObject({ next: z.string().max(500).optional(), lang: z.enum(LANGS).optional() });
/** A token longer than any issued is cut, not refused: it then simply matches no session. */
const LinkQuery = z.strictObject({
  token: z
    .string()
    .default('')
    .transform((s) => s.slice(0, 100)),
  lang: z.enum(LANGS).optional(),
});
/** Spending a link, with a new password chosen on the way (both blank: none). */
const LinkForm = LinkQuery.pick({ token: true }).extend({
  password: z.string().max(200).optional(),
  confirm: z.string().max(200).optional(),
});

/**
 * Only local paths: a `next` pointing elsewhere would make the sign-in page an open redirect.
 * Browsers read `/\host` and `/<TAB>/host` as `//host`, so a backslash or a control character
 * right after the first slash, or anywhere, is refused too.
 */
export function safeNext(next: string | undefined, staff: StaffMember): string {
  const odd = (ch: string) => ch.charCodeAt(0) < 0x20 || ch === '\u007f' || ch === '\\';
  if (!next?.startsWith('/') || next[1] === '/' || [...next].some(odd)) return homeOf(staff);
  return next;
}

export interface AuthRoutesOptions {
  db: Database;
  logger: Logger;
  registry?: Registry;
  /**
   * Failed sign-ins allowed for one account from one address in `windowMs` (default 5 in 15
   * minutes). Someone failing at an account from one address does not lock its owner out of
   * another. Past `maxAccountFailures` (default 10×), failures spread over many addresses, the
   * account is refused from every address that has failed at it, and an address with a clean
   * record gets its password checked after `accountLimitDelayMs` (default 1 s): guessing slows,
   * the owner still gets in. One address trying many accounts stops at `maxAddressFailures`
   * (default 20×), which also bounds the password hashing any one address can cause.
   */
  maxFailures?: number;
  maxAccountFailures?: number;
  maxAddressFailures?: number;
  windowMs?: number;
  accountLimitDelayMs?: number;
  /** Mark session cookies Secure whatever the request URL says (HTTPS at a reverse proxy). */
  secureCookies?: boolean;
}

export function authRoutes(opts: AuthRoutesOptions) {
  const { db, logger } = opts;
  const limit = opts.maxFailures ?? 5;
  const windowMs = opts.windowMs ?? 15 * 60_000;
  const byPair = new AttemptWindow(limit, windowMs);
  const byAccount = new AttemptWindow(opts.maxAccountFailures ?? limit * 10, windowMs);
  const byAddress = new AttemptWindow(opts.maxAddressFailures ?? limit * 20, windowMs);
  const accountLimitDelayMs = opts.accountLimitDelayMs ?? 1_000;
  const refused = signInRefusals(opts.registry);
  const app = new Hono<Env>();

  const startSession = async (c: Context<Env>, staff: StaffMember) => {
    const { token } = await openStaffSession(db, staff.username, 'browser');
    setCookie(c, SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
      // Behind a TLS-terminating proxy the request URL is http: the operator says so instead.
      secure: opts.secureCookies === true || new URL(c.req.url).protocol === 'https:',
      maxAge: Math.floor(SESSION_TTL_MS.browser / 1000),
    });
  };

  const page = (c: Context<Env>, status: 200 | 400 | 401 | 429, message?: string, next?: string) => {
    const lang = c.get('lang');
    const t = translator(lang);
    const body = <LoginPage t={t} message={message} next={next} />;
    return c.html(layout({ lang, t, title: t('signIn'), body, staff: null }), status);
  };

  // A form that is not a sign-in (fields missing, too long, unknown): the sign-in page, 400.
  const loginForm = validator('form', (value, c) => {
    const r = LoginForm.safeParse(value);
    return r.success ? r.data : page(c, 400, translator(c.get('lang'))('badLogin'));
  });
  const formCap = formLimit(8 * 1024);

  app.get('/login', query(LoginQuery), (c) => page(c, 200, undefined, c.req.valid('query').next));

  app.post('/login', formCap, loginForm, async (c) => {
    const t = translator(c.get('lang'));
    const { username, password, next } = c.req.valid('form');
    const address = throttleKey(c);
    const pair = `${username}\u0000${address}`;
    // The account-wide limit alone must not lock the owner out (issue #8): it refuses only
    // addresses that have already failed at this account, and slows the others down.
    const accountWait = byAccount.retryAfter(username);
    const cleanPair = byPair.attempts(pair) === 0;
    const wait = Math.max(
      byPair.retryAfter(pair),
      cleanPair ? 0 : accountWait,
      byAddress.retryAfter(address),
    );
    if (wait > 0) {
      refused?.inc({ reason: 'throttled' });
      c.header('retry-after', String(Math.ceil(wait / 1000)));
      return page(c, 429, t('tooManyLogins'), next);
    }
    // Counted before the (slow) password check, so that parallel guesses cannot all slip through
    // while the first is still being verified; a success takes its own attempt back.
    byPair.record(pair);
    byAccount.record(username);
    byAddress.record(address);
    if (accountWait > 0) await new Promise((r) => setTimeout(r, accountLimitDelayMs));
    const staff = await checkStaffPassword(db, username, password);
    if (!staff) {
      refused?.inc({ reason: 'bad_password' });
      // One line per failure, and one more when a throttle starts (its 429s are only counted).
      logger.warn({ username, address }, 'dashboard sign-in refused');
      if (
        byPair.retryAfter(pair) > 0 ||
        byAccount.retryAfter(username) > 0 ||
        byAddress.retryAfter(address) > 0
      )
        logger.warn({ username, address }, 'dashboard sign-in throttled');
      return page(c, 401, t('badLogin'), next);
    }
    // The owner's success clears only their own address's count: failures elsewhere still stand.
    byPair.clear(pair);
    byAccount.undo(username);
    byAddress.undo(address);
    await startSession(c, staff);
    logger.info({ username, role: staff.role }, 'dashboard sign-in');
    return c.redirect(safeNext(next, staff), 303);
  });

  // One-time sign-in link printed by `onestop serve` / `onestop user link`.
  // Opening the link only shows a button: a chat app's link preview (a GET) must not spend it.
  app.get('/login/link', query(LinkQuery), (c) => {
    const lang = c.get('lang');
    const t = translator(lang);
    const body = <LinkPage t={t} token={c.req.valid('query').token} />;
    return c.html(layout({ lang, t, title: t('signIn'), body, staff: null }));
  });

  app.post('/login/link', formCap, form(LinkForm), async (c) => {
    const { token, password, confirm } = c.req.valid('form');
    const t = translator(c.get('lang'));
    // Checked before the link is spent, so that a typing slip costs the person nothing.
    const slip =
      password === undefined && confirm === undefined
        ? null
        : (password ?? '').length < MIN_PASSWORD_LENGTH
          ? t('linkPasswordShort')
          : password !== confirm
            ? t('linkPasswordMismatch')
            : null;
    if (slip) {
      const body = <LinkPage t={t} token={token} message={slip} />;
      return c.html(layout({ lang: c.get('lang'), t, title: t('signIn'), body, staff: null }), 400);
    }
    const staff = await staffBySession(db, token, ['link']);
    if (!staff) return page(c, 401, t('linkExpired'));
    if (password) await setStaffPassword(db, staff.username, password, `dashboard:${staff.username}`);
    await startSession(c, staff);
    return c.redirect(homeOf(staff), 303);
  });

  app.post('/logout', async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await closeStaffSession(db, token);
    deleteCookie(c, SESSION_COOKIE, { path: '/' });
    return c.redirect('/login', 303);
  });

  return app;
}

function signInRefusals(registry: Registry | undefined) {
  if (!registry) return null;
  const name = 'onestop_dashboard_signin_refused_total';
  return (
    (registry.getSingleMetric(name) as Counter<'reason'> | undefined) ??
    new Counter({
      name,
      help: 'Dashboard sign-ins refused: bad_password, or throttled (too many failures)',
      labelNames: ['reason'],
      registers: [registry],
    })
  );
}
