import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, accessFixture, PEOPLE } from './fixture.js';

type Fixture = Awaited<ReturnType<typeof accessFixture>>;

/**
 * Every GET route of the dashboard, with who may open it. A person in `allow` gets `granted`
 * (200 unless said); another signed-in person 403 (another ward's unit, or a role the route is not
 * for); nobody is sent to sign in (pages) or gets 401 (/api). `otherwise` names the few deliberate
 * exceptions. A new route is a new row here.
 */
interface RouteRow {
  path: (f: Fixture) => string;
  allow: readonly Account[] | 'public';
  granted?: number;
  otherwise?: Partial<Record<Account, number>>;
}

const LEADERS_OF_A = ['city', 'lead.tv'] as const;
const ALL_STAFF = PEOPLE;
const DEVICE_PEOPLE = ['city', 'lead.tv', 'lead.ka', 'tech'] as const;
/**
 * A PDF a person may open: the fixture has no Chromium, so getting through the access gate shows
 * as 503 "unavailable" (pdf.test.ts prints real PDFs); the refusals are what this matrix checks.
 */
const PDF = 503;
const s = (p: string) => () => p;

const ROUTES: readonly RouteRow[] = [
  // The city's home; everyone else is sent to their own home.
  {
    path: s('/'),
    allow: ['city'],
    otherwise: { 'lead.tv': 303, 'lead.ka': 303, tech: 303, lan: 303, tam: 303 },
  },
  { path: s('/units/trung-van'), allow: LEADERS_OF_A },
  { path: s('/units/trung-van/officers'), allow: LEADERS_OF_A },
  { path: s('/units/trung-van/officers.csv'), allow: LEADERS_OF_A },
  { path: s('/units/trung-van/uncounted'), allow: LEADERS_OF_A },
  { path: s('/units/trung-van/settings'), allow: LEADERS_OF_A },
  { path: s('/units/trung-van/roster'), allow: LEADERS_OF_A },
  { path: s('/units/trung-van/comments'), allow: LEADERS_OF_A },
  { path: s('/units/trung-van/counters/q01'), allow: LEADERS_OF_A },
  { path: s('/units/trung-van/report'), allow: LEADERS_OF_A },
  { path: s('/units/trung-van/report.pdf'), allow: LEADERS_OF_A, granted: PDF },
  { path: s('/units/trung-van/ratings.csv'), allow: LEADERS_OF_A },
  { path: s('/units/trung-van/ratings.xlsx'), allow: LEADERS_OF_A },
  { path: s('/report'), allow: ['city'] },
  { path: s('/report.pdf'), allow: ['city'], granted: PDF },
  { path: s('/units.csv'), allow: ['city'] },
  { path: s('/units.xlsx'), allow: ['city'] },
  { path: s('/officers/cb-lan'), allow: ['city', 'lead.tv', 'lan'] },
  { path: s('/officers/cb-tam'), allow: ['city', 'lead.ka', 'tam'] },
  { path: s('/officers/cb-lan/ratings'), allow: ['city', 'lead.tv', 'lan'] },
  { path: s('/officers/cb-tam/ratings'), allow: ['city', 'lead.ka', 'tam'] },
  { path: s('/devices'), allow: DEVICE_PEOPLE },
  // Provisioning: ward leaders look at their devices but do not add them.
  { path: s('/devices/add'), allow: ['city', 'tech'] },
  // Another ward's device is not found rather than refused: device ids are not to be probed.
  {
    path: (f) => `/devices/${f.deviceId}`,
    allow: ['city', 'lead.tv', 'tech'],
    otherwise: { 'lead.ka': 404 },
  },
  // A device's lifecycle (replace, restore, rotate, revoke): technicians and the city only.
  { path: (f) => `/devices/${f.deviceId}/lifecycle/replace`, allow: ['city', 'tech'] },
  { path: (f) => `/devices/${f.deviceId}/lifecycle/restore/done`, allow: ['city', 'tech'] },
  { path: (f) => `/devices/${f.deviceId}/credentials/${'x'.repeat(24)}`, allow: ['city', 'tech'] },
  { path: s('/devices/fleet/summary'), allow: DEVICE_PEOPLE },
  { path: s('/devices/fleet/live'), allow: DEVICE_PEOPLE },
  { path: s('/devices/alerts'), allow: DEVICE_PEOPLE },
  { path: s('/devices/alerts/hooks'), allow: DEVICE_PEOPLE },
  // The fixture's one alert (unit A's device): another ward's alert is not found, as its device.
  { path: s('/devices/alerts/1'), allow: ['city', 'lead.tv', 'tech'], otherwise: { 'lead.ka': 404 } },
  // Fleet updates: ward leaders look (their own unit's rollouts); no rollout is not found.
  { path: s('/devices/releases'), allow: DEVICE_PEOPLE },
  { path: s('/devices/rollouts/00000000-0000-4000-8000-000000000000'), allow: DEVICE_PEOPLE, granted: 404 },
  // Boards only, with their MQTT credentials (HTTP Basic): no staff session or token opens it.
  {
    path: s('/api/releases/1.0.0/bundle'),
    allow: [],
    otherwise: { city: 401, 'lead.tv': 401, 'lead.ka': 401, tech: 401, lan: 401, tam: 401 },
  },
  { path: s('/audit'), allow: ['city'] },
  // Accounts: the city (every role) and technicians (their teammates); see `canManageRole`.
  { path: s('/users'), allow: ['city', 'tech'] },
  { path: s('/users/new'), allow: ['city', 'tech'] },
  { path: s('/cach-tinh'), allow: ALL_STAFF },
  // The unit's thresholds: for those who belong to it (its leaders, its officers) and the city.
  { path: s('/cach-tinh?unit=trung-van'), allow: ['city', 'lead.tv', 'lan'] },
  { path: s('/search?q=HS-0001'), allow: ['city', 'lead.tv', 'lead.ka'] },
  { path: s('/login'), allow: 'public' },
  { path: s('/login/link?token=x'), allow: 'public' },
  { path: s('/comment?unit=trung-van'), allow: 'public' },
  { path: s('/comment/status'), allow: 'public' },
  // What a pairing QR code opens: the command to type, no data.
  { path: s('/pair?code=ABCD-EFGH'), allow: 'public' },
  // Client modules hold no data.
  { path: (f) => f.assetPath, allow: 'public' },
  { path: s('/healthz'), allow: 'public' },
  { path: s('/metrics'), allow: 'public' },
  { path: s('/api/units'), allow: ['city', 'lead.tv', 'lead.ka'] },
  { path: s('/api/units/trung-van/officers'), allow: LEADERS_OF_A },
  { path: s('/api/units/trung-van/evaluation'), allow: LEADERS_OF_A },
  { path: s('/api/units/trung-van/uncounted'), allow: LEADERS_OF_A },
  { path: s('/api/devices'), allow: DEVICE_PEOPLE },
  { path: s('/api/alerts'), allow: DEVICE_PEOPLE },
  { path: s('/api/live'), allow: ['city', 'lead.tv', 'lead.ka'] },
  { path: s('/api/live?unit=trung-van'), allow: LEADERS_OF_A },
];

function expected(row: RouteRow, who: Account | null, api: boolean): number {
  if (row.allow === 'public') return 200;
  if (who === null) return api ? 401 : 303;
  if (row.allow.includes(who)) return row.granted ?? 200;
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
    const name = row.path({ deviceId: '<device>', assetPath: '/assets/<module>' } as Fixture);
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
          .replace(/^\/officers\/cb-\w+/, '/officers/:officerId')
          .replace('/counters/q01', '/counters/:counterId')
          .replace(`/devices/${f.deviceId}`, '/devices/:deviceId')
          .replace(/\/lifecycle\/(replace|restore|rotate|revoke)/, '/lifecycle/:action')
          .replace(/\/credentials\/x+$/, '/credentials/:token')
          .replace('/devices/alerts/1', '/devices/alerts/:alertId')
          .replace(/\/devices\/rollouts\/[0-9a-f-]{36}$/, '/devices/rollouts/:rolloutId')
          .replace('/api/releases/1.0.0/bundle', '/api/releases/:version/bundle')
          .replace(f.assetPath, '/assets/:file'),
      ),
    );
    expect([...served].filter((p) => !listed.has(p) && p !== '/*')).toEqual([]);
  });
});
