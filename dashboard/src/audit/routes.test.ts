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
  ['/audit', { city: 200, 'lead.tv': 403, 'lead.ka': 403, tech: 403, lan: 403, tam: 403 }],
];

describe.each(STORE_BACKENDS)('audit log on %s', (backend) => {
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

  it('lists the accounts created, in words', async () => {
    const page = await (await as('city', '/audit?lang=en')).text();
    expect(page).toContain('data-testid="audit"');
    expect(page).toContain('lead.tv');
  });
});
