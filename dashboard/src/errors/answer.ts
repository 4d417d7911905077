import { randomUUID } from 'node:crypto';
import type { StaffMember } from '@onestop/store';
import type { Context } from 'hono';
import { html } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { homeOf } from '../auth/access.js';
import { fill, type Lang, type MessageKey, translator } from '../i18n.js';
import { layout } from '../pages/layout.js';

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
export type ForbiddenReason = 'otherWard' | 'ownRecordOnly' | 'role';

const FORBIDDEN_TEXT: Record<ForbiddenReason, MessageKey> = {
  otherWard: 'forbiddenOtherWard',
  ownRecordOnly: 'forbiddenOwnRecord',
  role: 'forbiddenRole',
};

/** The JSON reasons `/api` clients have always been given. */
function forbiddenJson(c: Context, reason: ForbiddenReason) {
  if (reason === 'role') return { error: 'forbidden', reason: `role '${staffOf(c)?.role}' may not see this` };
  if (reason === 'ownRecordOnly') return { error: 'forbidden', reason: 'officers see their own record only' };
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
  const field = refusal.field
    ? html`<p>${t('errorField')}: <code data-testid="error-field">${refusal.field}</code></p>`
    : '';
  const detail = refusal.reason ? html`<p class="note">${t('errorDetail')}: ${refusal.reason}</p>` : '';
  return errorPage(c, 400, 'error400Title', ['error400Text'], html`${field}${detail}`);
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
  const text = html`<p>${fill(t('error429Text'), { seconds })}</p>`;
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
  return errorPage(c, 503, opts.title, [], html`<p data-testid="unavailable">${opts.text}</p>`);
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
  const ref = html`<p>${t('errorReference')}: <code data-testid="error-reference">${reference}</code></p>`;
  return errorPage(c, 500, 'error500Title', ['error500Text'], ref);
}

function langOf(c: Context): Lang {
  return c.get('lang') === 'en' ? 'en' : 'vi';
}

function staffOf(c: Context): StaffMember | null {
  return (c.get('staff') as StaffMember | null | undefined) ?? null;
}

function errorPage(
  c: Context,
  status: ContentfulStatusCode,
  title: MessageKey,
  paragraphs: MessageKey[],
  extra: ReturnType<typeof html> | '' = '',
) {
  const lang = langOf(c);
  const t = translator(lang);
  const staff = staffOf(c);
  // Staff go back to their role's home; a citizen (the public comment form) has none to go to.
  const home = staff ? homeOf(staff) : c.req.path.startsWith('/comment') ? null : '/login';
  // The language switch keeps what was asked (a bad query stays visible in the other language too).
  const asked = new URL(c.req.url).searchParams;
  asked.delete('lang');
  const body = html`<section data-testid="error" data-status="${status}"><h2>${t(title)}</h2>${paragraphs.map(
    (p) => html`<p>${t(p)}</p>`,
  )}${extra}${home ? html`<p><a href="${home}" data-testid="back-home">${t('backHome')}</a></p>` : ''}</section>`;
  return c.html(layout({ lang, t, title: t(title), body, staff, periodSearch: asked.toString() }), status);
}
