import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recentAudit } from './audit.js';
import { staffHandovers } from './schema.js';
import { addStaffMember, closeStaffSession, openStaffSession } from './staff.js';
import { putHandover, takeHandover } from './staff-handover.js';
import { openTestStore, type TestStore } from './testing.js';

const LINK = { done: 'added', username: 'khoa.kt', link: { url: 'http://x/login/link?token=SECRET-TOKEN' } };

describe('one-time handovers after an action', () => {
  let store: TestStore;
  const session = async () => (await openStaffSession(store.db, 'tech.ht', 'browser')).token;
  beforeAll(async () => {
    store = await openTestStore('pglite');
    await addStaffMember(store.db, { username: 'tech.ht', role: 'technician', actor: 'test' });
  });
  afterAll(() => store?.close());

  it('is read once, by the session that left it, and showing a link is audited', async () => {
    const mine = await session();
    const other = await session();
    await putHandover(store.db, { sessionToken: mine, target: 'khoa.kt', secret: true, payload: LINK });
    // The database holds neither the link nor anything that opens it.
    const [row] = await store.db.select().from(staffHandovers);
    expect(JSON.stringify(row)).not.toContain('SECRET-TOKEN');
    expect(JSON.stringify(row)).not.toContain(mine);
    expect(await takeHandover(store.db, other, 'dashboard:tech.ht')).toBeNull();
    expect(await takeHandover(store.db, mine, 'dashboard:tech.ht')).toEqual(LINK);
    expect(await takeHandover(store.db, mine, 'dashboard:tech.ht')).toBeNull();
    const [shown] = await recentAudit(store.db, 1, 'staff.link.shown');
    expect(shown).toMatchObject({ actor: 'dashboard:tech.ht', target: 'khoa.kt' });
  });

  it('audits nothing for a notice without a secret; a newer action replaces an unread one', async () => {
    const mine = await session();
    const before = (await recentAudit(store.db, 100, 'staff.link.shown')).length;
    await putHandover(store.db, { sessionToken: mine, target: 'a', secret: true, payload: { n: 1 } });
    await putHandover(store.db, { sessionToken: mine, target: 'b', secret: false, payload: { n: 2 } });
    expect(await takeHandover(store.db, mine, 'x')).toEqual({ n: 2 });
    expect((await recentAudit(store.db, 100, 'staff.link.shown')).length).toBe(before);
  });

  it('is gone once expired, or with its session, and is never kept for an ended session', async () => {
    const expired = await session();
    await putHandover(store.db, { sessionToken: expired, target: 'a', secret: true, payload: LINK });
    await store.db.update(staffHandovers).set({ expiresAt: sql`now() - interval '1 second'` });
    expect(await takeHandover(store.db, expired, 'x')).toBeNull();

    const ended = await session();
    await putHandover(store.db, { sessionToken: ended, target: 'a', secret: true, payload: LINK });
    await closeStaffSession(store.db, ended);
    expect(await store.db.select().from(staffHandovers)).toEqual([]);
    await putHandover(store.db, { sessionToken: ended, target: 'a', secret: true, payload: LINK });
    expect(await store.db.select().from(staffHandovers)).toEqual([]);
  });

  it('opens nothing that was tampered with', async () => {
    const mine = await session();
    await putHandover(store.db, { sessionToken: mine, target: 'a', secret: true, payload: LINK });
    const [row] = await store.db.select().from(staffHandovers);
    const raw = Buffer.from(row!.sealed, 'base64');
    raw[raw.length - 1]! ^= 1;
    await store.db
      .update(staffHandovers)
      .set({ sealed: raw.toString('base64') })
      .where(eq(staffHandovers.sessionHash, row!.sessionHash));
    expect(await takeHandover(store.db, mine, 'x')).toBeNull();
  });
});
