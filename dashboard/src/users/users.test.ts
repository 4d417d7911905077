import { checkStaffPassword, findStaff, openStaffSession, recentAudit, staffBySession } from '@onestop/store';
import { openTestStore, STORE_BACKENDS, type TestStore } from '@onestop/store/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, seedPeople } from '../access/fixture.js';
import { createDashboardApp } from '../app.js';
import { SESSION_COOKIE } from '../auth/access.js';
import { fill, translator } from '../i18n.js';
import { LiveRatingFeed } from '../live/feed.js';

const logger = pino({ level: 'silent' });
const ORIGIN = 'http://localhost';
const vi = translator('vi');
const en = translator('en');

/** The one-time link shown on a page, read back from its copy box. */
const linkOn = (html: string) =>
  /data-testid="sign-in-link"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*data-testid="sign-in-link"/.exec(html);
const tokenOf = (html: string) => {
  const m = linkOn(html);
  const url = (m?.[1] ?? m?.[2] ?? '').replaceAll('&amp;', '&');
  return new URL(url).searchParams.get('token');
};

describe.each(STORE_BACKENDS)('managing accounts from the dashboard, on %s', (backend) => {
  let store: TestStore;
  let app: ReturnType<typeof createDashboardApp>;
  let cookies: Record<string, string>;
  const as = (who: string, path: string, lang?: 'en') =>
    app.request(path, {
      headers: { cookie: `${SESSION_COOKIE}=${cookies[who]}${lang ? `; lang=${lang}` : ''}` },
    });
  const post = (who: string, path: string, form: Record<string, string> = {}, origin = ORIGIN) =>
    app.request(path, {
      method: 'POST',
      headers: { origin, cookie: `${SESSION_COOKIE}=${cookies[who]}` },
      body: new URLSearchParams(form),
    });
  const usernames = async (who: string, query = '') => {
    const html = await (await as(who, `/users${query}`)).text();
    return [...html.matchAll(/data-username="([^"]+)"/g)].map((m) => m[1]);
  };

  beforeAll(async () => {
    store = await openTestStore(backend);
    ({ cookies } = await seedPeople(store.db));
    app = createDashboardApp({
      db: store.db,
      registry: new Registry(),
      logger,
      feed: new LiveRatingFeed(store, logger),
    });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('opens for the city (every account) and technicians (technicians only), not for others', async () => {
    expect(await usernames('city')).toEqual(['city', 'lan', 'lead.ka', 'lead.tv', 'tam', 'tech']);
    expect(await usernames('tech')).toEqual(['tech']);
    // A technician asking for city accounts is shown none: the filter stays inside their reach.
    expect(await usernames('tech', '?role=city')).toEqual([]);
    expect(await usernames('city', '?role=ward&unit=kim-anh')).toEqual(['lead.ka']);
    for (const who of ['lead.tv', 'lan'] satisfies Account[]) {
      const res = await as(who, '/users');
      expect(res.status).toBe(403);
      expect(await res.text()).toContain(vi('forbiddenRole'));
      expect((await as(who, '/users/new')).status).toBe(403);
      expect((await post(who, '/users', { username: 'x.y', role: 'technician' })).status).toBe(403);
      expect((await post(who, '/users/tech/disable')).status).toBe(403);
    }
    const anonymous = await app.request('/users');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe('/login?next=%2Fusers');
    expect((await as('city', '/users?role=boss')).status).toBe(400);
  });

  it('refuses API tokens: a leaked token must not issue the links that reset passwords', async () => {
    const { token } = await openStaffSession(store.db, 'city', 'api');
    const bearer = { authorization: `Bearer ${token}` };
    const list = await app.request('/users', { headers: bearer });
    expect(list.status).toBe(403);
    const link = await app.request('/users/tech/link', {
      method: 'POST',
      headers: { ...bearer, origin: ORIGIN },
    });
    expect(link.status).toBe(403);
    expect(await link.text()).toContain(vi('forbiddenBrowserOnly'));
    const added = await app.request('/users', {
      method: 'POST',
      headers: { ...bearer, origin: ORIGIN },
      body: new URLSearchParams({ username: 'api.made', role: 'city' }),
    });
    expect(added.status).toBe(403);
    expect(await usernames('city')).not.toContain('api.made');
  });

  it('lists the entry in the menu for exactly those who may open it', async () => {
    for (const [who, shown] of [
      ['city', true],
      ['tech', true],
      ['lead.tv', false],
      ['lan', false],
    ] as const) {
      const home = await (await as(who, '/cach-tinh')).text();
      expect(home.includes('href="/users"'), who).toBe(shown);
    }
  });

  it('refuses a form posted from another site, and makes nothing', async () => {
    const res = await post('city', '/users', { username: 'evil.one', role: 'city' }, 'https://evil.example');
    expect(res.status).toBe(403);
    expect(await res.text()).toContain(vi('forbiddenCrossSite'));
    const disabled = await post('city', '/users/tech/disable', {}, 'https://evil.example');
    expect(disabled.status).toBe(403);
    expect(await usernames('city')).not.toContain('evil.one');
    expect((await recentAudit(store.db, 50)).map((a) => a.target)).not.toContain('evil.one');
  });

  it('adds an account, shows its one-time link once after the redirect, never in a URL', async () => {
    const res = await post('tech', '/users', {
      username: 'khoa.kt',
      displayName: 'Lê Khoa',
      role: 'technician',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/users');
    const page = await (await as('tech', '/users')).text();
    expect(page).toContain(fill(vi('userAdded'), { username: 'khoa.kt' }));
    const token = tokenOf(page);
    expect(token).toMatch(/^[\w-]{20,}$/);
    // No password anywhere, and the link is gone on the next visit.
    expect(page).not.toMatch(/password/i);
    expect(await (await as('tech', '/users')).text()).not.toContain(token!);
    // Another session of the same person does not see it either: it was this session's.
    const other = (await openStaffSession(store.db, 'tech', 'browser')).token;
    cookies['tech-2'] = other;
    expect(await (await as('tech-2', '/users')).text()).not.toContain('sign-in-link');
    // The link signs the new technician in, once.
    const signIn = await app.request('/login/link', {
      method: 'POST',
      headers: { origin: ORIGIN },
      body: new URLSearchParams({ token: token! }),
    });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/devices');
    expect(await staffBySession(store.db, token!, ['link'])).toBeNull();
  });

  it('shows the link after a restart, or from another dashboard process, still once', async () => {
    const cookie = `${SESSION_COOKIE}=${cookies.city}`;
    const done = await post('city', '/users/tam/link');
    expect(done.status).toBe(303);
    // The process that took the action is gone: a new one (same database) serves the next page.
    const restarted = createDashboardApp({
      db: store.db,
      registry: new Registry(),
      logger,
      feed: new LiveRatingFeed(store, logger),
    });
    const page = await (await restarted.request('/users', { headers: { cookie } })).text();
    expect(page).toContain(fill(vi('userLinkIssued'), { username: 'tam' }));
    const token = tokenOf(page);
    expect(token).toMatch(/^[\w-]{20,}$/);
    expect(await (await as('city', '/users')).text()).not.toContain(token!);
    expect(await (await restarted.request('/users', { headers: { cookie } })).text()).not.toContain(token!);
    const [shown] = await recentAudit(store.db, 1, 'staff.link.shown');
    expect(shown).toMatchObject({ actor: 'dashboard:city', target: 'tam' });
  });

  it('writes the link with https when the dashboard sits behind a TLS proxy', async () => {
    const behindProxy = createDashboardApp({
      db: store.db,
      registry: new Registry(),
      logger,
      feed: new LiveRatingFeed(store, logger),
      secureCookies: true,
    });
    const cookie = `${SESSION_COOKIE}=${cookies.city}`;
    const done = await behindProxy.request('/users/tam/link', {
      method: 'POST',
      headers: { origin: ORIGIN, cookie },
    });
    expect(done.status).toBe(303);
    const page = await (await behindProxy.request('/users', { headers: { cookie } })).text();
    expect(linkOn(page)?.slice(1).find(Boolean)).toMatch(/^https:\/\/localhost\/login\/link\?token=/);
  });

  it('refuses a technician who tries to make a city, ward or officer account', async () => {
    for (const role of ['city', 'ward', 'officer']) {
      const res = await post('tech', '/users', { username: `esc.${role}`, role, unitId: '', officerId: '' });
      expect(res.status, role).toBe(403);
    }
    expect(await usernames('city', '?role=city')).toEqual(['city']);
    // Nor touch an account outside their reach: answered as unknown.
    for (const target of ['city', 'lead.tv']) {
      expect((await post('tech', `/users/${target}/disable`)).status).toBe(404);
      expect((await post('tech', `/users/${target}/link`)).status).toBe(404);
    }
    expect(await usernames('city', '?role=ward')).toHaveLength(2);
  });

  it('keeps what was typed and says what is wrong, in Vietnamese first, English on request', async () => {
    const form = { username: 'Hoa TV', displayName: 'Nguyễn Hoa', role: 'ward', unitId: 'trung-van' };
    const bad = await post('city', '/users', form);
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain(vi('userRefused_username'));
    expect(html).toContain('value="Hoa TV"');
    expect(html).toContain('value="Nguyễn Hoa"');
    expect(html).toMatch(/<option value="trung-van" selected/);
    const english = await app.request('/users', {
      method: 'POST',
      headers: { origin: ORIGIN, cookie: `${SESSION_COOKIE}=${cookies.city}; lang=en` },
      body: new URLSearchParams({ ...form, username: 'lead.tv' }),
    });
    expect(english.status).toBe(400);
    expect(await english.text()).toContain(en('userRefused_exists'));
    // A ward account without a unit, an officer account without an officer on a roster.
    const noUnit = await post('city', '/users', { ...form, username: 'hoa.tv', unitId: '' });
    expect(await noUnit.text()).toContain(vi('userRefused_unit'));
    const ghost = await post('city', '/users', { username: 'ma.cb', role: 'officer', officerId: 'cb-ghost' });
    expect(await ghost.text()).toContain(vi('userRefused_officer'));
    // A forged field is refused as a form, the input still kept.
    const extra = await post('city', '/users', { ...form, username: 'hoa.tv', password: 'chosen-by-me-123' });
    expect(extra.status).toBe(400);
    expect(await extra.text()).toContain(vi('userRefused_form'));
    expect(await usernames('city', '?role=ward')).toEqual(['lead.ka', 'lead.tv']);
  });

  it('adds a ward leader and an officer account, each tied where the store requires', async () => {
    expect(
      (await post('city', '/users', { username: 'hoa.tv', role: 'ward', unitId: 'trung-van' })).status,
    ).toBe(303);
    expect(
      (await post('city', '/users', { username: 'lan.cb', role: 'officer', officerId: 'cb-tam' })).status,
    ).toBe(303);
    const page = await (await as('city', '/users?unit=kim-anh')).text();
    expect(page).toContain('data-username="lan.cb"');
    expect(page).not.toContain('data-username="hoa.tv"');
  });

  it('never disables one’s own account; the button is not even offered', async () => {
    const page = await (await as('city', '/users')).text();
    expect(page).not.toContain('action="/users/city/disable"');
    const res = await post('city', '/users/city/disable');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(vi('userRefused_self'));
    expect((await as('city', '/users')).status).toBe(200);
  });

  it('disables (ending its tokens), enables, re-links, every step audited and on the audit page', async () => {
    const token = (await openStaffSession(store.db, 'khoa.kt', 'api')).token;
    const off = await post('tech', '/users/khoa.kt/disable?role=technician');
    expect(off.status).toBe(303);
    expect(off.headers.get('location')).toBe('/users?role=technician');
    expect(await (await as('tech', '/users?role=technician')).text()).toContain(
      fill(vi('userDisabledDone'), { username: 'khoa.kt' }),
    );
    expect(await staffBySession(store.db, token, ['api'])).toBeNull();
    // A disabled account gets no link until it is enabled again.
    const early = await post('tech', '/users/khoa.kt/link');
    expect(early.status).toBe(400);
    expect(await early.text()).toContain(vi('userRefused_disabled'));
    expect((await post('tech', '/users/khoa.kt/enable')).status).toBe(303);
    expect((await post('tech', '/users/khoa.kt/link')).status).toBe(303);
    const relinked = await (await as('tech', '/users')).text();
    expect(relinked).toContain(fill(vi('userLinkIssued'), { username: 'khoa.kt' }));
    const link = tokenOf(relinked);

    const trail = (await recentAudit(store.db, 100)).filter((a) => a.target === 'khoa.kt').reverse();
    expect(trail.map((a) => [a.action, a.actor])).toEqual([
      ['staff.add', 'dashboard:tech'],
      ['staff.link', 'dashboard:tech'],
      ['staff.link.shown', 'dashboard:tech'],
      ['staff.disable', 'dashboard:tech'],
      ['staff.enable', 'dashboard:tech'],
      ['staff.link', 'dashboard:tech'],
      ['staff.link.shown', 'dashboard:tech'],
    ]);
    const audit = await (await as('city', '/audit')).text();
    for (const action of ['staff.add', 'staff.link', 'staff.disable', 'staff.enable'])
      expect(audit).toContain(vi(`audit_${action}` as Parameters<typeof vi>[0]));
    expect(audit).not.toContain(link!);
  });
  it('resets a forgotten password: a new link, and the person chooses one on the way in', async () => {
    expect((await post('city', '/users/lead.tv/link')).status).toBe(303);
    const token = tokenOf(await (await as('city', '/users')).text())!;
    const spend = (form: Record<string, string>) =>
      app.request('/login/link', {
        method: 'POST',
        headers: { origin: ORIGIN },
        body: new URLSearchParams({ token, ...form }),
      });
    const short = await spend({ password: 'short', confirm: 'short' });
    expect(short.status).toBe(400);
    expect(await short.text()).toContain(vi('linkPasswordShort'));
    const differ = await spend({ password: 'a-new-password-1', confirm: 'a-new-password-2' });
    expect(await differ.text()).toContain(vi('linkPasswordMismatch'));
    // Neither slip spent the link.
    const done = await spend({ password: 'a-new-password-1', confirm: 'a-new-password-1' });
    expect(done.status).toBe(303);
    expect(await checkStaffPassword(store.db, 'lead.tv', 'a-new-password-1')).toMatchObject({ role: 'ward' });
    // The browser session from before the reset has ended.
    expect((await as('lead.tv', '/units/trung-van')).status).toBe(303);
    const trail = (await recentAudit(store.db, 100))
      .filter((a) => a.target === 'lead.tv')
      .map((a) => a.action);
    // Newest first: the link was issued, shown once to the city for handing over, then spent.
    expect(trail.slice(0, 3)).toEqual(['staff.password', 'staff.link.shown', 'staff.link']);
    expect(await (await as('city', '/audit')).text()).toContain(vi('audit_staff.password'));
  });

  // Last: it leaves one of the two city accounts disabled.
  it('keeps the last city account when two cities disable each other at the same moment', async () => {
    expect((await post('city', '/users', { username: 'city.two', role: 'city' })).status).toBe(303);
    cookies['city.two'] = (await openStaffSession(store.db, 'city.two', 'browser')).token;
    const answers = await Promise.all([
      post('city', '/users/city.two/disable'),
      post('city.two', '/users/city/disable'),
    ]);
    // One goes through; the other is refused as the last city account, or finds its asker gone.
    expect(answers.filter((r) => r.status === 303)).toHaveLength(1);
    expect(answers.filter((r) => r.status === 400 || r.status === 401)).toHaveLength(1);
    const active = await findStaff(store.db, { roles: ['city'], limit: 9, offset: 0 });
    expect(active.rows.filter((r) => !r.disabled)).toHaveLength(1);
  });
});
