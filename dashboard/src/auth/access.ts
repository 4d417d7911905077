import { type Database, newCommentCount, type StaffMember, staffBySession } from '@onestop/store';
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';

export const SESSION_COOKIE = 'onestop_session';

/**
 * Who is asking, as the pages see them. `newComments` (ward leaders in a browser only) feeds the
 * "new comments" badge of the menu: counted once per request, where the session is read.
 */
export type Viewer = StaffMember & {
  newComments?: number;
  /**
   * How they signed in: a browser session (a person at a screen) or an API token (a program with
   * a long-lived secret). Some actions are for people only: see `requireBrowserSession`.
   */
  via?: 'browser' | 'api';
};

export type AuthEnv = { Variables: { staff: Viewer | null } };

/**
 * Finds who is asking: a browser session cookie, or `Authorization: Bearer <token>` for API
 * clients (tokens from `onestop user token`). Never rejects by itself: routes decide.
 */
export function identify(db: Database): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
    const cookie = getCookie(c, SESSION_COOKIE);
    let staff: Viewer | null = null;
    if (bearer) {
      const found = await staffBySession(db, bearer, ['api']);
      staff = found && { ...found, via: 'api' };
    } else if (cookie) {
      const found = await staffBySession(db, cookie, ['browser']);
      staff = found && { ...found, via: 'browser' };
    }
    if (staff && cookie && !bearer && staff.role === 'ward' && staff.unitId)
      staff = { ...staff, newComments: await newCommentCount(db, staff.unitId) };
    c.set('staff', staff);
    await next();
  };
}

/** Ward leaders see their own unit only; the city sees every unit. */
export function canSeeUnit(staff: StaffMember | null, unitId: string): boolean {
  if (!staff) return false;
  if (staff.role === 'city') return true;
  return staff.role === 'ward' && staff.unitId === unitId;
}

/**
 * Moving a citizen's comment on (handled, replied): for the leaders of its unit (the ward leader,
 * the city) only, never technicians or officers.
 */
export function canFollowUpComments(staff: StaffMember | null, unitId: string): boolean {
  return (staff?.role === 'ward' || staff?.role === 'city') && canSeeUnit(staff, unitId);
}

/**
 * The phone or email a citizen left with a comment: for the leader of its ward only, who answers
 * the citizen; the city follows comments up without it (issue #11: "visible to the ward leader only").
 */
export function canSeeCitizenContact(staff: StaffMember | null, unitId: string): boolean {
  return staff?.role === 'ward' && canSeeUnit(staff, unitId);
}

/**
 * Officers' badge IDs (what a badge reader turns into a sign-in): for the leader of their ward
 * only. Whoever holds a badge ID can copy a badge and sign in as that officer, so neither the
 * technicians who look after the counters nor the city see them (issue #12).
 */
export function canSeeBadges(staff: StaffMember | null, unitId: string): boolean {
  return staff?.role === 'ward' && canSeeUnit(staff, unitId);
}

/** An officer sees their own record; leaders see the records of the units they may see. */
export function canSeeOfficer(staff: StaffMember | null, officer: { id: string; unitId: string }): boolean {
  if (staff?.role === 'officer') return staff.officerId === officer.id;
  return canSeeUnit(staff, officer.unitId);
}

/**
 * Why an officer's record is refused to `staff`, or null when it may be opened. `officer` is null
 * when no such officer exists: only the city, who may see every officer, is told so ('unknown');
 * anyone else hears the same refusal as for a colleague of another ward, so that nobody can probe
 * which officer IDs exist elsewhere.
 */
export function officerRefusal(
  staff: StaffMember | null,
  officer: { id: string; unitId: string } | null,
): 'unknown' | 'ownRecordOnly' | 'otherWard' | null {
  if (officer && canSeeOfficer(staff, officer)) return null;
  if (!officer && staff?.role === 'city') return 'unknown';
  return staff?.role === 'officer' ? 'ownRecordOnly' : 'otherWard';
}

/** Where each role starts after signing in. */
export function homeOf(staff: StaffMember): string {
  if (staff.role === 'officer' && staff.officerId) return `/officers/${staff.officerId}`;
  if (staff.role === 'ward' && staff.unitId) return `/units/${staff.unitId}`;
  if (staff.role === 'technician') return '/devices';
  return '/';
}
