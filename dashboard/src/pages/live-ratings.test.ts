import { newEventId } from '@onestop/protocol';
import { addStaffMember, openStaffSession, schema } from '@onestop/store';
import { openTestStore, STORE_BACKENDS, type TestStore } from '@onestop/store/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp } from '../app.js';
import { LiveRatingFeed } from '../live/feed.js';

const NOW = new Date('2026-11-20T03:00:00Z');
const MIN = 60_000;
const logger = pino({ level: 'silent' });

type Verdict = Pick<
  typeof schema.ratings.$inferInsert,
  'officerId' | 'attribution' | 'attributionReason' | 'filterReason' | 'at'
> & { deviceTs?: Date };

/** One rating of each verdict the live list must tell apart, named by what it is. */
const RATINGS: Record<string, Verdict> = {
  counted: { officerId: 'cb-lan', attribution: 'verified', at: new Date(NOW.getTime() - 5 * MIN) },
  foreign: {
    officerId: 'cb-tam',
    attribution: 'unverified',
    attributionReason: 'not_on_roster',
    at: new Date(NOW.getTime() - 4 * MIN),
  },
  unknown: {
    officerId: 'cb-zz',
    attribution: 'unverified',
    attributionReason: 'unknown_officer',
    at: new Date(NOW.getTime() - 3 * MIN),
  },
  filtered: {
    officerId: 'cb-lan',
    attribution: 'verified',
    filterReason: 'rapid_repeat',
    at: new Date(NOW.getTime() - 2 * MIN),
  },
  quarantined: {
    officerId: 'cb-lan',
    attribution: 'pending',
    at: null,
    deviceTs: new Date('2030-01-01T01:00:00Z'),
  },
};

describe.each(STORE_BACKENDS)('the live ratings list on %s', (backend) => {
  let store: TestStore;
  let app: ReturnType<typeof createDashboardApp>;
  let token = '';
  const ids = new Map<string, string>();
  beforeAll(async () => {
    store = await openTestStore(backend);
    const { db } = store;
    await db.insert(schema.units).values([
      { id: 'trung-van', name: 'Phường Trung Văn' },
      { id: 'dong-anh', name: 'Xã Đông Anh' },
    ]);
    await db.insert(schema.officers).values([
      { id: 'cb-lan', unitId: 'trung-van', name: 'Nguyễn Thị Lan' },
      { id: 'cb-tam', unitId: 'dong-anh', name: 'Phạm Thị Tâm' },
    ]);
    for (const [name, v] of Object.entries(RATINGS)) {
      const eventId = newEventId();
      ids.set(name, eventId);
      await db.insert(schema.ratings).values({
        eventId,
        unitId: 'trung-van',
        counterId: 'q01',
        deviceId: 'q01-a',
        scale: 'keypad4',
        level: 1,
        official: 'unsatisfied',
        score: 0,
        source: 'keypad',
        ...v,
        deviceTs: v.deviceTs ?? v.at ?? NOW,
      });
    }
    await addStaffMember(db, { username: 'city', role: 'city', actor: 'test' });
    token = (await openStaffSession(db, 'city', 'api')).token;
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

  const rowOf = (page: string, name: string) => {
    const id = ids.get(name)!;
    const start = page.indexOf(`<tr data-event-id="${id}"`);
    expect(start).toBeGreaterThan(-1);
    return page.slice(start, page.indexOf('</tr>', start));
  };

  it('marks every uncounted rating with why, and never names another unit’s officer', async () => {
    for (const lang of ['vi', 'en'] as const) {
      const page = await (
        await app.request(`/units/trung-van?lang=${lang}`, { headers: { authorization: `Bearer ${token}` } })
      ).text();
      const counted = rowOf(page, 'counted');
      expect(counted).toContain('data-counted="true"');
      expect(counted).toContain('Nguyễn Thị Lan');
      expect(counted).not.toContain('uncounted-marker');

      const words =
        lang === 'vi'
          ? {
              notCounted: 'Không tính cho cán bộ',
              roster: 'không có trong danh sách cán bộ của đơn vị',
              foreign: 'Chưa xác minh: Cán bộ không thuộc đơn vị hoặc đã thôi làm việc',
              filtered: 'Bị lọc: Bấm lặp lại quá nhanh',
              quarantined: 'Bị cách ly',
              unplaced: 'giờ thiết bị ghi, không xác định được',
            }
          : {
              notCounted: 'Counted for no officer',
              roster: 'not on this unit&#39;s roster',
              foreign: 'Unverified: Officer not on this unit&#39;s roster, or retired',
              filtered: 'Filtered: Rapid repeat press',
              quarantined: 'Quarantined',
              unplaced: 'device clock, not placed',
            };
      const foreign = rowOf(page, 'foreign');
      expect(foreign).toContain('data-counted="false"');
      expect(foreign).toContain(`cb-tam <small class="muted">${words.roster}</small>`);
      expect(foreign).toContain(words.notCounted);
      expect(foreign).toContain(words.foreign);
      expect(page).not.toContain('Phạm Thị Tâm');
      expect(rowOf(page, 'unknown')).toContain(`cb-zz <small class="muted">${words.roster}</small>`);
      const filtered = rowOf(page, 'filtered');
      expect(filtered).toContain('Nguyễn Thị Lan');
      expect(filtered).toContain(words.filtered);
      const quarantined = rowOf(page, 'quarantined');
      expect(quarantined).toContain(words.quarantined);
      // The time its device claimed (2030, 08:00 in Hanoi), marked as not placed.
      expect(quarantined).toMatch(new RegExp(`8:00:00.*1/1/2030 \\(${words.unplaced}\\)`));
    }
  });

  it('lists only counted ratings on the officer’s own page', async () => {
    const page = await (
      await app.request('/officers/cb-lan?lang=en', { headers: { authorization: `Bearer ${token}` } })
    ).text();
    expect(page).toContain(ids.get('counted'));
    for (const name of ['filtered', 'quarantined']) expect(page).not.toContain(ids.get(name));
  });
});
