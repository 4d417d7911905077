import { ATTRIBUTION_REASONS, DEFAULT_UNIT_SETTINGS, FILTER_REASONS, WEEKDAYS } from '@onestop/evaluation';
import { newEventId, type RatingEvent, vietnamDate } from '@onestop/protocol';
import {
  addStaffMember,
  CLOCK_TOLERANCE_MS,
  getUnitSettings,
  type IngestEvent,
  ingestBatch,
  openStaffSession,
  provisionDevice,
  recentAudit,
  saveOfficer,
  schema,
} from '@onestop/store';
import { openTestStore, STORE_BACKENDS, type TestStore } from '@onestop/store/testing';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createDashboardApp } from '../app.js';
import { fill, translator } from '../i18n.js';
import { LiveRatingFeed } from '../live/feed.js';
import { formatVietnamTime } from '../period.js';

const t = translator('vi');
const en = translator('en');
const logger = pino({ level: 'silent' });

/** A Friday in Hà Nội; the dashboard's "now" is 10:00 that morning. */
const vn = (h: number, m: number, s = 0) => Date.UTC(2026, 10, 20, h - 7, m, s);
const NOW = new Date(vn(10, 0));
const DAY = 86_400_000;
const PROVISIONED = vn(7, 0) - 30 * DAY;
/** The boards' agents started at 07:30 with their clocks right (NTP): `ts` agrees with `mono`. */
const BOOTED = vn(7, 30);
const BOOT = '0193a0c2-5b1e-7c3d-9f00-1a2b3c4d5e6f';
/** A boot before that one, whose outbox still held a rating (never seen live by the centre). */
const OLD_BOOT = '0193a0c2-5b1e-7c3d-9f00-000000000001';

const Q01 = { unitId: 'trung-van', counterId: 'q01', deviceId: 'tv-q01' };
const Q02 = { unitId: 'trung-van', counterId: 'q02', deviceId: 'tv-q02' };
type Where = typeof Q01;

let seq = 100;
const envelope = (w: Where, ts: number) => ({
  v: 1 as const,
  eventId: newEventId(),
  deviceId: w.deviceId,
  bootId: BOOT,
  seq: seq++,
  ts,
  mono: ts - BOOTED,
});

function rating(
  w: Where,
  ts: number,
  officerId: string | null,
  over: Partial<RatingEvent> = {},
): IngestEvent & { type: 'rating' } {
  const payload: RatingEvent = {
    ...envelope(w, ts),
    visitId: newEventId(),
    officerId,
    dossierIds: [],
    ticket: null,
    scale: 'keypad4',
    level: 4,
    source: 'keypad',
    reasons: [],
    responseMs: 1200,
    ...over,
  };
  return { unitId: w.unitId, counterId: w.counterId, type: 'rating', payload };
}

function signIn(w: Where, ts: number, officerId: string): IngestEvent {
  return {
    unitId: w.unitId,
    counterId: w.counterId,
    type: 'presence',
    payload: { ...envelope(w, ts), kind: 'session', state: 'signed_in', officerId, source: 'badge' },
  };
}

const id = (e: IngestEvent) => e.payload.eventId;

// The day's traffic at Phường Trung Văn.
const lanSignsIn = signIn(Q01, vn(8, 0), 'cb-lan');
const counted = rating(Q01, vn(8, 10), 'cb-lan', { dossierIds: ['000.00.12.H26-261120-0001'] });
/** A second press 3 s later (the unit's rapid-repeat window is the default). */
const repeat = rating(Q01, vn(8, 10, 3), 'cb-lan', { level: 1 });
/** The device names an officer no roster knows. */
const ghost = rating(Q01, vn(8, 20), 'cb-ghost', { level: 1, dossierIds: ['000.00.12.H26-261120-0002'] });
/** An officer of the roster, never signed in at q02. */
const minh = rating(Q02, vn(8, 30), 'cb-minh', { level: 2 });
/** The visit minh's rating ends (the centre believes a rating's visit only when it has the visit). */
const minhVisit: IngestEvent = {
  unitId: Q02.unitId,
  counterId: Q02.counterId,
  type: 'visit',
  payload: {
    ...envelope(Q02, vn(8, 30) - 1_000),
    phase: 'end',
    visitId: minh.payload.visitId as string,
    officerId: 'cb-minh',
    ticket: null,
    dossierIds: [],
    startedAt: vn(8, 25),
    endedAt: vn(8, 30) - 1_000,
    reason: 'rated',
    rated: true,
  },
};
/** Replayed from the old boot, dated before the device was provisioned: quarantined. */
const stale = rating(Q02, PROVISIONED - 5 * DAY, 'cb-minh', { bootId: OLD_BOOT, seq: 1, mono: 60_000 });

describe.each(STORE_BACKENDS)('what counts for nobody, for leaders, on %s', (backend) => {
  let store: TestStore;
  let app: ReturnType<typeof createDashboardApp>;
  let feed: LiveRatingFeed;
  const tokens: Record<string, string> = {};
  let leaderCookie = '';

  /** The centre receives a batch a second after its latest event (a live device), or at `at`. */
  async function receive(batch: IngestEvent[], at = Math.max(...batch.map((e) => e.payload.ts)) + 1_000) {
    vi.setSystemTime(at);
    try {
      await ingestBatch(store.db, batch);
    } finally {
      vi.setSystemTime(NOW);
    }
  }
  const as =
    (who: string) =>
    (path: string, init: RequestInit = {}) =>
      app.request(path, {
        ...init,
        headers: { authorization: `Bearer ${tokens[who]}`, ...(init.headers as Record<string, string>) },
      });
  const city = as('city');
  const json = async <T>(res: Response | Promise<Response>): Promise<T> => {
    const r = await res;
    expect(r.status).toBe(200);
    return (await r.json()) as T;
  };
  const postSettings = (unitId: string, form: URLSearchParams, cookie = leaderCookie) =>
    app.request(`/units/${unitId}/settings`, {
      method: 'POST',
      headers: { cookie, origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });

  beforeAll(async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
    store = await openTestStore(backend);
    const { db } = store;
    await db.insert(schema.units).values([
      { id: 'trung-van', name: 'Phường Trung Văn', province: 'Hà Nội' },
      { id: 'kim-anh', name: 'Xã Kim Anh', province: 'Hà Nội' },
    ]);
    for (const [officerId, name] of [
      ['cb-lan', 'Nguyễn Thị Lan'],
      ['cb-minh', 'Trần Văn Minh'],
    ] as const)
      await saveOfficer(db, { unitId: 'trung-van', officerId, name, actor: 'test' });
    // Provisioned a month before the day's events.
    for (const w of [Q01, Q02]) await provisionDevice(db, { ...w, actor: 'test' });
    await db.update(schema.devices).set({ createdAt: new Date(PROVISIONED) });
    await addStaffMember(db, { username: 'city', role: 'city', actor: 'test' });
    await addStaffMember(db, { username: 'tv-leader', role: 'ward', unitId: 'trung-van', actor: 'test' });
    await addStaffMember(db, { username: 'ka-leader', role: 'ward', unitId: 'kim-anh', actor: 'test' });
    for (const who of ['city', 'tv-leader', 'ka-leader'])
      tokens[who] = (await openStaffSession(db, who, 'api')).token;
    leaderCookie = `onestop_session=${(await openStaffSession(db, 'tv-leader', 'browser')).token}`;

    await receive([lanSignsIn]);
    for (const e of [counted, repeat, ghost]) await receive([e]);
    await receive([minhVisit, minh]);
    // Replayed when the test runs: receipt is stamped by the database's clock, which fake timers
    // move on PGlite but not on PostgreSQL.
    await receive([stale], vi.getRealSystemTime());

    feed = new LiveRatingFeed(store, logger);
    app = createDashboardApp({ db, registry: new Registry(), logger, feed, now: () => NOW });
  });
  afterAll(async () => {
    vi.useRealTimers();
    await store?.close();
  });

  type CounterRow = {
    counterId: string;
    counted: number;
    unverified: number;
    filtered: number;
    quarantined: number;
  };
  type Listed = {
    eventId: string;
    kind: string;
    attributionReason: string | null;
    filterReason: string | null;
  };

  it('credits the signed-in officer and counts per counter what counts for nobody', async () => {
    const doc = await json<{
      counters: CounterRow[];
      uncounted: unknown;
      officers: Array<{ officerId: string | null; ratings: number }>;
    }>(city('/api/units/trung-van/evaluation'));
    expect(doc.counters).toEqual([
      { counterId: 'q01', counted: 1, unverified: 1, filtered: 1, quarantined: 0 },
      { counterId: 'q02', counted: 0, unverified: 1, filtered: 0, quarantined: 0 },
    ]);
    expect(doc.uncounted).toEqual({ unverified: 2, filtered: 1, quarantined: 0 });
    expect(doc.officers.find((o) => o.officerId === 'cb-lan')).toMatchObject({ ratings: 1 });
    expect(doc.officers.find((o) => o.officerId === 'cb-minh')?.ratings ?? 0).toBe(0);

    // Each officer object of the stable contract carries the unit's uncounted numbers.
    const officers = await json<Array<Record<string, unknown>>>(city('/api/units/trung-van/officers'));
    expect(officers.length).toBeGreaterThan(0);
    const lan = officers.find((o) => o.officerId === 'cb-lan');
    expect(lan).toMatchObject({ ratings: 1, official: { verySatisfied: 1 }, index: { n: 1 } });
    for (const o of officers) expect(o.uncounted).toEqual({ unverified: 2, filtered: 1, quarantined: 0 });
  });

  it('puts the numbers on the unit page, each opening its list with the reason in words', async () => {
    const page = await (await city('/units/trung-van')).text();
    const table = /<table data-testid="uncounted-table">[\s\S]*?<\/table>/.exec(page)?.[0] ?? '';
    const period = 'period=day&amp;date=2026-11-20';
    const href = `/units/trung-van/uncounted?counter=q01&amp;kind=unverified&amp;${period}`;
    expect(table).toContain(
      `<tr data-counter="q01"><td data-label="${t('counter')}">q01</td><td class="num" data-label="${t('counted')}">1</td>`,
    );
    expect(table).toContain(
      `<td class="num" data-kind="unverified" data-label="${t('unverified')}"><a href="${href}">1</a></td>`,
    );
    expect(table).toContain(
      `<a href="/units/trung-van/uncounted?counter=q01&amp;kind=filtered&amp;${period}">1</a>`,
    );
    expect(table).toContain(`<a href="/units/trung-van/uncounted?kind=unverified&amp;${period}">2</a>`);

    const list = await city(href.replaceAll('&amp;', '&'));
    expect(list.status).toBe(200);
    const html = await list.text();
    const row = new RegExp(`<tr data-event-id="${id(ghost)}" data-kind="unverified">[\\s\\S]*?</tr>`).exec(
      html,
    )?.[0];
    expect(row).toBeDefined();
    expect(row).toContain(formatVietnamTime(new Date(ghost.payload.ts)));
    expect(row).toContain('cb-ghost');
    expect(row).toContain('Bàn phím 4 nút: Không hài lòng');
    expect(row).toContain('000.00.12.H26-261120-0002');
    expect(row).toContain(`${t('unverified')}: ${t('attribution_unknown_officer')}`);
    // Only q01's unverified rating; the period bar keeps the filter.
    expect(html).not.toContain(id(minh));
    expect(html).not.toContain(id(repeat));
    expect(html).toContain('href="?counter=q01&amp;kind=unverified&amp;period=week&amp;date=2026-11-16"');
    expect(html).toMatch(/<input type="hidden" name="counter" value="q01"\/?>/);

    const filtered = await (
      await city(`/units/trung-van/uncounted?counter=q01&kind=filtered&lang=en`)
    ).text();
    expect(filtered).toContain(`data-event-id="${id(repeat)}" data-kind="filtered"`);
    expect(filtered).toContain(`${en('filtered')}: ${en('filter_rapid_repeat')}`);
    expect(filtered).not.toContain(id(ghost));
    expect(filtered).not.toContain(`data-event-id="${id(counted)}"`);
  });

  it('lists through the API with the same filters and a bounded limit', async () => {
    const all = await json<{ ratings: Listed[]; period: unknown; limit: number }>(
      city('/api/units/trung-van/uncounted?from=2026-11-20&to=2026-11-20'),
    );
    expect(all.period).toEqual({ kind: 'custom', from: '2026-11-20', to: '2026-11-20' });
    // Newest first.
    expect(all.ratings.map((r) => [r.eventId, r.kind, r.attributionReason, r.filterReason])).toEqual([
      [id(minh), 'unverified', 'not_signed_in', null],
      [id(ghost), 'unverified', 'unknown_officer', null],
      [id(repeat), 'filtered', null, 'rapid_repeat'],
    ]);
    const q02 = await json<{ ratings: Listed[] }>(
      city('/api/units/trung-van/uncounted?counter=q02&kind=unverified'),
    );
    expect(q02.ratings.map((r) => r.eventId)).toEqual([id(minh)]);
    const one = await json<{ ratings: Listed[]; limit: number }>(
      city('/api/units/trung-van/uncounted?limit=1'),
    );
    expect(one).toMatchObject({ limit: 1, page: 1, total: 3, ratings: [{ eventId: id(minh) }] });
    // Pages walk the whole list, newest first, and say how much of it they show.
    const second = await json<{ ratings: Listed[]; total: number }>(
      city('/api/units/trung-van/uncounted?limit=1&page=2'),
    );
    expect(second).toMatchObject({ total: 3, ratings: [{ eventId: id(ghost) }] });
    const html = await (await city('/units/trung-van/uncounted?limit=2&page=2&lang=en')).text();
    expect(html).toContain(fill(en('shownOf'), { from: 3, to: 3, total: 3 }));
    expect(html).toContain(id(repeat));
    expect(html).not.toContain(id(minh));
    expect(html).toMatch(
      /href="\/units\/trung-van\/uncounted\?period=day&amp;date=2026-11-20&amp;limit=2&amp;page=1" rel="prev"/,
    );
    for (const bad of [
      'page=0',
      'limit=100000',
      'limit=0',
      'kind=dropped',
      'counter=q%2001',
      'from=2026-11-20',
    ])
      expect((await city(`/api/units/trung-van/uncounted?${bad}`)).status, bad).toBe(400);
  });

  it('counts a quarantined rating by when it was received, and points to the devices page', async () => {
    const real = vi.getRealSystemTime();
    const span = `from=${vietnamDate(real - DAY)}&to=${vietnamDate(real + DAY)}`;
    const doc = await json<{ counters: CounterRow[]; uncounted: unknown }>(
      city(`/api/units/trung-van/evaluation?${span}`),
    );
    expect(doc.counters).toEqual([
      { counterId: 'q02', counted: 0, unverified: 0, filtered: 0, quarantined: 1 },
    ]);
    expect(doc.uncounted).toEqual({ unverified: 0, filtered: 0, quarantined: 1 });
    const [stored] = await store.db
      .select()
      .from(schema.ratings)
      .where(eq(schema.ratings.eventId, id(stale)));
    expect(stored).toMatchObject({ at: null, attribution: 'pending' });
    const page = await (await city(`/units/trung-van?${span}`)).text();
    expect(page).toMatch(
      /<tr data-counter="q02">[\s\S]*?data-kind="quarantined" data-label="[^"]*"><a href="\/devices">1<\/a>/,
    );
    // Never in a list of placed ratings.
    expect(await (await city(`/units/trung-van/uncounted?${span}`)).text()).not.toContain(id(stale));
  });

  it("keeps a ward leader out of another ward's lists, JSON and settings", async () => {
    const other = as('ka-leader');
    for (const path of [
      '/units/trung-van/uncounted',
      '/api/units/trung-van/uncounted',
      '/units/trung-van/settings',
      '/cach-tinh?unit=trung-van',
    ])
      expect((await other(path)).status, path).toBe(403);
    const kaCookie = `onestop_session=${(await openStaffSession(store.db, 'ka-leader', 'browser')).token}`;
    const post = await postSettings('trung-van', new URLSearchParams({ rapidRepeatSeconds: '0' }), kaCookie);
    expect(post.status).toBe(403);
    expect(await getUnitSettings(store.db, 'trung-van')).toEqual(DEFAULT_UNIT_SETTINGS);
    // The unit's own leader is let in.
    const own = as('tv-leader');
    expect((await own('/units/trung-van/uncounted')).status).toBe(200);
    expect((await own('/api/units/trung-van/uncounted')).status).toBe(200);
    expect((await own('/units/trung-van/settings')).status).toBe(200);
  });

  it('explains attribution, filters and time placement from the codes and constants', async () => {
    const page = await (await city('/cach-tinh')).text();
    for (const r of ATTRIBUTION_REASONS)
      expect(page).toContain(`<li data-reason="${r}"><b>${t(`attribution_${r}`)}</b>`);
    for (const r of FILTER_REASONS)
      expect(page).toContain(`<li data-reason="${r}"><b>${t(`filter_${r}`)}</b>`);
    expect(page).toContain(t('thresholdsDefault'));
    expect(page).toContain(
      fill(t('filterRule_rapid_repeat'), { seconds: DEFAULT_UNIT_SETTINGS.rapidRepeat.windowSeconds }),
    );
    const { maxPresses: max, windowMinutes: minutes } = DEFAULT_UNIT_SETTINGS.burst;
    expect(page).toContain(fill(t('filterRule_burst_without_visit'), { max, minutes }));
    expect(page).toContain(
      fill(t('timeDevice'), { tolerance: `${CLOCK_TOLERANCE_MS / 60_000} ${t('unitMinutes')}` }),
    );
  });

  /** The form as the page fills it from `settings`, as a browser posts it back. */
  function formOfSettings(s: typeof DEFAULT_UNIT_SETTINGS): URLSearchParams {
    const f = new URLSearchParams();
    for (const d of WEEKDAYS) {
      const h = s.openingHours[d];
      f.set(`${d}.open`, h?.open ?? '');
      f.set(`${d}.close`, h?.close ?? '');
      if (h === null) f.set(`${d}.closed`, '1');
    }
    f.set('rapidRepeatSeconds', String(s.rapidRepeat.windowSeconds));
    f.set('burstMaxPresses', String(s.burst.maxPresses));
    f.set('burstWindowMinutes', String(s.burst.windowMinutes));
    return f;
  }

  it('refuses bad settings with the field named, audits a change, and judges new ratings with it', async () => {
    const shown = await (
      await app.request('/units/trung-van/settings', { headers: { cookie: leaderCookie } })
    ).text();
    expect(shown).toContain(t('settingsNoRejudge'));
    // Each field with its default beside it.
    expect(shown).toMatch(/<tr data-day="mon">[\s\S]*?name="mon.open" value="06:00"/);

    const bad = formOfSettings(DEFAULT_UNIT_SETTINGS);
    bad.set('mon.open', '25:00');
    bad.set('burstMaxPresses', 'many');
    const refused = await postSettings('trung-van', bad);
    expect(refused.status).toBe(400);
    const text = await refused.text();
    expect(text).toContain(t('settingsInvalid'));
    expect(text).toContain(`${t('weekday_mon')} · ${t('opens')}: ${t('issueClock')}`);
    expect(text).toContain(`${t('burstMaxPresses')}: ${t('issueWhole')}`);
    // Not told twice about Monday, and the form comes back as typed.
    expect(text).not.toContain(t('issueCloseAfterOpen'));
    expect(text).toContain('name="mon.open" value="25:00"');
    expect(await getUnitSettings(store.db, 'trung-van')).toEqual(DEFAULT_UNIT_SETTINGS);
    expect(await recentAudit(store.db, 10, 'unit.settings')).toEqual([]);

    // Friday closes at 08:15 from now on.
    const early = formOfSettings(DEFAULT_UNIT_SETTINGS);
    early.set('fri.open', '07:00');
    early.set('fri.close', '08:15');
    const saved = await postSettings('trung-van', early);
    expect(saved.status).toBe(200);
    expect(await saved.text()).toContain(t('settingsSaved'));
    const settings = await getUnitSettings(store.db, 'trung-van');
    expect(settings).toEqual({
      ...DEFAULT_UNIT_SETTINGS,
      openingHours: { ...DEFAULT_UNIT_SETTINGS.openingHours, fri: { open: '07:00', close: '08:15' } },
    });
    const [entry] = await recentAudit(store.db, 10, 'unit.settings');
    expect(entry).toMatchObject({
      actor: 'dashboard:tv-leader',
      target: 'trung-van',
      details: { after: settings },
    });

    const late = rating(Q01, vn(9, 30), 'cb-lan');
    await receive([late]);
    const list = await json<{ ratings: Listed[] }>(city('/api/units/trung-van/uncounted?counter=q01'));
    expect(list.ratings.map((r) => [r.eventId, r.kind, r.filterReason])).toEqual([
      [id(late), 'filtered', 'outside_hours'],
      // Judged before the change, after 08:15: stand as they were.
      [id(ghost), 'unverified', null],
      [id(repeat), 'filtered', 'rapid_repeat'],
    ]);
    const officers = await json<Array<{ officerId: string | null; ratings: number }>>(
      city('/api/units/trung-van/officers'),
    );
    expect(officers.find((o) => o.officerId === 'cb-lan')?.ratings).toBe(1);

    // Cách tính for the unit shows its own hours.
    const method = await (await city('/cach-tinh?unit=trung-van')).text();
    expect(method).toContain(`${t('thresholdsOf')} <b>Phường Trung Văn</b>`);
    expect(method).toContain(`<tr data-day="fri"><td>${t('weekday_fri')}</td><td>07:00–08:15</td></tr>`);
  });
});
