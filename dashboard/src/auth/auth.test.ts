import { newEventId } from '@onestop/protocol';
import {
  addStaffMember,
  applyAlertChanges,
  ingestBatch,
  openStaffSession,
  provisionDevice,
  schema,
  setDeviceConfig,
} from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp } from '../app.js';
import { LiveRatingFeed } from '../live/feed.js';

const logger = pino({ level: 'silent' });
const ORIGIN = { origin: 'http://localhost' };

describe('who may see what on the dashboard', () => {
  let store: TestStore;
  let app: ReturnType<typeof createDashboardApp>;
  const passwords: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  const as = (who: string, path: string) =>
    app.request(path, { headers: { authorization: `Bearer ${tokens[who]}` } });
  const login = (username: string, password: string, next?: string) =>
    app.request('/login', {
      method: 'POST',
      headers: ORIGIN,
      body: new URLSearchParams({ username, password, ...(next ? { next } : {}) }),
    });

  beforeAll(async () => {
    store = await openTestStore('pglite');
    await store.db.insert(schema.units).values([
      { id: 'trung-van', name: 'Phường Trung Văn' },
      { id: 'kim-anh', name: 'Xã Kim Anh' },
    ]);
    await store.db
      .insert(schema.officers)
      .values({ id: 'cb-lan', unitId: 'trung-van', name: 'Nguyễn Thị Lan' });
    await store.db.insert(schema.officers).values({ id: 'cb-tam', unitId: 'trung-van', name: 'Vũ Minh Tâm' });
    for (const [username, role, unitId, officerId] of [
      ['city', 'city', null, null],
      ['lead.tv', 'ward', 'trung-van', null],
      ['tech', 'technician', null, null],
      ['lan', 'officer', null, 'cb-lan'],
    ] as const) {
      passwords[username] = (
        await addStaffMember(store.db, { username, role, unitId, officerId, actor: 'test' })
      ).password;
      tokens[username] = (await openStaffSession(store.db, username, 'api')).token;
    }
    app = createDashboardApp({
      db: store.db,
      registry: new Registry(),
      logger,
      feed: new LiveRatingFeed(store, logger),
      commentLimits: { perAddress: 2, windowMs: 60_000 },
      maxLoginFailures: 3,
    });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('sends anonymous browsers to the sign-in page and API clients a 401', async () => {
    const page = await app.request('/units/trung-van?days=7');
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?next=%2Funits%2Ftrung-van%3Fdays%3D7');
    const api = await app.request('/api/units');
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ reason: 'no valid session or API token' });
    expect(
      (await app.request('/api/units', { headers: { authorization: 'Bearer nonsense-token-0123456789' } }))
        .status,
    ).toBe(401);
    // Public: health, metrics, the citizens' comment form, the sign-in page.
    for (const path of ['/healthz', '/metrics', '/comment?unit=trung-van', '/login'])
      expect((await app.request(path)).status, path).toBe(200);
    expect(await (await app.request('/login')).text()).toContain('Đăng nhập');
  });

  it('signs in with a password, keeps the session in an HttpOnly cookie, and signs out', async () => {
    const res = await login('lead.tv', passwords['lead.tv']!, '/units/trung-van?days=7');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/units/trung-van?days=7');
    const cookie = res.headers.get('set-cookie')!;
    expect(cookie).toMatch(/onestop_session=[^;]+;.*HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const session = cookie.split(';')[0]!;
    const page = await app.request('/units/trung-van', { headers: { cookie: session } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Phường Trung Văn');
    const out = await app.request('/logout', { method: 'POST', headers: { cookie: session, ...ORIGIN } });
    expect(out.status).toBe(303);
    expect((await app.request('/units/trung-van', { headers: { cookie: session } })).status).toBe(303);
  });

  it('never redirects off-site after sign-in', async () => {
    for (const next of ['//evil.example/x', '/\\evil.example', '/\t/evil.example', 'https://evil.example']) {
      const res = await login('city', passwords.city!, next);
      expect(res.headers.get('location'), next).toBe('/');
    }
    expect((await login('city', passwords.city!, '/units/kim-anh?days=7')).headers.get('location')).toBe(
      '/units/kim-anh?days=7',
    );
  });

  it('refuses wrong passwords and throttles repeated failures', async () => {
    const bad = await login('tech', 'wrong-password');
    expect(bad.status).toBe(401);
    expect(await bad.text()).toContain('Sai tên đăng nhập hoặc mật khẩu.');
    await login('tech', 'wrong-password');
    await login('tech', 'wrong-password');
    const locked = await login('tech', passwords.tech!);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('keeps a ward leader inside the ward', async () => {
    expect((await as('lead.tv', '/units/trung-van')).status).toBe(200);
    expect((await as('lead.tv', '/units/kim-anh')).status).toBe(403);
    expect((await as('lead.tv', '/officers/cb-lan')).status).toBe(200);
    expect((await as('lead.tv', '/api/live?unit=kim-anh')).status).toBe(403);
    const home = await as('lead.tv', '/');
    expect(home.status).toBe(303);
    expect(home.headers.get('location')).toBe('/units/trung-van');
    const units = (await (await as('lead.tv', '/api/units')).json()) as Array<{ unitId: string }>;
    expect(units.map((u) => u.unitId)).toEqual(['trung-van']);
  });

  it('lets the city see every ward and a technician only the devices', async () => {
    expect((await as('city', '/units/kim-anh')).status).toBe(200);
    expect(((await (await as('city', '/api/units')).json()) as unknown[]).length).toBe(2);
    expect((await as('tech', '/units/trung-van')).status).toBe(403);
    expect((await as('tech', '/officers/cb-lan')).status).toBe(403);
    expect((await as('tech', '/devices')).status).toBe(200);
    expect((await as('tech', '/api/devices')).status).toBe(200);
  });

  it('shows open device alerts to technicians, and a ward only its own', async () => {
    const tv = await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q09', actor: 't' });
    const ka = await provisionDevice(store.db, { unitId: 'kim-anh', counterId: 'q09', actor: 't' });
    await applyAlertChanges(store.db, [
      { deviceId: tv.deviceId, kind: 'usb_device_missing', message: 'keypad missing' },
      { deviceId: ka.deviceId, kind: 'offline', message: 'connection lost without a goodbye' },
    ]);
    const page = await (await as('tech', '/devices')).text();
    expect(page).toMatch(/data-testid="alerts"[\s\S]*Thiết bị USB không hoạt động[\s\S]*keypad missing/);
    expect(page).toContain('Mất kết nối đột ngột');
    const ward = (await (await as('lead.tv', '/api/alerts')).json()) as Array<{ deviceId: string }>;
    expect(ward.map((a) => a.deviceId)).toEqual([tv.deviceId]);
    const metrics = await (await app.request('/metrics')).text();
    expect(metrics).toContain('onestop_device_alerts_open{kind="offline"} 1');
  });

  it('shows quarantined events to technicians, and a ward leader only the ward’s own', async () => {
    const quarantine = async (unitId: string) => {
      const d = await provisionDevice(store.db, { unitId, counterId: 'q05', actor: 't' });
      // The device runs a boot announced in its birth; a replay of an older boot, never seen
      // live, claims a 2020 time, before the device was provisioned: it cannot be placed.
      await store.db
        .update(schema.devices)
        .set({ bootId: '0193a0c2-0000-7000-8000-000000000001' })
        .where(eq(schema.devices.id, d.deviceId));
      const payload = {
        v: 1 as const,
        eventId: newEventId(),
        deviceId: d.deviceId,
        bootId: '0193a0c2-0000-7000-8000-000000000000',
        seq: 1,
        ts: Date.UTC(2020, 0, 1, 2),
        mono: 60_000,
        kind: 'session' as const,
        state: 'signed_in' as const,
        officerId: 'cb-lan',
        source: 'badge' as const,
      };
      await ingestBatch(store.db, [{ unitId, counterId: 'q05', type: 'presence', payload }]);
      return d.deviceId;
    };
    const tv = await quarantine('trung-van');
    const ka = await quarantine('kim-anh');
    const tech = await (await as('tech', '/devices')).text();
    expect(tech).toContain(`data-testid="quarantined-${tv}">1<`);
    expect(tech).toMatch(new RegExp(`data-testid="quarantine"[\\s\\S]*${tv}[\\s\\S]*Đăng nhập / đăng xuất`));
    expect(tech).toContain(ka);
    expect(tech).toContain('Sự kiện bị cách ly');
    const ward = await (await as('lead.tv', '/devices')).text();
    expect(ward).toContain(`data-testid="quarantined-${tv}">1<`);
    expect(ward).not.toContain(ka);
    const en = await (await as('tech', '/devices?lang=en')).text();
    expect(en).toContain('Quarantined events (their time cannot be placed)');
  });

  it('lets technicians change a device’s settings, and ward leaders only look', async () => {
    const d = await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q08', actor: 't' });
    const post = (who: string, settings: string) =>
      app.request(`/devices/${d.deviceId}/config`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[who]}`, ...ORIGIN },
        body: new URLSearchParams({ settings }),
      });
    const ok = await post('tech', JSON.stringify({ scale: 'keypad5', ratingTimeoutMs: 15_000 }));
    expect(ok.status).toBe(303);
    expect(await (await as('tech', ok.headers.get('location')!)).text()).toMatch(
      /data-testid="notice">Đã lưu, phiên bản 1/,
    );
    const bad = await post('tech', JSON.stringify({ scale: 'keypad5', colour: 'red' }));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('unknown field(s) &#39;colour&#39;');
    expect((await post('tech', '{not json')).status).toBe(400);
    expect((await post('lead.tv', '{}')).status).toBe(403);
    const view = await (await as('lead.tv', `/devices/${d.deviceId}`)).text();
    expect(view).toContain('&quot;scale&quot;: &quot;keypad5&quot;');
    expect(view).not.toContain('<textarea');
    const other = await provisionDevice(store.db, { unitId: 'kim-anh', counterId: 'q08', actor: 't' });
    expect((await as('lead.tv', `/devices/${other.deviceId}`)).status).toBe(404);
  });

  it('lets technicians queue commands for a device and shows their state', async () => {
    const d = await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q06', actor: 't' });
    const post = (who: string, name: string) =>
      app.request(`/devices/${d.deviceId}/commands`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[who]}`, ...ORIGIN },
        body: new URLSearchParams({ name }),
      });
    const ok = await post('tech', 'retry-dead-letters');
    expect(ok.status).toBe(303);
    const page = await (await as('tech', ok.headers.get('location')!)).text();
    expect(page).toContain('Đã xếp lệnh');
    expect(page).toMatch(
      /data-testid="commands"[\s\S]*retry-dead-letters[\s\S]*dashboard:tech[\s\S]*Đang chờ thiết bị/,
    );
    expect((await post('tech', 'format-disk')).status).toBe(400);
    expect((await post('lead.tv', 'restart')).status).toBe(403);
  });

  it('lets a ward leader keep the unit’s roster, sent to its counters', async () => {
    const d = await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q07', actor: 't' });
    // Runs on central settings (a counter on its own file's settings is left alone).
    await setDeviceConfig(store.db, { deviceId: d.deviceId, settings: {}, actor: 't' });
    const post = (path: string, form: Record<string, string>, who = 'lead.tv') =>
      app.request(path, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[who]}`, ...ORIGIN },
        body: new URLSearchParams(form),
      });
    const saved = await post('/units/trung-van/roster', {
      officerId: 'cb-ha',
      name: 'Lê Thu Hà',
      badge: '0007',
    });
    expect(saved.status).toBe(200);
    const page = await saved.text();
    expect(page).toMatch(/data-testid="roster"[\s\S]*cb-ha[\s\S]*Lê Thu Hà[\s\S]*0007/);
    // The unit's leader sees the settings as stored, badges and all (technicians get the form).
    const config = (await (await as('lead.tv', `/devices/${d.deviceId}`)).text()).replaceAll('&quot;', '"');
    expect(config).toContain('"cb-ha": {');
    const bad = await post('/units/trung-van/roster', { officerId: 'cb-x', name: '', badge: '' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('name: name is required');
    expect((await post('/units/kim-anh/roster', { officerId: 'cb-y', name: 'Y', badge: '' })).status).toBe(
      403,
    );
    const retired = await post('/units/trung-van/roster/cb-ha/retire', {});
    expect(retired.status).toBe(303);
    expect(await (await as('lead.tv', '/units/trung-van/roster')).text()).not.toContain('Lê Thu Hà');
  });

  it('shows an officer their own record and nothing else', async () => {
    expect((await as('lan', '/officers/cb-lan')).status).toBe(200);
    expect((await as('lan', '/officers/cb-tam')).status).toBe(403);
    expect((await as('lan', '/units/trung-van')).status).toBe(403);
    expect((await as('lan', '/devices')).status).toBe(403);
    const home = await as('lan', '/');
    expect(home.headers.get('location')).toBe('/officers/cb-lan');
  });

  it('shows the admin audit log to the city only', async () => {
    const page = await (await as('city', '/audit')).text();
    expect(page).toMatch(/data-testid="audit"[\s\S]*staff\.add[\s\S]*lead\.tv/);
    expect((await as('lead.tv', '/audit')).status).toBe(403);
    expect((await as('tech', '/audit')).status).toBe(403);
  });

  it('accepts a one-time sign-in link once', async () => {
    const { token } = await openStaffSession(store.db, 'city', 'link');
    // Opening the link (or a chat app's preview of it) spends nothing: it shows a button.
    const shown = await app.request(`/login/link?token=${token}`);
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain(`name="token" value="${token}"`);
    const use = () =>
      app.request('/login/link', { method: 'POST', headers: ORIGIN, body: new URLSearchParams({ token }) });
    const first = await use();
    expect(first.status).toBe(303);
    expect(first.headers.get('set-cookie')).toContain('onestop_session=');
    expect((await use()).status).toBe(401);
  });

  it('refuses cross-site form posts', async () => {
    const res = await app.request('/login', {
      method: 'POST',
      headers: { origin: 'http://evil.example' },
      body: new URLSearchParams({ username: 'city', password: passwords.city! }),
    });
    expect(res.status).toBe(403);
  });

  it('limits comment size and how often one address may comment', async () => {
    const post = (body: string) =>
      app.request('/comment', {
        method: 'POST',
        headers: ORIGIN,
        body: new URLSearchParams({ unit: 'trung-van', body }),
      });
    const huge = await post('x'.repeat(20_000));
    expect(huge.status).toBe(413);
    expect((await post('Cảm ơn cán bộ')).status).toBe(201);
    expect((await post('Cảm ơn lần nữa')).status).toBe(201);
    const third = await post('Lần thứ ba');
    expect(third.status).toBe(429);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await third.text()).toContain('Vui lòng đợi');
  });
});
