import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreInputError } from './devices.js';
import { auditLog, officers, staffSessions } from './schema.js';
import {
  addStaffMember,
  checkStaffPassword,
  closeStaffSession,
  countActiveStaff,
  disableStaffMember,
  listStaff,
  openStaffSession,
  staffBySession,
} from './staff.js';
import { openTestStore, STORE_BACKENDS, type TestStore } from './testing.js';

describe.each(STORE_BACKENDS)('dashboard accounts on %s', (backend) => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore(backend);
  });
  afterAll(async () => {
    await store?.close();
  });

  it('adds accounts with a generated password that only verifies as itself', async () => {
    const a = await addStaffMember(store.db, { username: 'lan.ct', role: 'city', actor: 'test' });
    expect(a.password.length).toBeGreaterThanOrEqual(24);
    expect(await checkStaffPassword(store.db, 'lan.ct', a.password)).toMatchObject({ role: 'city' });
    expect(await checkStaffPassword(store.db, 'lan.ct', `${a.password}x`)).toBeNull();
    expect(await checkStaffPassword(store.db, 'nobody', a.password)).toBeNull();
    const audit = await store.db.select().from(auditLog).where(eq(auditLog.target, 'lan.ct'));
    expect(audit.map((r) => r.action)).toEqual(['staff.add']);
  });

  it('ties a ward account to one unit and rejects bad input naming the flag', async () => {
    const w = await addStaffMember(store.db, {
      username: 'hoa.tv',
      role: 'ward',
      unitId: 'trung-van',
      actor: 'test',
      password: 'a-long-enough-password',
    });
    expect(w).toMatchObject({ role: 'ward', unitId: 'trung-van' });
    await expect(addStaffMember(store.db, { username: 'x1', role: 'ward', actor: 't' })).rejects.toThrow(
      /--unit/,
    );
    await expect(addStaffMember(store.db, { username: 'x2', role: 'boss', actor: 't' })).rejects.toThrow(
      /--role/,
    );
    await expect(
      addStaffMember(store.db, { username: 'Bad Name', role: 'city', actor: 't' }),
    ).rejects.toThrow(StoreInputError);
    await expect(addStaffMember(store.db, { username: 'hoa.tv', role: 'city', actor: 't' })).rejects.toThrow(
      "account 'hoa.tv' already exists",
    );
  });

  it('ties an officer account to an officer on a roster, and to that officer’s unit', async () => {
    await store.db.insert(officers).values({ id: 'cb-lan', unitId: 'trung-van', name: 'Nguyễn Thị Lan' });
    const o = await addStaffMember(store.db, {
      username: 'lan',
      role: 'officer',
      officerId: 'cb-lan',
      actor: 't',
    });
    expect(o).toMatchObject({ role: 'officer', officerId: 'cb-lan', unitId: 'trung-van' });
    await expect(
      addStaffMember(store.db, { username: 'nobody', role: 'officer', officerId: 'cb-ghost', actor: 't' }),
    ).rejects.toThrow("--officer: no officer 'cb-ghost' on any roster");
    await expect(
      addStaffMember(store.db, { username: 'mix', role: 'city', officerId: 'cb-lan', actor: 't' }),
    ).rejects.toThrow(/--officer/);
  });

  it('keeps sessions as hashes, honours expiry and kind, and ends them on logout', async () => {
    await addStaffMember(store.db, { username: 'minh.kt', role: 'technician', actor: 'test' });
    const t0 = new Date('2026-11-29T08:00:00Z');
    const s = await openStaffSession(store.db, 'minh.kt', 'browser', t0);
    const stored = await store.db.select().from(staffSessions).where(eq(staffSessions.username, 'minh.kt'));
    expect(stored.map((r) => r.tokenHash)).not.toContain(s.token);
    expect(await staffBySession(store.db, s.token, ['browser'], t0)).toMatchObject({ username: 'minh.kt' });
    expect(await staffBySession(store.db, s.token, ['api'], t0)).toBeNull();
    expect(await staffBySession(store.db, s.token, ['browser'], s.expiresAt)).toBeNull();
    await closeStaffSession(store.db, s.token);
    expect(await staffBySession(store.db, s.token, ['browser'], t0)).toBeNull();
  });

  it('lets a sign-in link work exactly once', async () => {
    const link = await openStaffSession(store.db, 'lan.ct', 'link');
    const [a, b] = await Promise.all([
      staffBySession(store.db, link.token, ['link']),
      staffBySession(store.db, link.token, ['link']),
    ]);
    expect([a, b].filter(Boolean)).toHaveLength(1);
  });

  it('disabling an account ends its sessions and refuses its password', async () => {
    const m = await addStaffMember(store.db, { username: 'tam.ct', role: 'city', actor: 'test' });
    const s = await openStaffSession(store.db, 'tam.ct', 'api');
    const before = await countActiveStaff(store.db);
    expect(await disableStaffMember(store.db, 'tam.ct', 'test')).toBe(true);
    expect(await disableStaffMember(store.db, 'tam.ct', 'test')).toBe(false);
    expect(await staffBySession(store.db, s.token, ['api'])).toBeNull();
    expect(await checkStaffPassword(store.db, 'tam.ct', m.password)).toBeNull();
    expect(await countActiveStaff(store.db)).toBe(before - 1);
    expect((await listStaff(store.db)).find((x) => x.username === 'tam.ct')?.disabled).toBe(true);
  });
});
