import { findDeviceByUsername, recentAudit, schema, verifyDeviceSecret } from '@onestop/store';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, accessFixture } from '../../access/fixture.js';
import { SESSION_COOKIE } from '../../auth/access.js';

const ORIGIN = 'http://localhost';

/** The buttons of the device page, as the people who may and may not press them. */
describe('device lifecycle from the dashboard', () => {
  let fx: Awaited<ReturnType<typeof accessFixture>>;
  beforeAll(async () => {
    fx = await accessFixture();
  });
  afterAll(async () => {
    await fx?.store.close();
  });

  const get = (who: Account, path: string) => fx.get(who, path);
  const post = (who: Account, path: string, form: Record<string, string>, origin = ORIGIN) =>
    fx.app.request(path, {
      method: 'POST',
      headers: {
        cookie: `${SESSION_COOKIE}=${fx.cookies[who]}`,
        origin,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(form),
    });
  const row = async (id: string) =>
    (await fx.store.db.select().from(schema.devices).where(eq(schema.devices.id, id)))[0];

  it('shows the actions to technicians and the city, not to ward leaders', async () => {
    for (const who of ['tech', 'city'] as const) {
      const html = await (await get(who, `/devices/${fx.deviceId}`)).text();
      expect(html).toContain('data-testid="lifecycle-replace"');
      expect(html).toContain('data-testid="lifecycle-rotate"');
      expect(html).not.toContain('data-testid="lifecycle-restore"');
    }
    const lead = await (await get('lead.tv', `/devices/${fx.deviceId}`)).text();
    expect(lead).not.toContain('data-testid="lifecycle');
    expect((await get('lead.tv', `/devices/${fx.deviceId}/lifecycle/replace`)).status).toBe(403);
  });

  it('refuses a ward leader’s post and a forged cross-site form, changing nothing', async () => {
    const lead = await post('lead.tv', `/devices/${fx.deviceId}/lifecycle/replace`, {
      confirm: 'yes',
      newDeviceId: 'q01-lead',
    });
    expect(lead.status).toBe(403);
    const forged = await post(
      'tech',
      `/devices/${fx.deviceId}/lifecycle/rotate`,
      { confirm: 'yes' },
      'http://evil.example',
    );
    expect(forged.status).toBe(403);
    expect(await row('q01-lead')).toBeUndefined();
    expect(await recentAudit(fx.store.db, 10, 'device.rotate')).toEqual([]);
  });

  it('asks for confirmation and keeps the input when the form is refused', async () => {
    const page = await (await get('tech', `/devices/${fx.deviceId}/lifecycle/replace`)).text();
    expect(page).toContain('name="confirm" value="yes"');
    expect(page).toContain('Mã bo mạch mới');
    const unconfirmed = await post('tech', `/devices/${fx.deviceId}/lifecycle/replace`, {
      newDeviceId: 'q01-b',
    });
    expect(unconfirmed.status).toBe(400);
    expect(await unconfirmed.text()).toContain('value="q01-b"');
    const bad = await post('tech', `/devices/${fx.deviceId}/lifecycle/replace`, {
      confirm: 'yes',
      newDeviceId: 'Q 01',
      drainDays: '3',
    });
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain('Mã bo mạch mới:');
    expect(html).toContain('value="3"');
    expect((await row(fx.deviceId))?.replacedBy).toBeNull();
  });

  it('replaces the board, shows the new password once to its requester, then restores and rotates', async () => {
    const res = await post('tech', `/devices/${fx.deviceId}/lifecycle/replace`, {
      confirm: 'yes',
      newDeviceId: 'q01-new',
      drainDays: '2',
    });
    expect(res.status).toBe(303);
    const to = res.headers.get('location')!;
    expect(to).toMatch(/^\/devices\/q01-new\/credentials\/[\w-]{24}$/);
    // Another person following the link gets nothing, and does not use it up.
    expect(await (await get('city', to)).text()).toContain('đã được xem hoặc đã hết hạn');
    const shown = await (await get('tech', to)).text();
    const password = /&quot;password&quot;: &quot;([^&]+)&quot;/.exec(shown)?.[1];
    const creds = await findDeviceByUsername(fx.store.db, 'dev-q01-new');
    expect(await verifyDeviceSecret(password!, creds!.passwordHash)).toBe(true);
    expect(shown).toContain(`href="/devices/${fx.deviceId}"`);
    // A refresh shows it no more.
    const again = await (await get('tech', to)).text();
    expect(again).not.toContain(password!);
    expect(again).toContain('đã được xem hoặc đã hết hạn');
    expect(await row(fx.deviceId)).toMatchObject({ replacedBy: 'q01-new' });
    const [audit] = await recentAudit(fx.store.db, 1, 'device.replace');
    expect(audit).toMatchObject({ actor: 'dashboard:tech', target: fx.deviceId });

    // The old board drains: only revoke is offered. Revoked, it may not come back while q01-new runs.
    const old = await (await get('tech', `/devices/${fx.deviceId}`)).text();
    expect(old).toContain('data-testid="draining"');
    expect(old).toContain('data-testid="lifecycle-revoke"');
    const revoke = await post('tech', `/devices/${fx.deviceId}/lifecycle/revoke`, { confirm: 'yes' });
    expect(revoke.headers.get('location')).toBe(`/devices/${fx.deviceId}/lifecycle/revoke/done`);
    expect((await get('tech', revoke.headers.get('location')!)).status).toBe(200);
    const refused = await post('tech', `/devices/${fx.deviceId}/lifecycle/restore`, { confirm: 'yes' });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('now runs on &#39;q01-new&#39;');

    await post('city', '/devices/q01-new/lifecycle/revoke', { confirm: 'yes' });
    const restored = await post('city', `/devices/${fx.deviceId}/lifecycle/restore`, { confirm: 'yes' });
    expect(restored.status).toBe(303);
    expect(await row(fx.deviceId)).toMatchObject({ revokedAt: null, replacedBy: null });

    const rotate = await post('tech', `/devices/${fx.deviceId}/lifecycle/rotate`, { confirm: 'yes' });
    const page = await (await get('tech', rotate.headers.get('location')!)).text();
    const fresh = /&quot;password&quot;: &quot;([^&]+)&quot;/.exec(page)?.[1];
    const hash = (await row(fx.deviceId))!.passwordHash;
    expect(await verifyDeviceSecret(fresh!, hash)).toBe(true);
    expect((await recentAudit(fx.store.db, 1, 'device.rotate'))[0]?.actor).toBe('dashboard:tech');
  });
});
