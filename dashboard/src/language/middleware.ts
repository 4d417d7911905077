import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { DashboardEnv } from '../access/env.js';
import { type Lang, pickLang } from '../i18n.js';

/** A year: the choice is a preference of the person, not of the visit. */
const COOKIE_MAX_AGE = 31_536_000;

/**
 * The page language: `?lang=` when given (and remembered in a cookie), else the remembered choice,
 * else Vietnamese. Sets `c.var.lang` for every handler after it.
 */
export function language(): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    const asked = c.req.query('lang');
    if (asked === 'vi' || asked === 'en')
      setCookie(c, 'lang', asked, { path: '/', sameSite: 'Lax', maxAge: COOKIE_MAX_AGE });
    c.set('lang', pickLang(asked, getCookie(c, 'lang')));
    await next();
  };
}

/**
 * The language switch's link: the page as shown (period, page, search term, filters…) with only
 * `lang` replaced, so switching never resets what the person was looking at.
 */
export function switchLanguageHref(url: string, to: Lang): string {
  const params = new URL(url).searchParams;
  params.delete('lang');
  params.append('lang', to);
  return `?${params}`;
}
