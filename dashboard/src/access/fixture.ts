import { addStaffMember, openStaffSession, provisionDevice, schema } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { createDashboardApp } from '../app.js';
import { SESSION_COOKIE } from '../auth/access.js';
import { LiveRatingFeed } from '../live/feed.js';

/** The people of the access tests: one per role, and a ward leader of each of two units. */
export const PEOPLE = ['city', 'wardA', 'wardB', 'technician', 'officerA'] as const;
export type Person = (typeof PEOPLE)[number];

const ACCOUNTS = {
  city: { role: 'city', unitId: null, officerId: null },
  wardA: { role: 'ward', unitId: 'trung-van', officerId: null },
  wardB: { role: 'ward', unitId: 'kim-anh', officerId: null },
  technician: { role: 'technician', unitId: null, officerId: null },
  officerA: { role: 'officer', unitId: null, officerId: 'cb-lan' },
} as const;

/**
 * A dashboard over two units (A: trung-van, B: kim-anh) with an officer and a device in A, and a
 * browser session and an API token for every person: what the access tests ask the app with.
 */
export async function accessFixture() {
  const store: TestStore = await openTestStore('pglite');
  await store.db.insert(schema.units).values([
    { id: 'trung-van', name: 'Phường Trung Văn' },
    { id: 'kim-anh', name: 'Xã Kim Anh' },
  ]);
  await store.db.insert(schema.officers).values([
    { id: 'cb-lan', unitId: 'trung-van', name: 'Nguyễn Thị Lan' },
    { id: 'cb-tam', unitId: 'trung-van', name: 'Vũ Minh Tâm' },
  ]);
  const device = await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q01', actor: 'test' });
  const cookies = {} as Record<Person, string>;
  const tokens = {} as Record<Person, string>;
  for (const person of PEOPLE) {
    await addStaffMember(store.db, { username: person.toLowerCase(), ...ACCOUNTS[person], actor: 'test' });
    cookies[person] = (await openStaffSession(store.db, person.toLowerCase(), 'browser')).token;
    tokens[person] = (await openStaffSession(store.db, person.toLowerCase(), 'api')).token;
  }
  const logger = pino({ level: 'silent' });
  const app = createDashboardApp({
    db: store.db,
    registry: new Registry(),
    logger,
    feed: new LiveRatingFeed(store, logger),
  });
  /** A GET as a browser (session cookie) or, under /api, as an integrator (bearer token). */
  const get = (who: Person | null, path: string) => {
    const headers: Record<string, string> = {};
    if (who && path.startsWith('/api/')) headers.authorization = `Bearer ${tokens[who]}`;
    else if (who) headers.cookie = `${SESSION_COOKIE}=${cookies[who]}`;
    return app.request(path, { headers });
  };
  return { store, app, get, cookies, deviceId: device.deviceId };
}
