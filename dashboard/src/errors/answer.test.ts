import { addStaffMember, openStaffSession, schema } from '@onestop/store';
import { openTestStore, STORE_BACKENDS, type TestStore } from '@onestop/store/testing';
import { Hono } from 'hono';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp } from '../app.js';
import { SESSION_COOKIE } from '../auth/access.js';
import { LiveRatingFeed } from '../live/feed.js';
import { serverError } from './answer.js';

const logger = pino({ level: 'silent' });

describe.each(STORE_BACKENDS)('refusals people can read, on %s', (backend) => {
  let store: TestStore;
  let app: ReturnType<typeof createDashboardApp>;
  let feed: LiveRatingFeed;
  const sessions: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  /** As a browser would ask: the session cookie. */
  const open = (who: string, path: string) =>
    app.request(path, { headers: { cookie: `${SESSION_COOKIE}=${sessions[who]}` } });
  /** As an integrator would ask: the API token. */
  const api = (who: string, path: string) =>
    app.request(path, { headers: { authorization: `Bearer ${tokens[who]}` } });

  beforeAll(async () => {
    store = await openTestStore(backend);
    await store.db.insert(schema.units).values([
      { id: 'trung-van', name: 'Phường Trung Văn' },
      { id: 'kim-anh', name: 'Xã Kim Anh' },
    ]);
    await store.db.insert(schema.officers).values([
      { id: 'cb-lan', unitId: 'trung-van', name: 'Nguyễn Thị Lan' },
      { id: 'cb-tam', unitId: 'trung-van', name: 'Vũ Minh Tâm' },
    ]);
    for (const [username, role, unitId, officerId] of [
      ['city', 'city', null, null],
      ['lead.tv', 'ward', 'trung-van', null],
      ['lan', 'officer', null, 'cb-lan'],
    ] as const) {
      await addStaffMember(store.db, { username, role, unitId, officerId, actor: 'test' });
      sessions[username] = (await openStaffSession(store.db, username, 'browser')).token;
      tokens[username] = (await openStaffSession(store.db, username, 'api')).token;
    }
    feed = new LiveRatingFeed(store, logger);
    app = createDashboardApp({ db: store.db, registry: new Registry(), logger, feed });
  });
  afterAll(async () => {
    feed.stop();
    await store?.close();
  });

  const isPage = (res: Response) => expect(res.headers.get('content-type')).toMatch(/^text\/html/);

  it("tells a ward leader, in Vietnamese or English, that another ward's unit is not theirs", async () => {
    const vi = await open('lead.tv', '/units/kim-anh');
    expect(vi.status).toBe(403);
    isPage(vi);
    const page = await vi.text();
    expect(page).toContain('Đơn vị này thuộc phường, xã khác');
    // Signed-in navigation, and the way back to the leader's own unit.
    expect(page).toContain('href="/units/trung-van" data-testid="back-home"');
    expect(page).toContain('Đăng xuất');
    const en = await open('lead.tv', '/units/kim-anh?lang=en');
    expect(en.status).toBe(403);
    isPage(en);
    expect(await en.text()).toContain('This unit belongs to another ward');
  });

  it("tells an officer on a colleague's page that they see only their own record", async () => {
    const res = await open('lan', '/officers/cb-tam');
    expect(res.status).toBe(403);
    isPage(res);
    const page = await res.text();
    expect(page).toContain('Cán bộ chỉ xem được kết quả đánh giá của chính mình');
    expect(page).not.toContain('phường, xã khác');
    expect(page).toContain('href="/officers/cb-lan" data-testid="back-home"');
    // A page the role may never open says so in words too.
    const role = await open('lan', '/units/trung-van');
    expect(role.status).toBe(403);
    expect(await role.text()).toContain('Vai trò của tài khoản này không được mở trang này');
  });

  it('answers a bad period on a unit page with a 400 page naming the field', async () => {
    const res = await open('lead.tv', '/units/trung-van?from=2026-02-30&to=2026-03-01');
    expect(res.status).toBe(400);
    isPage(res);
    const page = await res.text();
    expect(page).toContain('Yêu cầu không hợp lệ');
    expect(page).toContain('<code data-testid="error-field">from</code>');
    // Switching language keeps the query that was refused.
    expect(page).toContain('href="?from=2026-02-30&amp;to=2026-03-01&amp;lang=en"');
  });

  it('answers an unknown unit, officer or address with a 404 page', async () => {
    for (const path of ['/units/nowhere', '/officers/nobody', '/no/such/page']) {
      const res = await open('city', path);
      expect(res.status, path).toBe(404);
      isPage(res);
      expect(await res.text(), path).toContain('Không tìm thấy');
    }
  });

  it('keeps the JSON bodies of /api as before', async () => {
    const other = await api('lead.tv', '/api/units/kim-anh/officers');
    expect(other.status).toBe(403);
    expect(await other.json()).toEqual({ error: 'forbidden', reason: 'this unit belongs to another ward' });
    const role = await api('lan', '/api/units');
    expect(role.status).toBe(403);
    expect(await role.json()).toEqual({ error: 'forbidden', reason: "role 'officer' may not see this" });
    const bad = await api('city', '/api/units/trung-van/officers?days=0');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid query', field: 'days' });
    const missing = await api('city', '/api/units/nowhere/evaluation');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: 'unknown unit', unitId: 'nowhere' });
    // The CSV download is for programs too: its refusals stay JSON.
    const csv = await open('lead.tv', '/units/kim-anh/officers.csv');
    expect(csv.status).toBe(403);
    expect(csv.headers.get('content-type')).toMatch(/json/);
  });

  it('shows the audit log in words, details as key: value', async () => {
    const vi = await (await open('city', '/audit')).text();
    expect(vi).toContain('title="staff.add">Tạo tài khoản</td>');
    expect(vi).toContain('role: ward');
    expect(vi).not.toContain('{&quot;role');
    const en = await (await open('city', '/audit?lang=en')).text();
    expect(en).toContain('>Account created</td>');
  });
});

describe('an unexpected failure', () => {
  it('shows a page with a reference, never the stack, and logs that reference', async () => {
    const logged: Array<{ reference?: string }> = [];
    const app = new Hono();
    app.onError((err, c) => serverError(c, err, (entry) => logged.push(entry)));
    app.get('/boom', () => {
      throw new Error('secret stack detail');
    });
    app.get('/api/boom', () => {
      throw new Error('secret stack detail');
    });
    const res = await app.request('/boom');
    expect(res.status).toBe(500);
    const page = await res.text();
    expect(page).not.toContain('secret stack detail');
    const reference = /data-testid="error-reference">([0-9a-f]{8})</.exec(page)?.[1];
    expect(reference).toBeDefined();
    expect(logged[0]?.reference).toBe(reference);
    const json = await app.request('/api/boom');
    expect(json.status).toBe(500);
    expect(await json.json()).toEqual({ error: 'internal error' });
  });
});
