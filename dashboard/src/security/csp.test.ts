import { addStaffMember, openStaffSession, schema } from '@onestop/store';
import { openTestStore, STORE_BACKENDS, type TestStore } from '@onestop/store/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp } from '../app.js';
import { LiveRatingFeed } from '../live/feed.js';

const NOW = new Date('2026-11-20T03:00:00Z');
const logger = pino({ level: 'silent' });

/** Every kind of HTML page a city account can open, plus public and error pages. */
const PAGES = [
  '/',
  '/?period=month&date=2026-11-01',
  '/units/trung-van',
  '/officers/cb-lan',
  '/audit',
  '/devices',
  '/cach-tinh',
  '/search?q=A001',
  '/units/trung-van/roster',
  '/units/trung-van/comments',
  '/units/nowhere',
  '/units/trung-van?period=bogus',
  '/report?period=month&date=2026-11-01',
  '/units/trung-van/report?period=month&date=2026-11-01',
  '/officers/cb-lan/ratings',
  '/units/trung-van/counters/q01',
];

describe.each(STORE_BACKENDS)('Content-Security-Policy on %s', (backend) => {
  let store: TestStore;
  let feed: LiveRatingFeed;
  let app: ReturnType<typeof createDashboardApp>;
  let token = '';
  beforeAll(async () => {
    store = await openTestStore(backend);
    await store.db
      .insert(schema.units)
      .values({ id: 'trung-van', name: 'Phường Trung Văn', province: 'Hà Nội' });
    await store.db
      .insert(schema.officers)
      .values({ id: 'cb-lan', unitId: 'trung-van', name: 'Nguyễn Thị Lan' });
    await store.db.insert(schema.hourlyRollups).values({
      unitId: 'trung-van',
      counterId: 'q01',
      officerId: 'cb-lan',
      hour: new Date('2026-11-20T02:00:00Z'),
      ratings: 3,
      verySatisfied: 2,
      unsatisfied: 1,
      levels: { 'keypad4:4': 2, 'keypad4:1': 1 },
    });
    await addStaffMember(store.db, { username: 'city', role: 'city', actor: 'test' });
    token = (await openStaffSession(store.db, 'city', 'api')).token;
    feed = new LiveRatingFeed(store, logger);
    app = createDashboardApp({ db: store.db, registry: new Registry(), logger, feed, now: () => NOW });
  });
  afterAll(async () => {
    await store?.close();
  });

  const get = (path: string) => app.request(path, { headers: { authorization: `Bearer ${token}` } });

  it.each(PAGES)('%s: scripts and styles carry the header nonce; nothing else runs', async (path) => {
    const res = await get(path);
    expect(res.headers.get('content-type')).toContain('text/html');
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=_-]+)'/.exec(csp)?.[1];
    expect(nonce, csp).toBeTruthy();
    expect(csp).toContain(`style-src 'self' 'nonce-${nonce}'`);
    for (const d of ["object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"])
      expect(csp).toContain(d);
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    const page = await res.text();
    const scripts = [...page.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
    for (const s of scripts) expect(s).toContain(`nonce="${nonce}"`);
    const styles = [...page.matchAll(/<style\b[^>]*>/g)].map((m) => m[0]);
    expect(styles.length).toBeGreaterThan(0);
    for (const s of styles) expect(s).toContain(`nonce="${nonce}"`);
    // No inline handlers (onclick=…) and no javascript: links anywhere.
    expect(page).not.toMatch(/<[^>]+\son[a-z]+\s*=/i);
    expect(page).not.toMatch(/javascript:/i);
  });

  it('gives every response its own nonce', async () => {
    const a = (await get('/')).headers.get('content-security-policy');
    const b = (await get('/')).headers.get('content-security-policy');
    expect(a).not.toBe(b);
  });

  it('has no inline style attribute, ECharts drawings included', async () => {
    // The sign-in pages and the citizen's comment form are seen by everyone: a blocked style
    // attribute there is a console error on the first page of every visit.
    for (const path of [
      '/',
      '/units/trung-van',
      '/officers/cb-lan',
      '/audit',
      '/units/trung-van/roster',
      '/login',
      '/login/link?token=abcdefghijklmnopqrstuvwxyz012345',
      '/comment?unit=trung-van',
      '/comment/status',
    ]) {
      const page = await (await get(path)).text();
      expect(page, path).not.toMatch(/\sstyle="/);
    }
  });

  it('keeps what a signed-in person sees out of caches; hashed assets stay cacheable', async () => {
    for (const path of ['/', '/units/trung-van', '/units/trung-van/comments', '/api/units'])
      expect((await get(path)).headers.get('cache-control'), path).toBe('private, no-store');
    const page = await (await get('/units/trung-van')).text();
    const asset = /src="(\/assets\/[^"]+)"/.exec(page)?.[1];
    expect(asset).toBeTruthy();
    expect((await get(asset!)).headers.get('cache-control')).toContain('immutable');
  });
});
