import {
  applyAlertChanges,
  listAlerts,
  openStaffSession,
  provisionDevice,
  unitAlertHookList,
} from '@onestop/store';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Account, peopleSuite } from '../../access/fixture.js';
import { SESSION_COOKIE } from '../../auth/access.js';

const NOW = new Date('2026-11-20T03:00:00Z');
const ORIGIN = { origin: 'http://localhost' };

describe('alerts console', () => {
  const { ctx, as } = peopleSuite('pglite', NOW);
  let tvAlert = 0;
  let kaAlert = 0;
  beforeAll(async () => {
    const tv = (await provisionDevice(ctx.store.db, { unitId: 'trung-van', counterId: 'q01', actor: 't' }))
      .deviceId;
    const ka = (await provisionDevice(ctx.store.db, { unitId: 'kim-anh', counterId: 'q01', actor: 't' }))
      .deviceId;
    await applyAlertChanges(ctx.store.db, [
      { deviceId: tv, kind: 'camera_error', message: 'camera: gone' },
      { deviceId: ka, kind: 'overheating', message: 'CPU 80 °C' },
    ]);
    const all = await listAlerts(ctx.store.db, { unitId: null });
    tvAlert = all.find((a) => a.unitId === 'trung-van')!.id;
    kaAlert = all.find((a) => a.unitId === 'kim-anh')!.id;
  });
  const post = (who: Account, path: string, form: Record<string, string>) =>
    ctx.app.request(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${ctx.tokens[who]}`, ...ORIGIN },
      body: new URLSearchParams(form),
    });

  it('lists alerts with filters; a ward leader sees their own unit only', async () => {
    const all = await (await as('tech', '/devices/alerts')).text();
    expect(all).toContain(`data-testid="alert-${tvAlert}"`);
    expect(all).toContain(`data-testid="alert-${kaAlert}"`);
    const hot = await (await as('tech', '/devices/alerts?kind=overheating&unit=')).text();
    expect(hot).not.toContain(`data-testid="alert-${tvAlert}"`);
    const ka = await (await as('tech', '/devices/alerts?unit=kim-anh')).text();
    expect(ka).not.toContain(`data-testid="alert-${tvAlert}"`);
    const lead = await (await as('lead.ka', '/devices/alerts?unit=trung-van')).text();
    expect(lead).toContain(`data-testid="alert-${kaAlert}"`);
    expect(lead).not.toContain(`data-testid="alert-${tvAlert}"`);
    expect((await as('tech', '/devices/alerts?status=gone')).status).toBe(400);
    expect((await as('lan', '/devices/alerts')).status).toBe(403);
  });

  it('acknowledges with a comment, then redirects; a missing comment keeps the page and says why', async () => {
    const bad = await post('tech', `/devices/alerts/${tvAlert}/acknowledge`, { comment: '' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('Cần ghi chú');
    const ok = await post('tech', `/devices/alerts/${tvAlert}/acknowledge`, { comment: 'Đang tới quầy' });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe(`/devices/alerts/${tvAlert}?done=acknowledged`);
    const page = await (await as('tech', ok.headers.get('location')!)).text();
    expect(page).toContain('data-testid="notice">Đã tiếp nhận cảnh báo.');
    expect(page).toMatch(/data-testid="alert-history"[\s\S]*dashboard:tech[\s\S]*Đang tới quầy/);
    const again = await post('tech', `/devices/alerts/${tvAlert}/acknowledge`, { comment: 'Lần nữa' });
    expect(again.status).toBe(400);
    const text = await again.text();
    expect(text).toContain('Cảnh báo này đã được đóng hoặc đã tiếp nhận');
    expect(text).toContain('Lần nữa');
  });

  it('assigns to a technician only, and clears by hand', async () => {
    expect((await post('tech', `/devices/alerts/${tvAlert}/assign`, { assignee: 'lead.tv' })).status).toBe(
      400,
    );
    expect((await post('city', `/devices/alerts/${tvAlert}/assign`, { assignee: 'tech' })).status).toBe(303);
    const cleared = await post('tech', `/devices/alerts/${tvAlert}/clear`, { comment: 'Đã thay cáp' });
    expect(cleared.status).toBe(303);
    const page = await (await as('tech', `/devices/alerts/${tvAlert}`)).text();
    expect(page).toContain('data-testid="alert-status">Đã đóng<');
    expect(page).toContain('data-testid="alert-assignee">tech<');
    expect(page).not.toContain('data-testid="form-clear"');
  });

  it('refuses ward leaders’ steps, other wards’ alerts and forged forms', async () => {
    expect((await post('lead.ka', `/devices/alerts/${kaAlert}/acknowledge`, { comment: 'x' })).status).toBe(
      403,
    );
    expect((await as('lead.tv', `/devices/alerts/${kaAlert}`)).status).toBe(404);
    expect((await as('lead.ka', `/devices/alerts/${kaAlert}`)).status).toBe(200);
    const cookie = (await openStaffSession(ctx.store.db, 'tech', 'browser')).token;
    const forged = await ctx.app.request(`/devices/alerts/${kaAlert}/clear`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', cookie: `${SESSION_COOKIE}=${cookie}` },
      body: new URLSearchParams({ comment: 'forged' }),
    });
    expect(forged.status).toBe(403);
    expect((await listAlerts(ctx.store.db, { unitId: 'kim-anh', status: 'open' })).map((a) => a.id)).toEqual([
      kaAlert,
    ]);
  });

  it('sets a unit’s webhook, refuses the centre’s own loopback in Vietnamese, and keeps the input', async () => {
    const bad = await post('tech', '/devices/alerts/hooks', {
      unitId: 'kim-anh',
      url: 'http://127.0.0.1:8080/x',
    });
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(text).toContain('Địa chỉ không hợp lệ');
    expect(text).toContain('value="http://127.0.0.1:8080/x"');
    expect(
      (await post('tech', '/devices/alerts/hooks', { unitId: 'nowhere', url: 'https://h.example/' })).status,
    ).toBe(400);
    const ok = await post('tech', '/devices/alerts/hooks', {
      unitId: 'kim-anh',
      url: 'https://hooks.example/ka',
    });
    expect(ok.status).toBe(303);
    expect((await unitAlertHookList(ctx.store.db, 'kim-anh'))[0]?.url).toBe('https://hooks.example/ka');
    expect((await post('lead.ka', '/devices/alerts/hooks', { unitId: 'kim-anh', url: '' })).status).toBe(403);
    expect(await (await as('lead.tv', '/devices/alerts/hooks')).text()).not.toContain('hooks.example/ka');
    expect(await (await as('lead.ka', '/devices/alerts/hooks')).text()).toContain('hooks.example/ka');
  });
});
