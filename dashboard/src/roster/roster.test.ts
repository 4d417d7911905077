import { retireOfficer, saveOfficer, schema } from '@onestop/store';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { peopleSuite } from '../access/fixture.js';

/** The city keeps rosters but may not see badge IDs: what it saves must leave them alone. */
describe('the roster for a viewer who may not see badges', () => {
  const { ctx, as } = peopleSuite('pglite', new Date());
  const post = (who: 'city' | 'lead.tv', form: Record<string, string>) =>
    ctx.app.request('/units/trung-van/roster', {
      method: 'POST',
      headers: { authorization: `Bearer ${ctx.tokens[who]}`, origin: 'http://localhost' },
      body: new URLSearchParams(form),
    });
  const badgeOf = async (id: string) =>
    (await ctx.store.db.select().from(schema.officers).where(eq(schema.officers.id, id)))[0]?.badge;
  const notice = (html: string) => /data-testid="notice">([^<]*)</.exec(html)?.[1] ?? '';

  it('renames an officer without erasing their badge, and gets no badge field', async () => {
    expect((await post('lead.tv', { officerId: 'cb-an', name: 'An', badge: '0042' })).status).toBe(200);
    const form = await (await as('city', '/units/trung-van/roster')).text();
    expect(form).not.toContain('name="badge"');
    expect(form).not.toContain('0042');
    // What the form posts when the field is absent, and what an older page posted: both keep it.
    for (const extra of [{}, { badge: '' }] as Array<Record<string, string>>) {
      const renamed = await post('city', { officerId: 'cb-an', name: 'Nguyễn Văn An', ...extra });
      expect(renamed.status).toBe(200);
      expect(await badgeOf('cb-an')).toBe('0042');
    }
    // The unit's leader still clears it with a blank field.
    await post('lead.tv', { officerId: 'cb-an', name: 'Nguyễn Văn An', badge: '' });
    expect(await badgeOf('cb-an')).toBeNull();
  });

  it('refuses a badge posted by the city (a forged form), changing nothing', async () => {
    await post('lead.tv', { officerId: 'cb-binh', name: 'Bình', badge: '0051' });
    const forged = await post('city', { officerId: 'cb-binh', name: 'Bình 2', badge: '9999' });
    expect(forged.status).toBe(403);
    expect(notice(await forged.text())).toBe('Chỉ lãnh đạo đơn vị được đặt mã thẻ của cán bộ.');
    const [row] = await ctx.store.db.select().from(schema.officers).where(eq(schema.officers.id, 'cb-binh'));
    expect(row).toMatchObject({ name: 'Bình', badge: '0051' });
  });

  it('words a badge clash without the badge or the other officer for the city', async () => {
    await post('lead.tv', { officerId: 'cb-chi', name: 'Chi', badge: '0077' });
    // An officer retired from another unit with the same badge number, transferred in by the city.
    await saveOfficer(ctx.store.db, {
      unitId: 'kim-anh',
      officerId: 'cb-dung',
      name: 'Dũng',
      badge: '0077',
      actor: 't',
    });
    await retireOfficer(ctx.store.db, 'cb-dung', 't');
    const clash = await post('city', { officerId: 'cb-dung', name: 'Dũng' });
    expect(clash.status).toBe(400);
    const html = await clash.text();
    expect(notice(html)).toContain('đã được dùng cho một cán bộ khác');
    expect(notice(html)).not.toMatch(/0077|cb-chi/);
    expect(html).not.toContain('0077');
    // The unit's leader, who may see badges, is told which.
    const lead = await post('lead.tv', { officerId: 'cb-em', name: 'Em', badge: '0077' });
    expect(notice(await lead.text())).toBe('badge &#39;0077&#39; already belongs to &#39;cb-chi&#39;');
  });
});
