import { randomUUID } from 'node:crypto';
import type { StaffMember } from '@onestop/store';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { homeOf } from '../auth/access.js';
import { fill, type Lang, type MessageKey, translator } from '../i18n.js';
import { layout } from '../pages/layout.js';
import { BadInput, ErrorBody } from './page.js';

/**
 * The one place that decides how a refusal is answered. People read pages: an HTML route gets a
 * translated page in the normal layout with the way back. Machines read JSON: `/api/**` keeps its
 * JSON bodies (a stable contract), and `/healthz`, `/metrics` and the `.csv` and `.xlsx` downloads
 * keep answering as they always did (a spreadsheet fetched by a script reads a short JSON refusal).
 * A `.pdf` is opened by a person in a browser tab: its refusals are pages, like any report's.
 */
export function wantsJson(c: Context): boolean {
  const path = c.req.path;
  return (
    path.startsWith('/api/') ||
    path === '/healthz' ||
    path === '/metrics' ||
    path.endsWith('.csv') ||
    path.endsWith('.xlsx')
  );
}

/** Why a signed-in person may not see what they asked: each has its own words. */
export type ForbiddenReason = 'otherWard' | 'ownRecordOnly' | 'role' | 'crossSite' | 'browserOnly';

const FORBIDDEN_TEXT: Record<ForbiddenReason, MessageKey> = {
  otherWard: 'forbiddenOtherWard',
  ownRecordOnly: 'forbiddenOwnRecord',
  role: 'forbiddenRole',
  crossSite: 'forbiddenCrossSite',
  browserOnly: 'forbiddenBrowserOnly',
};

/** The JSON reasons `/api` clients have always been given. */
function forbiddenJson(c: Context, reason: ForbiddenReason) {
  if (reason === 'role') return { error: 'forbidden', reason: `role '${staffOf(c)?.role}' may not see this` };
  if (reason === 'crossSite') return { error: 'forbidden', reason: 'cross-site request refused' };
  if (reason === 'ownRecordOnly') return { error: 'forbidden', reason: 'officers see their own record only' };
  if (reason === 'browserOnly')
    return { error: 'forbidden', reason: 'this needs a person signed in in a browser, not an API token' };
  return { error: 'forbidden', reason: 'this unit belongs to another ward' };
}

export function forbidden(c: Context, reason: ForbiddenReason) {
  if (wantsJson(c)) return c.json(forbiddenJson(c, reason), 403);
  return errorPage(c, 403, 'error403Title', [FORBIDDEN_TEXT[reason]]);
}

/**
 * Bad input (a path parameter, the query, a form): 400 naming the field. The JSON is
 * `{ error, field?, reason? }` as before; the page explains in words and shows the field.
 */
export function badRequest(c: Context, refusal: { error: string; field?: string | null; reason?: string }) {
  if (wantsJson(c)) return c.json(refusal, 400);
  const t = translator(langOf(c));
  const detail = <BadInput t={t} field={refusal.field} reason={refusal.reason} />;
  return errorPage(c, 400, 'error400Title', ['error400Text'], detail);
}

/** What `c.req.parseBody()` throws (undici's FormData parser) for a body that is not what it claims. */
export function isMalformedForm(err: unknown): boolean {
  return err instanceof TypeError && err.message.startsWith('Failed to parse body as FormData');
}

/** Nothing of that name: `json` is the body `/api` clients have always had. */
export function notFound(c: Context, json: Record<string, unknown> = { error: 'not found' }) {
  if (wantsJson(c)) return c.json(json, 404);
  return errorPage(c, 404, 'error404Title', ['error404Text']);
}

/** 429 with `Retry-After` (whole seconds) on both answers. */
export function tooManyRequests(c: Context, retryAfterMs: number, json: Record<string, unknown>) {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  c.header('retry-after', String(seconds));
  if (wantsJson(c)) return c.json(json, 429);
  const t = translator(langOf(c));
  const text = <p>{fill(t('error429Text'), { seconds })}</p>;
  return errorPage(c, 429, 'error429Title', [], text);
}

/**
 * 503: something the dashboard needs is missing or busy (Chromium for a PDF). With `retryAfterMs`,
 * `Retry-After` says when to come back; without, it is not a matter of waiting.
 */
export function serviceUnavailable(
  c: Context,
  opts: { title: MessageKey; text: string; json: Record<string, unknown>; retryAfterMs?: number },
) {
  if (opts.retryAfterMs !== undefined)
    c.header('retry-after', String(Math.max(1, Math.ceil(opts.retryAfterMs / 1000))));
  if (wantsJson(c)) return c.json(opts.json, 503);
  return errorPage(c, 503, opts.title, [], <p data-testid="unavailable">{opts.text}</p>);
}

/**
 * An unexpected failure: logged with a short reference, which the page (never the stack) shows so
 * that the person can quote it and the operator can find the log line.
 */
export function serverError(c: Context, err: unknown, log: (entry: object, msg: string) => void) {
  const reference = randomUUID().slice(0, 8);
  log({ err, path: c.req.path, reference }, 'dashboard request failed');
  if (wantsJson(c)) return c.json({ error: 'internal error' }, 500);
  const t = translator(langOf(c));
  const ref = (
    <p>
      {t('errorReference')}: <code data-testid="error-reference">{reference}</code>
    </p>
  );
  return errorPage(c, 500, 'error500Title', ['error500Text'], ref);
}

/**
 * A body over `maxSize` bytes: 413, `json` for /api (and the machine paths), a translated page
 * saying how much is allowed for a form posted from a page.
 */
export function tooLarge(c: Context, maxSize: number, json: Record<string, unknown>) {
  if (wantsJson(c)) return c.json(json, 413);
  const t = translator(langOf(c));
  const text = <p>{fill(t('error413Text'), { kb: Math.floor(maxSize / 1024) })}</p>;
  return errorPage(c, 413, 'error413Title', [], text);
}

/** `bodyLimit` answering through `tooLarge`: every form of the dashboard posts through one. */
export function formLimit(maxSize: number, json: Record<string, unknown> = { error: 'form too large' }) {
  return bodyLimit({ maxSize, onError: (c) => tooLarge(c, maxSize, json) });
}

/**
 * Cross-site posts refused (`Origin` must match, hono's `csrf`), answered as a 403 in words on
 * pages and JSON on /api instead of the middleware's bare "Forbidden". Only a refusal of the
 * guard itself is answered here: once past it, errors are the routes' own.
 */
export function sameOriginPosts(): MiddlewareHandler {
  const guard = csrf();
  return async (c, next) => {
    let passed = false;
    try {
      await guard(c, () => {
        passed = true;
        return next();
      });
    } catch (err) {
      if (passed || !(err instanceof HTTPException) || err.status !== 403) throw err;
      return forbidden(c, 'crossSite');
    }
  };
}

function langOf(c: Context): Lang {
  return c.get('lang') === 'en' ? 'en' : 'vi';
}

function staffOf(c: Context): StaffMember | null {
  return (c.get('staff') as StaffMember | null | undefined) ?? null;
}

export function errorPage(
  c: Context,
  status: ContentfulStatusCode,
  title: MessageKey,
  paragraphs: MessageKey[],
  extra: Child = null,
) {
  const lang = langOf(c);
  const t = translator(lang);
  const staff = staffOf(c);
  // Staff go back to their role's home; a citizen (the public comment form) has none to go to.
  const home = staff ? homeOf(staff) : c.req.path.startsWith('/comment') ? null : '/login';
  // The language switch keeps what was asked (a bad query stays visible in the other language too).
  const asked = new URL(c.req.url).searchParams;
  asked.delete('lang');
  const body = (
    <ErrorBody t={t} status={status} title={title} paragraphs={paragraphs} home={home}>
      {extra}
    </ErrorBody>
  );
  const citizen = !staff && c.req.path.startsWith('/comment');
  return c.html(
    layout({ lang, t, title: t(title), body, staff, periodSearch: asked.toString(), citizen }),
    status,
  );
}
