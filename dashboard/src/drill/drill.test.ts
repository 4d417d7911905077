import { againstTarget, displayNumber, satisfactionIndex, satisfiedShare } from '@onestop/evaluation';
import { newEventId } from '@onestop/protocol';
import { addStaffMember, getUnitSettings, openStaffSession, saveOfficer, schema } from '@onestop/store';
import { openTestStore, STORE_BACKENDS, type TestStore } from '@onestop/store/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp } from '../app.js';
import { fill, reasonsText, translator } from '../i18n.js';
import { LiveRatingFeed } from '../live/feed.js';
import { DRILL_PAGE_SIZE } from './routes.js';

const logger = pino({ level: 'silent' });
const vi = translator('vi');
/** 10:00 in Hà Nội, 20 Nov 2026; every row below is of that morning (the default period: today). */
const NOW = new Date(Date.UTC(2026, 10, 20, 3, 0));
const HOUR = new Date(Date.UTC(2026, 10, 20, 2, 0));
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
const DOSSIER = '000.00.12.H26-261120-0042';
const VISIT = newEventId();
/** cb-lan's ratings at Trung Văn this morning: a page and a bit. */
const LAN_RATINGS = DRILL_PAGE_SIZE + 5;

const counts = { lan: [30, 2, 8], minh: [20, 10, 5], tuan: [3, 1, 1], hoa: [10, 10, 10] } as const;

function rollup(
  unitId: string,
  officerId: string,
  [verySatisfied, satisfied, unsatisfied]: readonly number[],
) {
  return {
    unitId,
    counterId: 'q01',
    officerId,
    hour: HOUR,
    ratings: verySatisfied! + satisfied! + unsatisfied!,
    verySatisfied: verySatisfied!,
    satisfied: satisfied!,
    unsatisfied: unsatisfied!,
    scoreSum: 0,
    levels: {},
  };
}

function rating(i: number, over: Partial<typeof schema.ratings.$inferInsert> = {}) {
  return {
    eventId: newEventId(),
    unitId: 'trung-van',
    counterId: 'q01',
    deviceId: 'trung-van-q01',
    officerId: 'cb-lan',
    scale: 'keypad4',
    level: 4,
    official: 'very_satisfied',
    score: 100,
    source: 'keypad',
    deviceTs: minutesAgo(10 + i),
    at: minutesAgo(10 + i),
    attribution: 'verified',
    ...over,
  } satisfies typeof schema.ratings.$inferInsert;
}

describe.each(STORE_BACKENDS)('rankings and drill-down to the ratings, on %s', (backend) => {
  let store: TestStore;
  let app: ReturnType<typeof createDashboardApp>;
  const tokens: Record<string, string> = {};
  // The newest: unsatisfied, with a dossier, reasons, a comment and a camera estimate.
  const first = rating(0, {
    level: 1,
    official: 'unsatisfied',
    score: 0,
    dossierIds: [DOSSIER],
    ticket: 'A042',
    visitId: VISIT,
    reasons: ['slow', 'unclear'],
  });
  // Caught by the misuse filter: listed, said why, never counted.
  const filtered = rating(1, { filterReason: 'rapid_repeat' });

  const get = (who: string, path: string) =>
    app.request(path, { headers: { authorization: `Bearer ${tokens[who]}`, cookie: 'lang=vi' } });
  const page = async (who: string, path: string) => {
    const res = await get(who, path);
    expect(res.status).toBe(200);
    return res.text();
  };

  beforeAll(async () => {
    store = await openTestStore(backend);
    const { db } = store;
    await db.insert(schema.units).values([
      { id: 'trung-van', name: 'Phường Trung Văn', province: 'Hà Nội' },
      { id: 'kim-anh', name: 'Xã Kim Anh', province: 'Hà Nội' },
    ]);
    for (const [unitId, officerId, name] of [
      ['trung-van', 'cb-lan', 'Nguyễn Thị Lan'],
      ['trung-van', 'cb-minh', 'Trần Văn Minh'],
      ['trung-van', 'cb-tuan', 'Phạm Văn Tuấn'],
      ['kim-anh', 'cb-hoa', 'Lê Thị Hoa'],
    ] as const)
      await saveOfficer(db, { unitId, officerId, name, actor: 'test' });
    await db.insert(schema.devices).values(
      ['trung-van', 'kim-anh'].map((u) => ({
        id: `${u}-q01`,
        unitId: u,
        counterId: 'q01',
        username: `${u}-q01`,
        passwordHash: 'x',
      })),
    );
    await db
      .insert(schema.hourlyRollups)
      .values([
        rollup('trung-van', 'cb-lan', counts.lan),
        rollup('trung-van', 'cb-minh', counts.minh),
        rollup('trung-van', 'cb-tuan', counts.tuan),
        rollup('kim-anh', 'cb-hoa', counts.hoa),
      ]);
    await db
      .insert(schema.ratings)
      .values([
        first,
        filtered,
        ...Array.from({ length: LAN_RATINGS - 2 }, (_, i) => rating(i + 2)),
        rating(0, { unitId: 'kim-anh', deviceId: 'kim-anh-q01', officerId: 'cb-hoa' }),
      ]);
    await db
      .insert(schema.comments)
      .values([{ unitId: 'trung-van', dossierId: DOSSIER, kind: 'complaint', body: 'Chờ quá lâu ở quầy 1' }]);
    await db.insert(schema.expressionSummaries).values({
      eventId: newEventId(),
      unitId: 'trung-van',
      counterId: 'q01',
      deviceId: 'trung-van-q01',
      visitId: VISIT,
      startedAt: minutesAgo(12),
      endedAt: minutesAgo(10),
      frames: 20,
      exitFrames: 4,
      mean: {},
      exit: {},
      satisfactionIndex: 41.5,
      confidence: 0.7,
    });
    await db.insert(schema.presenceIntervals).values({
      unitId: 'trung-van',
      counterId: 'q01',
      deviceId: 'trung-van-q01',
      officerId: 'cb-lan',
      kind: 'session',
      startedAt: minutesAgo(150),
      endedAt: minutesAgo(30),
      startEventId: newEventId(),
    });
    await addStaffMember(db, { username: 'city', role: 'city', actor: 'test' });
    await addStaffMember(db, { username: 'tv-leader', role: 'ward', unitId: 'trung-van', actor: 'test' });
    await addStaffMember(db, { username: 'ka-leader', role: 'ward', unitId: 'kim-anh', actor: 'test' });
    await addStaffMember(db, { username: 'tech', role: 'technician', actor: 'test' });
    await addStaffMember(db, { username: 'lan', role: 'officer', officerId: 'cb-lan', actor: 'test' });
    await addStaffMember(db, { username: 'minh', role: 'officer', officerId: 'cb-minh', actor: 'test' });
    for (const who of ['city', 'tv-leader', 'ka-leader', 'tech', 'lan', 'minh'])
      tokens[who] = (await openStaffSession(db, who, 'api')).token;
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

  const MATRIX: Array<[string, Record<string, number>]> = [
    [
      '/officers/cb-lan/ratings',
      { city: 200, 'tv-leader': 200, 'ka-leader': 403, tech: 403, lan: 200, minh: 403 },
    ],
    // An unknown officer is 404 for the city only: a ward leader cannot tell it from another ward's.
    ['/officers/cb-nobody/ratings', { city: 404, 'tv-leader': 403, lan: 403 }],
    ['/officers/Not%20an%20id/ratings', { city: 400 }],
    [
      '/units/trung-van/counters/q01',
      { city: 200, 'tv-leader': 200, 'ka-leader': 403, tech: 403, lan: 403, minh: 403 },
    ],
    ['/units/trung-van/counters/q99', { city: 404, 'tv-leader': 404, 'ka-leader': 403 }],
    ['/units/trung-van/counters/Q%2001', { city: 400 }],
    ['/units/nowhere/counters/q01', { city: 404, 'tv-leader': 403 }],
    ['/officers/cb-lan/ratings?page=0', { city: 400 }],
  ];
  for (const [path, expected] of MATRIX)
    for (const [who, status] of Object.entries(expected))
      it(`${path} answers ${who} with ${status}`, async () => {
        const res = await get(who, path);
        expect(res.status).toBe(status);
        // HTML routes answer in HTML, refusals included.
        expect(res.headers.get('content-type')).toContain('text/html');
      });

  it('ranks the ward’s officers, the too-few listed apart, with the target line', async () => {
    const body = await page('tv-leader', '/units/trung-van');
    const ranking = body.split('data-chart="officer-ranking"')[1]!.split('</figure>')[0]!;
    // Minh 85.7 % before Lan 80.0 %; Tuấn's 5 ratings are never given a place.
    expect(ranking).toMatch(/data-ranked="cb-minh" data-place="1"/);
    expect(ranking).toMatch(/data-ranked="cb-lan" data-place="2"/);
    expect(ranking).toMatch(/data-ranked="cb-tuan" data-place=""/);
    expect(ranking).toMatch(/data-testid="ranking-too-few"[\s\S]*Phạm Văn Tuấn<\/a> \(n = 5\)/);
    expect(ranking).toContain(fill(vi('chartTarget'), { target: '80.0 %' }));
    expect(body).toContain('data-chart="officer-distribution"');
    // The counter table's counters lead to their pages.
    expect(body).toContain('href="/units/trung-van/counters/q01?period=day&amp;date=2026-11-20"');
  });

  it('ranks the city’s wards and shows the city’s hour × weekday load', async () => {
    const body = await page('city', '/');
    expect(body).toMatch(/data-ranked="kim-anh" data-place="2"/);
    expect(body).toMatch(/data-ranked="trung-van" data-place="1"/);
    expect(body).toContain('data-chart="unit-distribution"');
    expect(body).toContain('data-chart="weekday-hour"');
    expect(body).toContain('href="/units/trung-van?period=day&amp;date=2026-11-20"');
  });

  it('compares the officer with the whole unit by the official formulas, with presence and link', async () => {
    const body = await page('lan', '/officers/cb-lan');
    const own = { verySatisfied: 30, satisfied: 2, unsatisfied: 8 };
    const all = { verySatisfied: 53, satisfied: 13, unsatisfied: 14 };
    const share = body.split('data-compare="satisfied-share"')[1]!.split('</tr>')[0]!;
    expect(share).toContain(displayNumber('share', satisfiedShare.compute(own).value));
    expect(share).toContain(displayNumber('share', satisfiedShare.compute(all).value));
    const diff = (satisfiedShare.compute(own).value! - satisfiedShare.compute(all).value!) * 100;
    expect(share).toContain(`−${Math.abs(diff).toFixed(1)} ${vi('percentPoints')}`);
    const index = body.split('data-compare="satisfaction-index"')[1]!.split('</tr>')[0]!;
    expect(index).toContain(displayNumber('points', satisfactionIndex.compute(own).value));
    expect(index).toContain(displayNumber('points', satisfactionIndex.compute(all).value));
    expect(body).toContain(`data-ms="${2 * 3_600_000}"`);
    expect(body).toContain(fill(vi('drillPresenceHours'), { hours: '2.0' }));
    expect(body).toContain('href="/officers/cb-lan/ratings?period=day&amp;date=2026-11-20"');
    expect(body).toContain('data-chart="trend"');
  });

  it('lists the officer’s ratings in pages with reasons in words, comment and camera apart', async () => {
    const body = await page('tv-leader', '/officers/cb-lan/ratings');
    expect(body).toContain(fill(vi('shownOf'), { from: 1, to: DRILL_PAGE_SIZE, total: LAN_RATINGS }));
    const top = body.split(`data-event-id="${first.eventId}"`)[1]!.split('</tr>')[0]!;
    expect(top).toContain(reasonsText('vi', ['slow', 'unclear']));
    expect(top).not.toContain('>slow<');
    expect(top).toContain('Chờ quá lâu ở quầy 1');
    expect(top).toMatch(/data-testid="drill-camera">41\.5</);
    expect(top).toContain(DOSSIER);
    expect(top).toContain('Nguyễn Thị Lan');
    const caught = body.split(`data-event-id="${filtered.eventId}"`)[1]!.split('</tr>')[0]!;
    expect(caught).toContain(`${vi('filtered')}: ${vi('filter_rapid_repeat')}`);
    // Kim Anh's rating is never on Trung Văn's lists.
    expect(body).not.toContain('Lê Thị Hoa');
    const next = await page('tv-leader', '/officers/cb-lan/ratings?page=2');
    expect(next).toContain(
      fill(vi('shownOf'), { from: DRILL_PAGE_SIZE + 1, to: LAN_RATINGS, total: LAN_RATINGS }),
    );
    expect(next).not.toContain(`data-event-id="${first.eventId}"`);
  });

  it('never shows an officer the citizens’ comments beside their own ratings', async () => {
    const own = await page('lan', '/officers/cb-lan/ratings');
    const top = own.split(`data-event-id="${first.eventId}"`)[1]!.split('</tr>')[0]!;
    expect(top).toContain(DOSSIER);
    expect(own).not.toContain('Chờ quá lâu ở quầy 1');
    expect(own).not.toContain('data-testid="drill-comment"');
    expect(own).not.toContain(vi('drillLinkedComment'));
  });

  it('shows a counter’s officers, trend and ratings', async () => {
    const body = await page('city', '/units/trung-van/counters/q01');
    expect(body).toContain('href="/officers/cb-minh?period=day&amp;date=2026-11-20"');
    expect(body).toContain('data-chart="trend"');
    expect(body).toContain(fill(vi('shownOf'), { from: 1, to: DRILL_PAGE_SIZE, total: LAN_RATINGS }));
  });

  // Last: it changes Trung Văn's settings for the rest of the suite.
  it('colours the ward’s figures and draws its lines against the ward’s own target', async () => {
    const lan = satisfiedShare.compute({ verySatisfied: 30, satisfied: 2, unsatisfied: 8 });
    const post = (percent: string) =>
      app.request('/units/trung-van/settings', {
        method: 'POST',
        headers: {
          authorization: `Bearer ${tokens['tv-leader']}`,
          cookie: 'lang=vi',
          origin: 'http://localhost',
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ satisfiedShareTarget: percent }),
      });
    const refused = await post('40');
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain(
      `${vi('satisfiedShareTarget')}: ${fill(vi('issueMin'), { n: '50' })}`,
    );
    expect((await post('95')).status).toBe(200);
    expect((await getUnitSettings(store.db, 'trung-van')).targets.satisfiedShare).toBe(0.95);

    const ward = await page('tv-leader', '/units/trung-van');
    const line = fill(vi('chartTarget'), { target: '95.0 %' });
    expect(ward.split('data-chart="officer-ranking"')[1]!.split('</figure>')[0]).toContain(line);
    expect(ward.split('data-chart="trend"')[1]!.split('</figure>')[0]).toContain(line);
    const row = ward
      .split('data-testid="officer-table"')[1]!
      .split('data-officer="cb-lan"')[1]!
      .split('</tr>')[0]!;
    // Measured against 80 %, plainly short of 95 %: the verdict follows the unit's own target.
    expect(lan.state).toBe('measured');
    expect(againstTarget(lan, 0.95).state).toBe('bad');
    expect(row).toMatch(/data-figure="satisfied-share" data-state="bad"/);
    const officer = await page('lan', '/officers/cb-lan');
    expect(officer.split('data-compare="satisfied-share"')[1]!.split('</tr>')[0]).toContain(
      'data-state="bad"',
    );
    // The city compares every ward against the one default target.
    const city = await page('city', '/');
    expect(city.split('data-chart="unit-ranking"')[1]!.split('</figure>')[0]).toContain(
      fill(vi('chartTarget'), { target: '80.0 %' }),
    );
  });
});
