import {
  addStaffMember,
  applyAlertChanges,
  type Database,
  openStaffSession,
  provisionDevice,
  schema,
} from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp } from '../app.js';
import { unitLiveAsset } from '../assets/bundle.js';
import { SESSION_COOKIE } from '../auth/access.js';
import { LiveRatingFeed } from '../live/feed.js';
import { PdfRenderer } from '../reports/pdf.js';

/**
 * The people of every access test: the city, a ward leader of each of two units (A: trung-van,
 * B: kim-anh), a technician, and an officer in each unit. The one fixture of the role × unit
 * matrix: the whole-app matrix (`matrix.test.ts`) and each feature's own tests seed these.
 */
export const ACCOUNTS = {
  city: { role: 'city', unitId: null, officerId: null },
  'lead.tv': { role: 'ward', unitId: 'trung-van', officerId: null },
  'lead.ka': { role: 'ward', unitId: 'kim-anh', officerId: null },
  tech: { role: 'technician', unitId: null, officerId: null },
  lan: { role: 'officer', unitId: null, officerId: 'cb-lan' },
  tam: { role: 'officer', unitId: null, officerId: 'cb-tam' },
} as const;

export type Account = keyof typeof ACCOUNTS;
export const PEOPLE = Object.keys(ACCOUNTS) as Account[];

/** A route's expected answer for each account: a status, or a redirect's target. */
export type Expected = Record<Account, number | string>;

/**
 * Seeds the two units, an officer in each (cb-lan in A, cb-tam in B) and every account, each with
 * a browser session (cookie) and an API token.
 */
export async function seedPeople(
  db: Database,
): Promise<{ cookies: Record<Account, string>; tokens: Record<Account, string> }> {
  await db.insert(schema.units).values([
    { id: 'trung-van', name: 'Phường Trung Văn', province: 'Hà Nội' },
    { id: 'kim-anh', name: 'Xã Kim Anh', province: 'Hà Nội' },
  ]);
  await db.insert(schema.officers).values([
    { id: 'cb-lan', unitId: 'trung-van', name: 'Nguyễn Thị Lan' },
    { id: 'cb-tam', unitId: 'kim-anh', name: 'Vũ Minh Tâm' },
  ]);
  const cookies = {} as Record<Account, string>;
  const tokens = {} as Record<Account, string>;
  for (const username of PEOPLE) {
    await addStaffMember(db, { username, ...ACCOUNTS[username], actor: 'test' });
    cookies[username] = (await openStaffSession(db, username, 'browser')).token;
    tokens[username] = (await openStaffSession(db, username, 'api')).token;
  }
  return { cookies, tokens };
}

/**
 * The whole dashboard over `seedPeople` and a device at counter q01 of unit A: what the access
 * matrix asks the app with. Its PDF renderer points at no Chromium, so a PDF route that lets a
 * person through answers 503 "unavailable" instead of launching a browser (pdf.test.ts prints).
 */
export async function accessFixture() {
  const store: TestStore = await openTestStore('pglite');
  const { cookies, tokens } = await seedPeople(store.db);
  const device = await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q01', actor: 'test' });
  // Alert 1, of unit A's device: the alerts console's pages are in the matrix too.
  await applyAlertChanges(store.db, [{ deviceId: device.deviceId, kind: 'offline', message: 'test' }]);
  const logger = pino({ level: 'silent' });
  const app = createDashboardApp({
    db: store.db,
    notifications: store.notifications,
    registry: new Registry(),
    logger,
    feed: new LiveRatingFeed(store, logger),
    pdf: new PdfRenderer({ executablePath: '/nonexistent/chromium' }),
  });
  /** A GET as a browser (session cookie) or, under /api, as an integrator (bearer token). */
  const get = (who: Account | null, path: string) => {
    const headers: Record<string, string> = {};
    if (who && path.startsWith('/api/')) headers.authorization = `Bearer ${tokens[who]}`;
    else if (who) headers.cookie = `${SESSION_COOKIE}=${cookies[who]}`;
    return app.request(path, { headers });
  };
  const assetPath = (await unitLiveAsset()).path;
  return { store, app, get, cookies, deviceId: device.deviceId, assetPath };
}

/**
 * A route suite over `seedPeople` on `backend`: the dashboard is opened before the calling
 * `describe` and closed after it. `as` asks as one account (API token); `answersAsExpected`
 * adds one case per account and path of a matrix (a status, or a redirect's target).
 */
export function peopleSuite(backend: 'pglite' | 'postgres', now: Date) {
  const ctx = {} as {
    store: TestStore;
    app: ReturnType<typeof createDashboardApp>;
    tokens: Record<Account, string>;
  };
  const logger = pino({ level: 'silent' });
  beforeAll(async () => {
    ctx.store = await openTestStore(backend);
    ({ tokens: ctx.tokens } = await seedPeople(ctx.store.db));
    const feed = new LiveRatingFeed(ctx.store, logger);
    ctx.app = createDashboardApp({
      db: ctx.store.db,
      notifications: ctx.store.notifications,
      registry: new Registry(),
      logger,
      feed,
      now: () => now,
    });
  });
  afterAll(async () => {
    await ctx.store?.close();
  });
  const as = (who: Account, path: string) =>
    ctx.app.request(path, { headers: { authorization: `Bearer ${ctx.tokens[who]}` } });
  const answersAsExpected = (matrix: ReadonlyArray<[string, Expected]>) =>
    describe.each(matrix)('%s', (path, expected) => {
      it.each(Object.entries(expected) as [Account, number | string][])('as %s: %s', async (who, answer) => {
        const res = await as(who, path);
        if (typeof answer === 'number') expect(res.status).toBe(answer);
        else {
          expect(res.status).toBe(303);
          expect(res.headers.get('location')).toBe(answer);
        }
      });
    });
  return { ctx, as, answersAsExpected };
}
