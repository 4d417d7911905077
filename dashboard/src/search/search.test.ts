import { DEFAULT_REASONS, newEventId } from '@onestop/protocol';
import { addStaffMember, openStaffSession, saveOfficer, schema } from '@onestop/store';
import { openTestStore, STORE_BACKENDS, type TestStore } from '@onestop/store/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp } from '../app.js';
import { fill, translator } from '../i18n.js';
import { LiveRatingFeed } from '../live/feed.js';
import { UNSATISFIED_PAGE_SIZE } from '../pages/accountability.js';
import { SEARCH_PAGE_SIZE } from './routes.js';

const logger = pino({ level: 'silent' });
const vi = translator('vi');
const en = translator('en');
/** 10:00 in Hà Nội, 20 Nov 2026: the dashboard's "now"; every row below is of that morning. */
const NOW = new Date(Date.UTC(2026, 10, 20, 3, 0));
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);

const DOSSIER = '000.00.12.H26-261120-0001';
const TICKET = 'A001';
/** A ticket many citizens of the morning were given (pages of results). */
const BUSY_TICKET = 'B002';
const BUSY = SEARCH_PAGE_SIZE + 5;
/** Unsatisfied counted ratings at Trung Văn: a page and a bit. */
const BAD = UNSATISFIED_PAGE_SIZE + 5;

function ratingRow(unitId: string, over: Partial<typeof schema.ratings.$inferInsert> = {}) {
  return {
    eventId: newEventId(),
    unitId,
    counterId: 'q01',
    deviceId: `${unitId}-q01`,
    officerId: unitId === 'trung-van' ? 'cb-lan' : 'cb-hoa',
    scale: 'keypad4',
    level: 1,
    official: 'unsatisfied',
    score: 0,
    source: 'keypad',
    deviceTs: minutesAgo(30),
    at: minutesAgo(30),
    attribution: 'verified',
    ...over,
  } satisfies typeof schema.ratings.$inferInsert;
}

describe.each(STORE_BACKENDS)('search by dossier ID or ticket, reasons in words, pages, on %s', (backend) => {
  let store: TestStore;
  let app: ReturnType<typeof createDashboardApp>;
  const tokens: Record<string, string> = {};
  const tv = ratingRow('trung-van', {
    dossierIds: [DOSSIER],
    ticket: TICKET,
    reasons: ['slow', 'unclear', 'rude'],
  });
  const ka = ratingRow('kim-anh', { dossierIds: [DOSSIER], ticket: TICKET, reasons: ['slow'] });

  const get = (who: string, path: string, lang: 'vi' | 'en' = 'vi') =>
    app.request(path, { headers: { authorization: `Bearer ${tokens[who]}`, cookie: `lang=${lang}` } });
  const page = async (who: string, path: string, lang: 'vi' | 'en' = 'vi') => {
    const res = await get(who, path, lang);
    expect(res.status).toBe(200);
    return res.text();
  };
  /** The body rows of one table of a page, by its test ID. */
  const rowsOf = (body: string, testId: string) => {
    const table = body.split(`data-testid="${testId}"`)[1]?.split('</table>')[0] ?? '';
    return (table.split('<tbody>')[1] ?? '').split('<tr').length - 1;
  };

  beforeAll(async () => {
    store = await openTestStore(backend);
    const { db } = store;
    await db.insert(schema.units).values([
      { id: 'trung-van', name: 'Phường Trung Văn', province: 'Hà Nội' },
      { id: 'kim-anh', name: 'Xã Kim Anh', province: 'Hà Nội' },
    ]);
    await saveOfficer(db, {
      unitId: 'trung-van',
      officerId: 'cb-lan',
      name: 'Nguyễn Thị Lan',
      actor: 'test',
    });
    await saveOfficer(db, { unitId: 'kim-anh', officerId: 'cb-hoa', name: 'Lê Thị Hoa', actor: 'test' });
    await db.insert(schema.ratings).values([
      tv,
      ka,
      ...Array.from({ length: BUSY }, (_, i) =>
        ratingRow('trung-van', { ticket: BUSY_TICKET, at: minutesAgo(40 + i) }),
      ),
      // More of the morning's unsatisfied ratings, so that the unit's list has a second page.
      ...Array.from({ length: BAD - 1 - BUSY }, (_, i) => ratingRow('trung-van', { at: minutesAgo(80 + i) })),
    ]);
    await db.insert(schema.visits).values([
      {
        id: newEventId(),
        unitId: 'trung-van',
        counterId: 'q01',
        deviceId: 'trung-van-q01',
        officerId: 'cb-lan',
        ticket: TICKET,
        startedAt: minutesAgo(35),
      },
      {
        id: newEventId(),
        unitId: 'kim-anh',
        counterId: 'q01',
        deviceId: 'kim-anh-q01',
        ticket: TICKET,
        startedAt: minutesAgo(35),
      },
    ]);
    await db.insert(schema.comments).values([
      { unitId: 'trung-van', dossierId: DOSSIER, kind: 'complaint', body: 'Chờ quá lâu ở Trung Văn' },
      { unitId: 'kim-anh', dossierId: DOSSIER, kind: 'complaint', body: 'Góp ý ở Kim Anh' },
    ]);
    await addStaffMember(db, { username: 'city', role: 'city', actor: 'test' });
    await addStaffMember(db, { username: 'tv-leader', role: 'ward', unitId: 'trung-van', actor: 'test' });
    for (const who of ['city', 'tv-leader']) tokens[who] = (await openStaffSession(db, who, 'api')).token;
    app = createDashboardApp({
      db,
      registry: new Registry(),
      logger,
      feed: new LiveRatingFeed(store, logger),
      now: () => NOW,
    });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('finds a rating by dossier ID in the leader own unit only, with its comment', async () => {
    const body = await page('tv-leader', `/search?q=${encodeURIComponent(` ${DOSSIER} `)}`);
    expect(body).toContain(`data-event-id="${tv.eventId}"`);
    expect(body).not.toContain(`data-event-id="${ka.eventId}"`);
    expect(body).toContain('Nguyễn Thị Lan');
    expect(body).toContain('/units/trung-van?period=day&amp;date=2026-11-20');
    expect(body).toContain('Chờ quá lâu ở Trung Văn');
    expect(body).not.toContain('Kim Anh');
    expect(body).toContain(vi('searchScopeUnit'));
  });

  it('finds a rating and the visit by queue ticket, not another unit’s', async () => {
    const body = await page('tv-leader', `/search?q=${TICKET}`);
    expect(rowsOf(body, 'search-ratings')).toBe(1);
    expect(body).toContain(`data-event-id="${tv.eventId}"`);
    expect(rowsOf(body, 'search-visits')).toBe(1);
    expect(body).not.toContain('Kim Anh');
  });

  it('lets the city find both units’ rows', async () => {
    const body = await page('city', `/search?q=${DOSSIER}`);
    expect(body).toContain(`data-event-id="${tv.eventId}"`);
    expect(body).toContain(`data-event-id="${ka.eventId}"`);
    expect(body).toContain('Góp ý ở Kim Anh');
  });

  it('names reasons in words in Vietnamese and English, an unknown code as itself', async () => {
    const [slow, , unclear] = DEFAULT_REASONS;
    for (const [lang, words] of [
      ['vi', `${slow.vi}, ${unclear.vi}, rude`],
      ['en', `${slow.en}, ${unclear.en}, rude`],
    ] as const) {
      expect(await page('tv-leader', `/search?q=${TICKET}`, lang)).toContain(words);
      expect(await page('tv-leader', '/units/trung-van', lang)).toContain(words);
    }
  });

  it('answers a bad term with the 400 page naming q', async () => {
    for (const q of ['', '%20%20', 'a%20b', '%3Cscript%3E', 'x'.repeat(65)]) {
      const res = await get('tv-leader', `/search?q=${q}`);
      expect(res.status).toBe(400);
      const body = await res.text();
      expect(body).toContain('data-testid="error"');
      expect(body).toContain('<code data-testid="error-field">q</code>');
    }
    expect((await get('tv-leader', `/search?q=${TICKET}&page=0`)).status).toBe(400);
    expect((await get('tv-leader', `/search?q=${TICKET}&sort=x`)).status).toBe(400);
  });

  it('pages search results with "showing X of Y"', async () => {
    const first = await page('tv-leader', `/search?q=${BUSY_TICKET}`, 'en');
    expect(rowsOf(first, 'search-ratings')).toBe(SEARCH_PAGE_SIZE);
    expect(first).toContain(fill(en('shownOf'), { from: 1, to: SEARCH_PAGE_SIZE, total: BUSY }));
    expect(first).toContain(`href="/search?q=${BUSY_TICKET}&amp;page=2#ratings"`);
    const second = await page('tv-leader', `/search?q=${BUSY_TICKET}&page=2`, 'en');
    expect(rowsOf(second, 'search-ratings')).toBe(BUSY - SEARCH_PAGE_SIZE);
    expect(second).toContain(fill(en('shownOf'), { from: SEARCH_PAGE_SIZE + 1, to: BUSY, total: BUSY }));
    expect(second).toContain('rel="prev"');
  });

  it('pages the unit page’s unsatisfied list, keeping the period in the links', async () => {
    const day = 'period=day&date=2026-11-20';
    const first = await page('tv-leader', `/units/trung-van?${day}`);
    expect(rowsOf(first, 'unsatisfied')).toBe(UNSATISFIED_PAGE_SIZE);
    expect(first).toContain(fill(vi('shownOf'), { from: 1, to: UNSATISFIED_PAGE_SIZE, total: BAD }));
    expect(first).toContain(`href="/units/trung-van?${day.replace('&', '&amp;')}&amp;page=2#unsatisfied"`);
    const second = await page('tv-leader', `/units/trung-van?${day}&page=2`);
    expect(rowsOf(second, 'unsatisfied')).toBe(BAD - UNSATISFIED_PAGE_SIZE);
    expect(second).toContain(fill(vi('shownOf'), { from: UNSATISFIED_PAGE_SIZE + 1, to: BAD, total: BAD }));
    const beyond = await page('tv-leader', `/units/trung-van?${day}&page=9`);
    expect(beyond).toContain(fill(vi('pageBeyond'), { total: BAD }));
    expect((await get('tv-leader', '/units/trung-van?page=abc')).status).toBe(400);
  });
});
