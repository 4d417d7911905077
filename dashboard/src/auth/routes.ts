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
import { z } from 'zod';
import { type Lang, translator } from '../i18n.js';
import { layout } from '../pages/layout.js';
import { type AuthEnv, homeOf, SESSION_COOKIE } from './access.js';
import { clientAddress } from './client-address.js';
import { AttemptWindow } from './throttle.js';

type Env = { Variables: AuthEnv['Variables'] & { lang: Lang } };

const LoginForm = z.strictObject({
  username: z.string().trim().toLowerCase().min(1).max(63),
  password: z.string().min(1).max(200),
  next: z.string().max(500).optional(),
});

/** Only local paths: a `next` pointing elsewhere would make the sign-in page an open redirect. */
function safeNext(next: string | undefined, staff: StaffMember): string {
  return next?.startsWith('/') && !next.startsWith('//') ? next : homeOf(staff);
}

export interface AuthRoutesOptions {
  db: Database;
  logger: Logger;
  /** Failed sign-ins allowed per address and per account in `windowMs`. */
  maxFailures?: number;
  windowMs?: number;
}

export function authRoutes(opts: AuthRoutesOptions) {
  const { db, logger } = opts;
  const limit = opts.maxFailures ?? 5;
  const windowMs = opts.windowMs ?? 15 * 60_000;
  const byAddress = new AttemptWindow(limit * 4, windowMs);
  const byAccount = new AttemptWindow(limit, windowMs);
  const app = new Hono<Env>();

  const startSession = async (c: Context<Env>, staff: StaffMember) => {
    const { token } = await openStaffSession(db, staff.username, 'browser');
    setCookie(c, SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'Lax',
      secure: new URL(c.req.url).protocol === 'https:',
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
    const wait = Math.max(byAddress.retryAfter(address), byAccount.retryAfter(username));
    if (wait > 0) {
      c.header('retry-after', String(Math.ceil(wait / 1000)));
      return page(c, 429, t('tooManyLogins'), next);
    }
    const staff = await checkStaffPassword(db, username, password);
    if (!staff) {
      byAddress.record(address);
      byAccount.record(username);
      logger.warn({ username, address }, 'dashboard sign-in refused');
      return page(c, 401, t('badLogin'), next);
    }
    byAccount.clear(username);
    await startSession(c, staff);
    logger.info({ username, role: staff.role }, 'dashboard sign-in');
    return c.redirect(safeNext(next, staff), 303);
  });

  // One-time sign-in link printed by `onestop serve` / `onestop user link`.
  app.get('/login/link', async (c) => {
    const token = c.req.query('token') ?? '';
    const staff = await staffBySession(db, token, ['link']);
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
