import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessFixture, PEOPLE, type Person } from './fixture.js';

type Fixture = Awaited<ReturnType<typeof accessFixture>>;

/**
 * Every GET route of the dashboard, with who may open it. A person in `allow` gets 200; another
 * signed-in person 403 (another ward's unit, or a role the route is not for); nobody is sent to
 * sign in (pages) or gets 401 (/api). `otherwise` names the few deliberate exceptions.
 * A new route is a new row here.
 */
interface RouteRow {
  path: (f: Fixture) => string;
  allow: readonly Person[] | 'public';
  otherwise?: Partial<Record<Person, number>>;
}

const LEADERS_OF_A = ['city', 'wardA'] as const;
const ALL_STAFF = PEOPLE;
const DEVICE_PEOPLE = ['city', 'wardA', 'wardB', 'technician'] as const;
const s = (p: string) => () => p;

const ROUTES: readonly RouteRow[] = [
  // The city's home; everyone else is sent to their own home.
  { path: s('/'), allow: ['city'], otherwise: { wardA: 303, wardB: 303, technician: 303, officerA: 303 } },
  { path: s('/units/trung-van'), allow: LEADERS_OF_A },
  { path: s('/units/trung-van/officers'), allow: LEADERS_OF_A },
  { path: s('/units/trung-van/officers.csv'), allow: LEADERS_OF_A },
  { path: s('/units/trung-van/uncounted'), allow: LEADERS_OF_A },
  { path: s('/units/trung-van/settings'), allow: LEADERS_OF_A },
  { path: s('/units/trung-van/roster'), allow: LEADERS_OF_A },
  { path: s('/units/trung-van/comments'), allow: LEADERS_OF_A },
  { path: s('/officers/cb-lan'), allow: ['city', 'wardA', 'officerA'] },
  { path: s('/officers/cb-tam'), allow: ['city', 'wardA'] },
  { path: s('/devices'), allow: DEVICE_PEOPLE },
  // Another ward's device is not found rather than refused: device ids are not to be probed.
  {
    path: (f) => `/devices/${f.deviceId}`,
    allow: ['city', 'wardA', 'technician'],
    otherwise: { wardB: 404 },
  },
  { path: s('/audit'), allow: ['city'] },
  { path: s('/cach-tinh'), allow: ALL_STAFF },
  // The unit's thresholds: for those who belong to it (its leaders, its officers) and the city.
  { path: s('/cach-tinh?unit=trung-van'), allow: ['city', 'wardA', 'officerA'] },
  { path: s('/search?q=HS-0001'), allow: ['city', 'wardA', 'wardB'] },
  { path: s('/login'), allow: 'public' },
  { path: s('/login/link?token=x'), allow: 'public' },
  { path: s('/comment?unit=trung-van'), allow: 'public' },
  { path: s('/healthz'), allow: 'public' },
  { path: s('/metrics'), allow: 'public' },
  { path: s('/api/units'), allow: ['city', 'wardA', 'wardB'] },
  { path: s('/api/units/trung-van/officers'), allow: LEADERS_OF_A },
  { path: s('/api/units/trung-van/evaluation'), allow: LEADERS_OF_A },
  { path: s('/api/units/trung-van/uncounted'), allow: LEADERS_OF_A },
  { path: s('/api/devices'), allow: DEVICE_PEOPLE },
  { path: s('/api/alerts'), allow: DEVICE_PEOPLE },
  { path: s('/api/live'), allow: ['city', 'wardA', 'wardB'] },
  { path: s('/api/live?unit=trung-van'), allow: LEADERS_OF_A },
];

function expected(row: RouteRow, who: Person | null, api: boolean): number {
  if (row.allow === 'public') return 200;
  if (who === null) return api ? 401 : 303;
  if (row.allow.includes(who)) return 200;
  return row.otherwise?.[who] ?? 403;
}

describe('role × unit × route', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await accessFixture();
  });
  afterAll(async () => {
    await f?.store.close();
  });

  for (const row of ROUTES) {
    const name = row.path({ deviceId: '<device>' } as Fixture);
    it(`${name}`, async () => {
      const path = row.path(f);
      const api = path.startsWith('/api/');
      const seen: Record<string, number> = {};
      const want: Record<string, number> = {};
      for (const who of [...PEOPLE, null]) {
        const res = await f.get(who, path);
        // Live streams stay open: the status is all this test reads.
        await res.body?.cancel();
        seen[who ?? 'nobody'] = res.status;
        want[who ?? 'nobody'] = expected(row, who, api);
        if (who === null && res.status === 303)
          expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent(path)}`);
      }
      expect(seen).toEqual(want);
    });
  }

  it('lists every GET route the app serves', () => {
    // A route added to the app without a row here fails this test.
    const served = new Set(
      f.app.routes.filter((r) => r.method === 'GET').map((r) => r.path.replace(/\/$/, '') || '/'),
    );
    const listed = new Set(
      ROUTES.map((r) =>
        r
          .path(f)
          .split('?')[0]!
          .replace('/units/trung-van', '/units/:unitId')
          .replace(/\/officers\/cb-\w+$/, '/officers/:officerId')
          .replace(`/devices/${f.deviceId}`, '/devices/:deviceId'),
      ),
    );
    expect([...served].filter((p) => !listed.has(p) && p !== '/*')).toEqual([]);
  });
});
