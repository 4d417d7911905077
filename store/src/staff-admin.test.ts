import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from './schema.js';
import {
  addStaffMember,
  checkStaffPassword,
  disableStaffMember,
  openStaffSession,
  StaffInputError,
  staffBySession,
} from './staff.js';
import {
  canManageRole,
  enableStaffMember,
  findStaff,
  issueSignInLink,
  setStaffPassword,
} from './staff-admin.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

describe.each(STORE_BACKENDS)('managing accounts on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend);
    for (const [username, role, unitId] of [
      ['an.city', 'city', null],
      ['binh.city', 'city', null],
      ['chi.tech', 'technician', null],
      ['dung.tv', 'ward', 'trung-van'],
      ['em.ka', 'ward', 'kim-anh'],
    ] as const)
      await addStaffMember(store.db, { username, role, unitId, actor: 'test' });
  });
  afterAll(async () => {
    await store?.close();
  });
  const actions = async (target: string) =>
    (await store.db.select().from(auditLog).where(eq(auditLog.target, target))).map((r) => r.action);

  it('lets the city manage every role and a technician only technicians', () => {
    for (const role of ['city', 'ward', 'technician', 'officer'])
      expect(canManageRole('city', role)).toBe(true);
    expect(canManageRole('technician', 'technician')).toBe(true);
    for (const role of ['city', 'ward', 'officer', 'boss'])
      expect(canManageRole('technician', role)).toBe(false);
    for (const role of ['ward', 'officer'] as const) expect(canManageRole(role, role)).toBe(false);
  });

  it('lists, filters and pages within the roles asked for', async () => {
    const all = await findStaff(store.db, { roles: ['city', 'ward', 'technician'], limit: 2, offset: 0 });
    expect(all.total).toBe(5);
    expect(all.rows.map((r) => r.username)).toEqual(['an.city', 'binh.city']);
    const techOnly = await findStaff(store.db, { roles: ['technician'], limit: 50, offset: 0 });
    expect(techOnly.rows.map((r) => r.username)).toEqual(['chi.tech']);
    const ward = await findStaff(store.db, {
      roles: ['city', 'ward'],
      role: 'ward',
      unitId: 'kim-anh',
      limit: 50,
      offset: 0,
    });
    expect(ward).toMatchObject({
      total: 1,
      rows: [{ username: 'em.ka', unitId: 'kim-anh', disabled: false }],
    });
  });

  it('never disables the asker’s own account nor the last active city account', async () => {
    await expect(disableStaffMember(store.db, 'an.city', 't', { by: 'an.city' })).rejects.toMatchObject({
      refusal: 'self',
    });
    expect(await disableStaffMember(store.db, 'binh.city', 't', { by: 'an.city' })).toBe(true);
    const last = disableStaffMember(store.db, 'an.city', 't', { by: 'chi.tech' });
    await expect(last).rejects.toBeInstanceOf(StaffInputError);
    await expect(last).rejects.toMatchObject({ refusal: 'lastCity' });
    expect((await findStaff(store.db, { roles: ['city'], limit: 9, offset: 0 })).rows).toMatchObject([
      { username: 'an.city', disabled: false },
      { username: 'binh.city', disabled: true },
    ]);
  });

  it('enables a disabled account again, audited, without bringing its old sessions back', async () => {
    const old = await openStaffSession(store.db, 'chi.tech', 'api');
    expect(await disableStaffMember(store.db, 'chi.tech', 'test')).toBe(true);
    expect(await enableStaffMember(store.db, 'chi.tech', 'test')).toBe(true);
    expect(await enableStaffMember(store.db, 'chi.tech', 'test')).toBe(false);
    expect(await enableStaffMember(store.db, 'nobody', 'test')).toBe(false);
    expect(await staffBySession(store.db, old.token, ['api'])).toBeNull();
    expect(await actions('chi.tech')).toEqual(['staff.add', 'staff.disable', 'staff.enable']);
  });

  it('issues a one-time link for an active account only, audited without its token', async () => {
    const link = await issueSignInLink(store.db, 'dung.tv', 'dashboard:an.city');
    expect(link?.validMinutes).toBe(15);
    expect(await staffBySession(store.db, link!.token, ['link'])).toMatchObject({ username: 'dung.tv' });
    expect(await staffBySession(store.db, link!.token, ['link'])).toBeNull();
    expect(await issueSignInLink(store.db, 'binh.city', 'x')).toBeNull();
    const rows = await store.db.select().from(auditLog).where(eq(auditLog.action, 'staff.link'));
    expect(rows).toMatchObject([
      { actor: 'dashboard:an.city', target: 'dung.tv', details: { validMinutes: 15 } },
    ]);
    expect(JSON.stringify(rows)).not.toContain(link!.token);
  });
  it('sets a chosen password, ending browser sessions but not API tokens', async () => {
    const browser = await openStaffSession(store.db, 'em.ka', 'browser');
    const api = await openStaffSession(store.db, 'em.ka', 'api');
    await expect(setStaffPassword(store.db, 'em.ka', 'too-short', 't')).rejects.toMatchObject({
      refusal: 'password',
    });
    expect(await setStaffPassword(store.db, 'em.ka', 'a-long-new-password', 'dashboard:em.ka')).toBe(true);
    expect(await checkStaffPassword(store.db, 'em.ka', 'a-long-new-password')).toMatchObject({
      role: 'ward',
    });
    expect(await staffBySession(store.db, browser.token, ['browser'])).toBeNull();
    expect(await staffBySession(store.db, api.token, ['api'])).toMatchObject({ username: 'em.ka' });
    expect(await setStaffPassword(store.db, 'binh.city', 'a-long-new-password', 't')).toBe(false);
    expect(await actions('em.ka')).toEqual(['staff.add', 'staff.password']);
  });
});
