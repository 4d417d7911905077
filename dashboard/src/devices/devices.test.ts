import { schema } from '@onestop/store';
import { STORE_BACKENDS } from '@onestop/store/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { peopleSuite } from '../access/fixture.js';
import { fill, translator } from '../i18n.js';
import { DEVICES_PAGE_SIZE } from './routes.js';

const NOW = new Date('2026-11-20T03:00:00Z');
const vi = translator('vi');

/** Trung Văn's devices: a page and a bit. Kim Anh has two. */
const TV_DEVICES = DEVICES_PAGE_SIZE + 7;
const pad = (i: number) => String(i).padStart(3, '0');
const device = (unitId: string, i: number) => ({
  id: `${unitId}-q${pad(i)}`,
  unitId,
  counterId: `q${pad(i)}`,
  username: `dev-${unitId}-q${pad(i)}`,
  passwordHash: 'not-a-hash',
});
/** The last device of the list (by unit, counter): on the second page for the city. */
const LAST = device('trung-van', TV_DEVICES).id;

/** The device IDs a devices page lists, in order. */
const listed = (page: string) => [...page.matchAll(/data-testid="quarantined-([^"]+)"/g)].map((m) => m[1]);

describe.each(STORE_BACKENDS)('devices list in pages on %s', (backend) => {
  const { ctx, as } = peopleSuite(backend, NOW);
  beforeAll(async () => {
    const tv = Array.from({ length: TV_DEVICES }, (_, i) => device('trung-van', i + 1));
    const ka = [device('kim-anh', 1), device('kim-anh', 2)];
    await ctx.store.db.insert(schema.devices).values([...ka, ...tv]);
    // Two events of the last device whose time could not be placed: counted on its page only.
    await ctx.store.db.insert(schema.events).values(
      [1, 2].map((seq) => ({
        eventId: crypto.randomUUID(),
        type: 'rating',
        unitId: 'trung-van',
        counterId: `q${pad(TV_DEVICES)}`,
        deviceId: LAST,
        bootId: crypto.randomUUID(),
        seq,
        deviceTs: new Date('2001-01-01T00:00:00Z'),
        at: null,
        timeSource: 'quarantined',
        payload: {},
      })),
    );
  });

  it('shows the city one page of devices, says which, and links to the next', async () => {
    const res = await as('tech', '/devices');
    expect(res.status).toBe(200);
    const html = await res.text();
    const all = TV_DEVICES + 2;
    expect(listed(html)).toHaveLength(DEVICES_PAGE_SIZE);
    expect(listed(html)[0]).toBe('kim-anh-q001');
    expect(html).toContain(fill(vi('shownOf'), { from: 1, to: DEVICES_PAGE_SIZE, total: all }));
    expect(html).toContain('href="/devices?page=2" rel="next"');
    expect(html).not.toContain('rel="prev"');
  });

  it('shows the rest on the second page, with their quarantined events', async () => {
    const html = await (await as('city', '/devices?page=2')).text();
    const all = TV_DEVICES + 2;
    expect(listed(html)).toHaveLength(all - DEVICES_PAGE_SIZE);
    expect(listed(html).at(-1)).toBe(LAST);
    expect(html).toContain(fill(vi('shownOf'), { from: DEVICES_PAGE_SIZE + 1, to: all, total: all }));
    expect(html).toContain('href="/devices" rel="prev"');
    expect(html).not.toContain('rel="next"');
    expect(html).toMatch(new RegExp(`data-testid="quarantined-${LAST}">2<`));
  });

  it('pages never overlap and together list every device once', async () => {
    const one = listed(await (await as('tech', '/devices')).text());
    const two = listed(await (await as('tech', '/devices?page=2')).text());
    const api = (await (await as('tech', '/api/devices')).json()) as Array<{ deviceId: string }>;
    expect([...one, ...two]).toEqual(api.map((d) => d.deviceId));
  });

  it('says a page past the end is empty rather than showing nothing', async () => {
    const html = await (await as('tech', '/devices?page=9')).text();
    expect(listed(html)).toHaveLength(0);
    expect(html).toContain(fill(vi('pageBeyond'), { total: TV_DEVICES + 2 }));
  });

  it("shows a ward leader the ward's own devices only", async () => {
    const html = await (await as('lead.ka', '/devices')).text();
    expect(listed(html)).toEqual(['kim-anh-q001', 'kim-anh-q002']);
    expect(html).toContain(fill(vi('shownOf'), { from: 1, to: 2, total: 2 }));
  });

  it('keeps /api/devices the whole list, as before', async () => {
    const api = (await (await as('tech', '/api/devices')).json()) as unknown[];
    expect(api).toHaveLength(TV_DEVICES + 2);
  });

  it.each(['page=0', 'page=abc', 'page=10001'])('answers ?%s with a 400 naming the field', async (q) => {
    const res = await as('tech', `/devices?${q}`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('data-testid="error-field">page<');
  });

  it('answers an unknown parameter with a 400 naming it', async () => {
    const res = await as('tech', '/devices?sort=unit');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('unknown field(s) &#39;sort&#39;');
  });
});
