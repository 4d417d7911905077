import { UnitId } from '@onestop/protocol';
import { type Database, findUnit, type StaffRole } from '@onestop/store';
import type { MiddlewareHandler } from 'hono';
import { canSeeUnit } from '../auth/access.js';
import { badRequest, forbidden, notFound } from '../errors/answer.js';
import type { DashboardEnv } from './env.js';

function wantsHtml(path: string, method: string): boolean {
  return !path.startsWith('/api/') && method === 'GET';
}

/**
 * Lets through only signed-in staff whose role is listed. Nobody signed in: a browser asking for a
 * page is sent to sign in and brought back; an API client gets 401. A wrong role: 403 in words.
 */
export function requireRole(...roles: StaffRole[]): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    const staff = c.get('staff');
    if (!staff) {
      if (wantsHtml(c.req.path, c.req.method)) {
        const url = new URL(c.req.url);
        return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
      }
      return c.json({ error: 'sign in first', reason: 'no valid session or API token' }, 401, {
        'www-authenticate': 'Bearer',
      });
    }
    if (!roles.includes(staff.role)) return forbidden(c, 'role');
    await next();
  };
}

/**
 * For people at a screen only (after `requireRole`): an API token is a long-lived secret kept in
 * some program's settings, and one that leaks must not be able to create accounts or issue the
 * sign-in links that reset passwords (account management).
 */
export function requireBrowserSession(): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    if (c.get('staff')?.via !== 'browser') return forbidden(c, 'browserOnly');
    await next();
  };
}

/**
 * The one gate of every route under `:unitId`: the id must be well formed (400), the person asking
 * must be allowed to see that unit (403, `canSeeUnit`), and the unit must exist (404). The unit is
 * then `c.var.unit`. Checked in this order so that nobody learns which units exist in another ward.
 */
export function unitScope(db: Database): MiddlewareHandler<DashboardEnv> {
  return async (c, next) => {
    const id = UnitId.safeParse(c.req.param('unitId'));
    if (!id.success) return badRequest(c, { error: 'invalid unitId' });
    if (!canSeeUnit(c.get('staff'), id.data)) return forbidden(c, 'otherWard');
    const unit = await findUnit(db, id.data);
    if (!unit) return notFound(c, { error: 'unknown unit', unitId: id.data });
    c.set('unit', unit);
    await next();
  };
}
