import {
  addStaffMember,
  type Database,
  disableStaffMember,
  enableStaffMember,
  issueSignInLink,
  listStaff,
  NewStaffInput,
  openStaffSession,
  retireOfficer,
  saveOfficer,
  staffBySession,
  unitRoster,
} from '@onestop/store';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { operation } from './operation.js';

async function activeAccount(db: Database, username: string) {
  const account = (await listStaff(db)).find((s) => s.username === username && !s.disabled);
  if (!account) throw new UsageError(`no active account '${username}'`);
  return account;
}

/** A unit's roster and the dashboard accounts. */
export const peopleOperations = {
  'officer.add': operation(
    z.strictObject({
      unitId: z.string(),
      officerId: z.string(),
      name: z.string(),
      badge: z.string().nullable().default(null),
    }),
    (db, input, actor) =>
      // At the console: an administrator, so a transfer from another unit is allowed.
      saveOfficer(db, { ...input, actor, transferFromOtherUnit: true }),
  ),
  'officer.list': operation(z.strictObject({ unitId: z.string() }), (db, { unitId }) =>
    unitRoster(db, unitId),
  ),
  'officer.retire': operation(z.strictObject({ officerId: z.string() }), async (db, { officerId }, actor) => {
    if (!(await retireOfficer(db, officerId, actor)))
      throw new UsageError(`no active officer '${officerId}'`);
    return { officerId, retired: true as const };
  }),
  // The same input and rules as the dashboard's "add an account" form (store: NewStaffInput).
  'user.add': operation(NewStaffInput, (db, input, actor) => addStaffMember(db, { ...input, actor })),
  'user.list': operation(z.strictObject({}), (db) => listStaff(db)),
  'user.disable': operation(z.strictObject({ username: z.string() }), async (db, { username }, actor) => {
    if (!(await disableStaffMember(db, username, actor)))
      throw new UsageError(`no active account '${username}'`);
    return { username, disabled: true as const };
  }),
  'user.enable': operation(z.strictObject({ username: z.string() }), async (db, { username }, actor) => {
    if (!(await enableStaffMember(db, username, actor)))
      throw new UsageError(`no disabled account '${username}'`);
    return { username, disabled: false as const };
  }),
  'user.token': operation(
    z.strictObject({ username: z.string(), days: z.int().min(1).max(3650) }),
    async (db, { username, days }) => {
      await activeAccount(db, username);
      const t = await openStaffSession(db, username, 'api', new Date(), days * 86_400_000);
      return { username, token: t.token, expiresAt: t.expiresAt };
    },
  ),
  'user.link': operation(z.strictObject({ username: z.string() }), async (db, { username }, actor) => {
    const t = await issueSignInLink(db, username, actor);
    if (!t) throw new UsageError(`no active account '${username}'`);
    return { username, token: t.token, expiresAt: t.expiresAt, validMinutes: t.validMinutes };
  }),
  'user.whoami': operation(z.strictObject({ token: z.string() }), async (db, { token }) => {
    const who = await staffBySession(db, token, ['api']);
    if (!who) throw new UsageError('token is unknown, expired or its account is disabled');
    return who;
  }),
};
