import {
  checkStaffPassword,
  closeStaffSession,
  type Database,
  openStaffSession,
  SESSION_TTL_MS,
  type StaffMember,
  staffBySession,
} from '@onestop/store';
import { type Context, Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { html } from 'hono/html';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { z } from 'zod';
import type { DashboardEnv } from '../access/env.js';
import { type Lang, translator } from '../i18n.js';
import { layout } from '../pages/layout.js';
import { type AuthEnv, homeOf, SESSION_COOKIE } from './access.js';
import { clientAddress } from './client-address.js';
import { AttemptWindow } from './throttle.js';

type Env = DashboardEnv;

const LoginForm = z.strictObject({
  username: z.string().trim().toLowerCase().min(1).max(63),
  password: z.string().min(1).max(200),
  next: z.string().max(500).optional(),
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
    const body = html`<h2>${t('signIn')}</h2>${message ? html`<p class="bad" role="alert">${message}</p>` : ''}
<form method="post" action="/login" style="max-width:22rem">
${next ? html`<input type="hidden" name="next" value="${next}">` : ''}
<p><label>${t('username')}<br><input name="username" autocomplete="username" required style="width:100%;font-size:1.1rem"></label></p>
<p><label>${t('password')}<br><input name="password" type="password" autocomplete="current-password" required style="width:100%;font-size:1.1rem"></label></p>
<p><button type="submit" style="font-size:1.1rem;padding:.5rem 1.4rem">${t('signIn')}</button></p></form>`;
    return c.html(layout({ lang, t, title: t('signIn'), body, staff: null }), status);
  };

  app.get('/login', (c) => page(c, 200, undefined, c.req.query('next')));

  app.post('/login', async (c) => {
    const t = translator(c.get('lang'));
    const form = LoginForm.safeParse(await c.req.parseBody());
    if (!form.success) return page(c, 400, t('badLogin'));
    const { username, password, next } = form.data;
    const address = clientAddress(c);
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
  app.get('/login/link', (c) => {
    const lang = c.get('lang');
    const t = translator(lang);
    const token = (c.req.query('token') ?? '').slice(0, 100);
    const body = html`<h2>${t('signIn')}</h2><form method="post" action="/login/link">
<input type="hidden" name="token" value="${token}"><p><button type="submit" style="font-size:1.1rem;padding:.5rem 1.4rem">${t('continueSignIn')}</button></p></form>`;
    return c.html(layout({ lang, t, title: t('signIn'), body, staff: null }));
  });

  app.post('/login/link', async (c) => {
    const form = await c.req.parseBody();
    const staff = await staffBySession(db, String(form.token ?? ''), ['link']);
    if (!staff) return page(c, 401, translator(c.get('lang'))('linkExpired'));
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
