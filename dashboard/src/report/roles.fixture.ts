import { addStaffMember, type Database, openStaffSession, schema } from '@onestop/store';

/**
 * Test support for the role × unit matrix of report routes: two units, an officer in each, and
 * one account per role and place, each with an API token.
 */
export const ACCOUNTS = {
  city: { role: 'city', unitId: null, officerId: null },
  'lead.tv': { role: 'ward', unitId: 'trung-van', officerId: null },
  'lead.ka': { role: 'ward', unitId: 'kim-anh', officerId: null },
  tech: { role: 'technician', unitId: null, officerId: null },
  lan: { role: 'officer', unitId: null, officerId: 'cb-lan' },
  tam: { role: 'officer', unitId: null, officerId: 'cb-tam' },
} as const;

export type Account = keyof typeof ACCOUNTS;

export async function seedRoleMatrix(db: Database): Promise<Record<Account, string>> {
  await db.insert(schema.units).values([
    { id: 'trung-van', name: 'Phường Trung Văn', province: 'Hà Nội' },
    { id: 'kim-anh', name: 'Xã Kim Anh', province: 'Hà Nội' },
  ]);
  await db.insert(schema.officers).values([
    { id: 'cb-lan', unitId: 'trung-van', name: 'Nguyễn Thị Lan' },
    { id: 'cb-tam', unitId: 'kim-anh', name: 'Vũ Minh Tâm' },
  ]);
  const tokens = {} as Record<Account, string>;
  for (const [username, a] of Object.entries(ACCOUNTS) as [Account, (typeof ACCOUNTS)[Account]][]) {
    await addStaffMember(db, { username, ...a, actor: 'test' });
    tokens[username] = (await openStaffSession(db, username, 'api')).token;
  }
  return tokens;
}

/** A route's expected answer for each account: a status, or a redirect's target. */
export type Expected = Record<Account, number | string>;
