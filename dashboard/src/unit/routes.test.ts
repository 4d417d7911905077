import { STORE_BACKENDS } from '@onestop/store/testing';
import { describe, expect, it } from 'vitest';
import { type Expected, peopleSuite } from '../access/fixture.js';

const NOW = new Date('2026-11-20T03:00:00Z');

/** Each unit route × each account: the city sees every unit, a ward leader only their own. */
const MATRIX: Array<[string, Expected]> = [
  ['/units/trung-van', { city: 200, 'lead.tv': 200, 'lead.ka': 403, tech: 403, lan: 403, tam: 403 }],
  ['/units/kim-anh', { city: 200, 'lead.tv': 403, 'lead.ka': 200, tech: 403, lan: 403, tam: 403 }],
  ['/units/trung-van/officers', { city: 200, 'lead.tv': 200, 'lead.ka': 403, tech: 403, lan: 403, tam: 403 }],
  [
    '/units/trung-van/officers.csv',
    { city: 200, 'lead.tv': 200, 'lead.ka': 403, tech: 403, lan: 403, tam: 403 },
  ],
];

describe.each(STORE_BACKENDS)('unit routes on %s', (backend) => {
  const { ctx, as, answersAsExpected } = peopleSuite(backend, NOW);
  answersAsExpected(MATRIX);

  it('sends anonymous browsers to sign in', async () => {
    const res = await ctx.app.request('/units/trung-van');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Funits%2Ftrung-van');
  });

  it('answers a malformed unit 400, an unknown one 404, a bad period 400 — as pages', async () => {
    for (const [path, status] of [
      ['/units/Not%20a%20unit', 400],
      ['/units/nowhere', 404],
      ['/units/trung-van?period=fortnight', 400],
      ['/units/trung-van?page=0', 400],
      ['/units/trung-van/officers?days=0', 400],
    ] as const) {
      const res = await as('city', path);
      expect(res.status, path).toBe(status);
      expect(res.headers.get('content-type'), path).toContain('text/html');
    }
    const csv = await as('city', '/units/nowhere/officers.csv');
    expect(csv.status).toBe(404);
    expect(await csv.json()).toMatchObject({ error: 'unknown unit' });
  });

  it('loads the live-update module from a content-hashed, immutable URL with the nonce', async () => {
    const res = await as('lead.tv', '/units/trung-van?period=week&date=2026-11-18&lang=en');
    const nonce = /'nonce-([^']+)'/.exec(res.headers.get('content-security-policy') ?? '')?.[1];
    const page = await res.text();
    const src =
      /<script type="module" src="(\/assets\/unit-live\.[A-Za-z0-9_-]{12}\.js)" nonce="([^"]+)">/.exec(page);
    expect(src?.[2]).toBe(nonce);
    const config =
      /<script type="application\/json" id="unit-live-config" nonce="[^"]+">([^<]*)<\/script>/.exec(page);
    expect(JSON.parse(config![1]!)).toEqual({
      liveUrl: '/api/live?unit=trung-van&lang=en',
      officersUrl: '/units/trung-van/officers?period=week&date=2026-11-16&lang=en',
    });
    const asset = await ctx.app.request(src![1]!);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await asset.text()).toContain('unit-live-config');
    // Any other name, such as a stale hash, is not served.
    expect((await ctx.app.request('/assets/unit-live.000000000000.js')).status).toBe(404);
  });
});
