import { openTestStore, STORE_BACKENDS, type TestStore } from '@onestop/store/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Account, type Expected, seedPeople } from '../access/fixture.js';
import { createDashboardApp } from '../app.js';
import { LiveRatingFeed } from '../live/feed.js';

const logger = pino({ level: 'silent' });
const NOW = new Date('2026-11-20T03:00:00Z');

const MATRIX: Array<[string, Expected]> = [
  // Everyone else signed in is sent to their own start page.
  [
    '/',
    {
      city: 200,
      'lead.tv': '/units/trung-van',
      'lead.ka': '/units/kim-anh',
      tech: '/devices',
      lan: '/officers/cb-lan',
      tam: '/officers/cb-tam',
    },
  ],
];

describe.each(STORE_BACKENDS)('city page on %s', (backend) => {
  let store: TestStore;
  let app: ReturnType<typeof createDashboardApp>;
  let tokens: Record<Account, string>;
  const as = (who: Account, path: string) =>
    app.request(path, { headers: { authorization: `Bearer ${tokens[who]}` } });
  beforeAll(async () => {
    store = await openTestStore(backend);
    ({ tokens } = await seedPeople(store.db));
    const feed = new LiveRatingFeed(store, logger);
    app = createDashboardApp({ db: store.db, registry: new Registry(), logger, feed, now: () => NOW });
  });
  afterAll(async () => {
    await store?.close();
  });

  describe.each(MATRIX)('%s', (path, expected) => {
    it.each(Object.entries(expected) as [Account, number | string][])('as %s: %s', async (who, answer) => {
      const res = await as(who, path);
      if (typeof answer === 'number') expect(res.status).toBe(answer);
      else {
        expect(res.status).toBe(303);
        expect(res.headers.get('location')).toBe(answer);
      }
    });
  });

  it('answers a bad period with a 400 page naming the field', async () => {
    const res = await as('city', '/?period=month&date=2026-02-30');
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('data-testid="error-field">date<');
  });
});
