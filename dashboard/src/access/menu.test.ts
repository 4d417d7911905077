import { addComment, staffBySession } from '@onestop/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../auth/access.js';
import { accessFixture, PEOPLE } from './fixture.js';
import { menuFor } from './menu.js';

describe('the menu', () => {
  let f: Awaited<ReturnType<typeof accessFixture>>;
  beforeAll(async () => {
    f = await accessFixture();
    // A new comment, so the ward leader's menu carries its badge entry as in real use.
    await addComment(f.store.db, {
      unitId: 'trung-van',
      counterId: null,
      officerId: null,
      dossierId: null,
      kind: null,
      body: 'Cán bộ nhiệt tình',
      contact: null,
    });
  });
  afterAll(async () => {
    await f?.store.close();
  });

  for (const person of PEOPLE) {
    it(`opens every entry of ${person}'s menu with 200`, async () => {
      const staff = await staffBySession(f.store.db, f.cookies[person], ['browser']);
      expect(staff).not.toBeNull();
      const menu = menuFor(staff);
      expect(menu.length).toBeGreaterThan(0);
      const answers = await Promise.all(
        menu.map(async (item) => [item.href, (await f.get(person, item.href)).status] as const),
      );
      expect(Object.fromEntries(answers)).toEqual(Object.fromEntries(menu.map((m) => [m.href, 200])));
      // The page itself shows that same menu (the layout derives it from `menuFor`).
      const home = await (
        await f.app.request(menu[0]!.href, { headers: { cookie: `${SESSION_COOKIE}=${f.cookies[person]}` } })
      ).text();
      for (const item of menu) expect(home).toContain(`href="${item.href}"`);
    });
  }
});
