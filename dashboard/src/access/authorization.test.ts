import type { Database } from '@onestop/store';
import { addStaffMember, openStaffSession, provisionDevice, schema } from '@onestop/store';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp } from '../app.js';
import { SESSION_COOKIE } from '../auth/access.js';
import type { LiveRatingFeed } from '../live/feed.js';
import { ASKERS, type Asker, AUTHORIZATION_MATRIX, parseStatuses, routeKey } from './authorization-matrix.js';
import { type Account, accessFixture } from './fixture.js';

/**
 * Who each column of the matrix is (see authorization-matrix.ts). `token` is the city's API token.
 */
const ACCOUNT_OF: Record<Exclude<Asker, 'anonymous'>, Account> = {
  city: 'city',
  'ward.own': 'lead.tv',
  'ward.other': 'lead.ka',
  'officer.own': 'lan',
  'officer.other': 'tam',
  technician: 'tech',
  token: 'city',
};

/**
 * The route table, read off the app itself: every method and path pattern it answers. Building
 * the app touches no database (only its handlers do), so the table is known when the tests are
 * collected and each route is a test of its own. `ALL` entries are middleware (`app.use`: unit
 * scope, the catch-all), which answer nothing by themselves.
 */
const SERVED = [
  ...new Set(
    createDashboardApp({
      db: {} as Database,
      registry: new Registry(),
      logger: pino({ level: 'silent' }),
      feed: {} as LiveRatingFeed,
    })
      .routes.filter((r) => r.method !== 'ALL')
      .map((r) => routeKey(r.method, r.path)),
  ),
];

describe('authorization matrix: every route × every asker', () => {
  let f: Awaited<ReturnType<typeof accessFixture>>;
  let spare: string;
  beforeAll(async () => {
    f = await accessFixture();
    // What POSTs act on, so that an action let through changes nothing the other rows read.
    const db = f.store.db;
    spare = (await provisionDevice(db, { unitId: 'trung-van', counterId: 'q09', actor: 'test' })).deviceId;
    await db.insert(schema.officers).values({ id: 'cb-spare', unitId: 'trung-van', name: 'Dự phòng' });
    await addStaffMember(db, {
      username: 'tech.spare',
      role: 'technician',
      unitId: null,
      officerId: null,
      actor: 'test',
    });
  });
  afterAll(async () => {
    await f?.store.close();
  });

  const sessions = new Map<Asker, string>();
  async function sessionOf(who: Exclude<Asker, 'anonymous'>, fresh: boolean): Promise<string> {
    const known = sessions.get(who);
    if (known && !fresh) return known;
    const { token } = await openStaffSession(
      f.store.db,
      ACCOUNT_OF[who],
      who === 'token' ? 'api' : 'browser',
    );
    if (!fresh) sessions.set(who, token);
    return token;
  }

  async function ask(method: string, path: string, who: Asker): Promise<number> {
    const headers: Record<string, string> = {};
    if (who !== 'anonymous') {
      // Signing out ends the session it is asked with: that one is a session of its own.
      const token = await sessionOf(who, path === '/logout');
      if (who === 'token') headers.authorization = `Bearer ${token}`;
      else headers.cookie = `${SESSION_COOKIE}=${token}`;
    }
    const init: RequestInit = { method, headers };
    if (method === 'POST') {
      headers.origin = 'http://localhost';
      headers['content-type'] = 'application/x-www-form-urlencoded';
      init.body = '';
    }
    const res = await f.app.request(path, init);
    // Live streams stay open: the status is all this test reads.
    await res.body?.cancel();
    return res.status;
  }

  // GETs first: a POST let through acts on a spare, but nothing a page shows should move under it.
  const order = [...SERVED].sort((a, b) => Number(a.startsWith('POST')) - Number(b.startsWith('POST')));
  it.each(order)('%s', async (key) => {
    const row = AUTHORIZATION_MATRIX[key];
    if (!row)
      throw new Error(
        `route ${key} has no entry in the authorization matrix (access/authorization-matrix.ts)`,
      );
    const want = parseStatuses(row);
    const path = row.path
      .replace('{device}', f.deviceId)
      .replace('{spareDevice}', spare)
      .replace('{asset}', f.assetPath);
    const method = key.slice(0, key.indexOf(' '));
    const seen = {} as Record<Asker, number>;
    for (const who of ASKERS) seen[who] = await ask(method, path, who);
    expect(seen, `${key} asked as ${path}`).toEqual(want);
  });

  it('has no entry for a route the app no longer serves', () => {
    const served = new Set(SERVED);
    expect(Object.keys(AUTHORIZATION_MATRIX).filter((k) => !served.has(k))).toEqual([]);
  });

  it('asks each route at a path of its own pattern', () => {
    // A row whose path does not match its pattern would test another route's gate.
    const mismatched = Object.entries(AUTHORIZATION_MATRIX).filter(([key, row]) => {
      const pattern = key.slice(key.indexOf(' ') + 1).replace(/:\w+/g, '[^/]+');
      const path = row.path
        .split('?')[0]!
        .replace(/\{\w+\}/g, 'x')
        .replace(/^x$/, '/assets/x');
      return !new RegExp(`^${pattern}$`).test(path);
    });
    expect(mismatched.map(([k]) => k)).toEqual([]);
  });
});
