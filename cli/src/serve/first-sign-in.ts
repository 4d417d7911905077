import { addStaffMember, type Database, listStaff, openStaffSession } from '@onestop/store';

export interface FirstSignIn {
  /** One-time link that signs the operator in as a city account (valid 15 minutes). */
  link: string | null;
  /** Set only when this start created the first account: its password is shown this once. */
  created: { username: string; password: string } | null;
}

/**
 * A fresh install has no dashboard accounts. Like most self-hosted dashboards, the first start
 * creates an administrator and prints its password once; every start of the all-in-one then
 * prints a one-time sign-in link for the operator at the console (who can read the data
 * folder anyway), which `npm start` opens in the browser.
 */
export async function prepareFirstSignIn(db: Database, dashboardUrl: string): Promise<FirstSignIn> {
  let created: FirstSignIn['created'] = null;
  // Only a database with no accounts at all gets one: accounts an administrator disabled stay
  // disabled (then no link is printed; `onestop user add` makes a new one).
  if ((await listStaff(db)).length === 0) {
    const admin = await addStaffMember(db, {
      username: 'admin',
      displayName: 'Quản trị viên',
      role: 'city',
      actor: 'serve:first-start',
    });
    created = { username: admin.username, password: admin.password };
  }
  const city = (await listStaff(db)).find((s) => s.role === 'city' && !s.disabled);
  if (!city) return { link: null, created };
  const { token } = await openStaffSession(db, city.username, 'link');
  return { link: `${dashboardUrl}/login/link?token=${token}`, created };
}
