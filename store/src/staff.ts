import { createHash } from 'node:crypto';
import { DAY_MS, UnitId } from '@onestop/protocol';
import { and, asc, eq, gt, isNull, lt, or } from 'drizzle-orm';
import { z } from 'zod';
import { generatePassword, hashPassword, randomSecret, verifyPassword } from './credentials.js';
import type { Executor } from './db.js';
import { StoreInputError } from './devices.js';
import { auditLog, officers, staffAccounts, staffSessions, units } from './schema.js';

/** What a dashboard account may see: the whole city, one ward's unit, the device fleet, or one's own record. */
export const StaffRole = z.enum(['city', 'ward', 'technician', 'officer']);
export type StaffRole = z.infer<typeof StaffRole>;

export const StaffUsername = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{1,62}$/, 'lower-case letters, digits, . _ - (2–63 characters)');

/**
 * What was wrong with an account change, as a code: the CLI prints the message (naming its flag),
 * the dashboard words the code in the reader's language beside the field.
 */
export type StaffRefusal =
  | 'username'
  | 'role'
  | 'unit'
  | 'officer'
  | 'password'
  | 'exists'
  | 'self'
  | 'lastCity';

export class StaffInputError extends StoreInputError {
  constructor(
    readonly refusal: StaffRefusal,
    message: string,
  ) {
    super(message);
  }
}

export interface StaffMember {
  username: string;
  displayName: string;
  role: StaffRole;
  /** Set for `ward` accounts (the unit they lead) and `officer` accounts (the unit they work in). */
  unitId: string | null;
  /** Set for `officer` accounts only: whose record they may see, their own. */
  officerId: string | null;
}

/** The shortest password anyone may choose (`user add --password`, a sign-in link's new password). */
export const MIN_PASSWORD_LENGTH = 12;

export type SessionKind = 'browser' | 'api' | 'link';

/** A browser session lasts a working week; a sign-in link only minutes; API tokens as asked. */
export const SESSION_TTL_MS: Record<SessionKind, number> = {
  browser: 7 * DAY_MS,
  api: 365 * DAY_MS,
  link: 15 * 60_000,
};

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function toMember(row: typeof staffAccounts.$inferSelect): StaffMember {
  return {
    username: row.username,
    displayName: row.displayName,
    role: StaffRole.parse(row.role),
    unitId: row.unitId,
    officerId: row.officerId,
  };
}

export interface NewStaffMember {
  username: string;
  displayName?: string;
  role: string;
  unitId?: string | null;
  /** For `officer` accounts: the officer (on a unit roster) whose record this person sees. */
  officerId?: string | null;
  actor: string;
  /** Default: a generated one, returned once. */
  password?: string;
}

export async function addStaffMember(
  db: Executor,
  input: NewStaffMember,
): Promise<StaffMember & { password: string }> {
  const username = StaffUsername.safeParse(input.username);
  if (!username.success)
    throw new StaffInputError('username', `--name: ${username.error.issues[0]?.message}`);
  const role = StaffRole.safeParse(input.role);
  if (!role.success)
    throw new StaffInputError('role', `--role: must be one of ${StaffRole.options.join(', ')}`);
  let unitId: string | null = null;
  let officerId: string | null = null;
  if (role.data === 'officer') {
    const [officer] = await db
      .select({ id: officers.id, unitId: officers.unitId })
      .from(officers)
      .where(and(eq(officers.id, input.officerId ?? ''), isNull(officers.retiredAt)));
    if (!officer)
      throw new StaffInputError('officer', `--officer: no officer '${input.officerId ?? ''}' on any roster`);
    officerId = officer.id;
    unitId = officer.unitId;
  } else if (input.officerId) {
    throw new StaffInputError('officer', '--officer: only officer accounts belong to one officer');
  } else if (role.data === 'ward') {
    const unit = UnitId.safeParse(input.unitId);
    if (!unit.success) throw new StaffInputError('unit', '--unit: a ward account needs the unit it leads');
    // Like `device add`, an account may come before the unit's first device.
    await db.insert(units).values({ id: unit.data, name: unit.data }).onConflictDoNothing();
    unitId = unit.data;
  } else if (input.unitId) {
    throw new StaffInputError('unit', `--unit: only ward accounts belong to one unit`);
  }
  if (input.password !== undefined && input.password.length < MIN_PASSWORD_LENGTH)
    throw new StaffInputError('password', `--password: at least ${MIN_PASSWORD_LENGTH} characters`);
  const password = input.password ?? generatePassword();
  const inserted = await db
    .insert(staffAccounts)
    .values({
      username: username.data,
      displayName: input.displayName?.trim() || username.data,
      role: role.data,
      unitId,
      officerId,
      passwordHash: await hashPassword(password),
    })
    .onConflictDoNothing()
    .returning();
  const row = inserted[0];
  if (!row) throw new StaffInputError('exists', `account '${username.data}' already exists`);
  await db.insert(auditLog).values({
    actor: input.actor,
    action: 'staff.add',
    target: username.data,
    details: { role: role.data, unitId, officerId },
  });
  return { ...toMember(row), password };
}

export async function listStaff(db: Executor): Promise<Array<StaffMember & { disabled: boolean }>> {
  const rows = await db.select().from(staffAccounts).orderBy(asc(staffAccounts.username));
  return rows.map((r) => ({ ...toMember(r), disabled: r.disabledAt !== null }));
}

export async function countActiveStaff(db: Executor): Promise<number> {
  const rows = await db
    .select({ username: staffAccounts.username })
    .from(staffAccounts)
    .where(isNull(staffAccounts.disabledAt));
  return rows.length;
}

/**
 * Disables the account and ends all its sessions, sign-in links and API tokens at once. Refused
 * (`StaffInputError`) for the asker's own account (`by`) and for the last active city account:
 * the city is who adds accounts, so without one nobody could from the dashboard.
 */
export async function disableStaffMember(
  db: Executor,
  username: string,
  actor: string,
  opts: { by?: string } = {},
): Promise<boolean> {
  if (opts.by === username) throw new StaffInputError('self', 'an account cannot disable itself');
  return db.transaction(async (tx) => {
    // Locking every active city account makes two city accounts disabled at the same moment
    // wait for each other, so the second sees the first gone and the last one is always kept.
    const cities = await tx
      .select({ username: staffAccounts.username })
      .from(staffAccounts)
      .where(and(eq(staffAccounts.role, 'city'), isNull(staffAccounts.disabledAt)))
      .for('update');
    const [target] = await tx
      .select({ role: staffAccounts.role })
      .from(staffAccounts)
      .where(and(eq(staffAccounts.username, username), isNull(staffAccounts.disabledAt)));
    if (!target) return false;
    if (target.role === 'city' && cities.every((c) => c.username === username))
      throw new StaffInputError('lastCity', `'${username}' is the last active city account`);
    await tx
      .update(staffAccounts)
      .set({ disabledAt: new Date() })
      .where(eq(staffAccounts.username, username));
    await tx.delete(staffSessions).where(eq(staffSessions.username, username));
    await tx.insert(auditLog).values({ actor, action: 'staff.disable', target: username });
    return true;
  });
}

// A real hash to verify against when the account does not exist, so that a wrong username
// costs the same time as a wrong password and does not reveal which accounts exist.
let decoyHash: Promise<string> | null = null;

export async function checkStaffPassword(
  db: Executor,
  username: string,
  password: string,
): Promise<StaffMember | null> {
  const rows = await db
    .select()
    .from(staffAccounts)
    .where(and(eq(staffAccounts.username, username), isNull(staffAccounts.disabledAt)));
  const row = rows[0];
  decoyHash ??= hashPassword(generatePassword());
  const ok = await verifyPassword(password, row?.passwordHash ?? (await decoyHash));
  return row && ok ? toMember(row) : null;
}

/** Opens a session (or API token, or one-time sign-in link) and returns its secret token once. */
export async function openStaffSession(
  db: Executor,
  username: string,
  kind: SessionKind,
  now = new Date(),
  ttlMs = SESSION_TTL_MS[kind],
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomSecret(32);
  const expiresAt = new Date(now.getTime() + ttlMs);
  await db.insert(staffSessions).values({ tokenHash: hashToken(token), username, kind, expiresAt });
  // Expired rows are swept on the way, so the table never grows without bound.
  await db.delete(staffSessions).where(lt(staffSessions.expiresAt, now));
  return { token, expiresAt };
}

/**
 * The account behind a session or API token, if it is valid now. A `link` token is consumed:
 * deleting it in the same statement makes it work exactly once even under concurrent use.
 */
export async function staffBySession(
  db: Executor,
  token: string,
  kinds: readonly SessionKind[],
  now = new Date(),
): Promise<StaffMember | null> {
  if (token.length < 20 || token.length > 100) return null;
  const tokenHash = hashToken(token);
  let username: string | undefined;
  if (kinds.includes('link')) {
    const used = await db
      .delete(staffSessions)
      .where(
        and(
          eq(staffSessions.tokenHash, tokenHash),
          eq(staffSessions.kind, 'link'),
          gt(staffSessions.expiresAt, now),
        ),
      )
      .returning({ username: staffSessions.username });
    username = used[0]?.username;
  }
  const others = kinds.filter((k) => k !== 'link');
  if (!username && others.length > 0) {
    const rows = await db
      .select({ username: staffSessions.username })
      .from(staffSessions)
      .where(
        and(
          eq(staffSessions.tokenHash, tokenHash),
          or(...others.map((k) => eq(staffSessions.kind, k))),
          gt(staffSessions.expiresAt, now),
        ),
      );
    username = rows[0]?.username;
  }
  if (!username) return null;
  const account = await db
    .select()
    .from(staffAccounts)
    .where(and(eq(staffAccounts.username, username), isNull(staffAccounts.disabledAt)));
  return account[0] ? toMember(account[0]) : null;
}

export async function closeStaffSession(db: Executor, token: string): Promise<void> {
  await db.delete(staffSessions).where(eq(staffSessions.tokenHash, hashToken(token)));
}
