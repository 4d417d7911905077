import { and, asc, count, eq, inArray, isNotNull, isNull, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { hashPassword } from './credentials.js';
import type { Executor } from './db.js';
import { auditLog, staffAccounts, staffSessions } from './schema.js';
import {
  MIN_PASSWORD_LENGTH,
  openStaffSession,
  SESSION_TTL_MS,
  StaffInputError,
  type StaffMember,
  StaffRole,
} from './staff.js';

/**
 * A new account as every caller sends it (`onestop user add`, the control socket, the dashboard's
 * form): the shape only. What each value must be (a sign-in name, a known role, the unit a ward
 * account leads, the officer an officer account belongs to) is checked in one place,
 * `addStaffMember`, which names what it refuses with a `StaffRefusal` code.
 */
export const NewStaffInput = z.strictObject({
  username: z.string().max(200),
  role: z.string().max(40),
  unitId: z.string().max(200).nullable().default(null),
  officerId: z.string().max(200).nullable().default(null),
  displayName: z.string().max(200).optional(),
});
export type NewStaffInput = z.input<typeof NewStaffInput>;

/**
 * Whose accounts a role may manage. The city manages every account. A technician manages their
 * teammates only: never a role that sees evaluations (city, ward, officer), so that nobody can
 * make themselves an account that sees more than their own.
 */
const MANAGES: Record<StaffRole, readonly StaffRole[]> = {
  city: StaffRole.options,
  technician: ['technician'],
  ward: [],
  officer: [],
};

export function managedRoles(manager: StaffRole): readonly StaffRole[] {
  return MANAGES[manager];
}

export function canManageRole(manager: StaffRole, target: string): boolean {
  return (MANAGES[manager] as readonly string[]).includes(target);
}

export type StaffListing = StaffMember & { disabled: boolean; createdAt: Date };

export interface StaffFilter {
  /** Only these roles (what the asker may manage). */
  roles: readonly StaffRole[];
  role?: StaffRole | undefined;
  unitId?: string | undefined;
  limit: number;
  offset: number;
}

/** One page of accounts (by sign-in name) and how many match in all. */
export async function findStaff(
  db: Executor,
  filter: StaffFilter,
): Promise<{ rows: StaffListing[]; total: number }> {
  const where: SQL[] = [inArray(staffAccounts.role, [...filter.roles])];
  if (filter.role) where.push(eq(staffAccounts.role, filter.role));
  if (filter.unitId) where.push(eq(staffAccounts.unitId, filter.unitId));
  const [rows, [counted]] = await Promise.all([
    db
      .select()
      .from(staffAccounts)
      .where(and(...where))
      .orderBy(asc(staffAccounts.username))
      .limit(filter.limit)
      .offset(filter.offset),
    db
      .select({ n: count() })
      .from(staffAccounts)
      .where(and(...where)),
  ]);
  return {
    rows: rows.map((r) => ({
      username: r.username,
      displayName: r.displayName,
      role: StaffRole.parse(r.role),
      unitId: r.unitId,
      officerId: r.officerId,
      disabled: r.disabledAt !== null,
      createdAt: r.createdAt,
    })),
    total: counted?.n ?? 0,
  };
}

/** One account, active or not, or null. */
export async function findStaffMember(
  db: Executor,
  username: string,
): Promise<{ username: string; role: string; disabled: boolean } | null> {
  const [row] = await db
    .select({
      username: staffAccounts.username,
      role: staffAccounts.role,
      disabledAt: staffAccounts.disabledAt,
    })
    .from(staffAccounts)
    .where(eq(staffAccounts.username, username));
  return row ? { username: row.username, role: row.role, disabled: row.disabledAt !== null } : null;
}

/**
 * Lets a disabled account sign in again (false when there is no disabled account of that name). Its old sessions and tokens stay ended (disabling
 * deleted them): the person signs in afresh, with a new link or their password.
 */
export async function enableStaffMember(db: Executor, username: string, actor: string): Promise<boolean> {
  const rows = await db
    .update(staffAccounts)
    .set({ disabledAt: null })
    .where(and(eq(staffAccounts.username, username), isNotNull(staffAccounts.disabledAt)))
    .returning({ username: staffAccounts.username });
  if (rows.length === 0) return false;
  await db.insert(auditLog).values({ actor, action: 'staff.enable', target: username });
  return true;
}

/**
 * A one-time sign-in link's token for an active account (null for none): how a new account gets
 * in, and how someone who lost their password does. Audited without the token, which is returned
 * once and stored only as a hash.
 */
export async function issueSignInLink(
  db: Executor,
  username: string,
  actor: string,
): Promise<{ token: string; expiresAt: Date; validMinutes: number } | null> {
  const [active] = await db
    .select({ username: staffAccounts.username })
    .from(staffAccounts)
    .where(and(eq(staffAccounts.username, username), isNull(staffAccounts.disabledAt)));
  if (!active) return null;
  const { token, expiresAt } = await openStaffSession(db, username, 'link');
  const validMinutes = SESSION_TTL_MS.link / 60_000;
  await db
    .insert(auditLog)
    .values({ actor, action: 'staff.link', target: username, details: { validMinutes } });
  return { token, expiresAt, validMinutes };
}

/**
 * A new password chosen by the account's owner (through a one-time sign-in link: the link is the
 * proof). Browser sessions signed in with the old one end, as after any reset; API tokens stay,
 * since integrations hold them and the password never gave them. Audited, without the password.
 */
export async function setStaffPassword(
  db: Executor,
  username: string,
  password: string,
  actor: string,
): Promise<boolean> {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new StaffInputError('password', `password: at least ${MIN_PASSWORD_LENGTH} characters`);
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(staffAccounts)
      .set({ passwordHash })
      .where(and(eq(staffAccounts.username, username), isNull(staffAccounts.disabledAt)))
      .returning({ username: staffAccounts.username });
    if (rows.length === 0) return false;
    await tx
      .delete(staffSessions)
      .where(and(eq(staffSessions.username, username), eq(staffSessions.kind, 'browser')));
    await tx.insert(auditLog).values({ actor, action: 'staff.password', target: username });
    return true;
  });
}
