import { newEventId, reasonLabel } from '@onestop/protocol';
import {
  addStaffMember,
  getUnitSettings,
  openStaffSession,
  saveOfficer,
  schema,
  setUnitSettings,
} from '@onestop/store';
import { openTestStore, STORE_BACKENDS, type TestStore } from '@onestop/store/testing';
import ExcelJS from 'exceljs';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp } from '../app.js';
import { translator } from '../i18n.js';
import { LiveRatingFeed } from '../live/feed.js';
import { formatVietnamTime } from '../period.js';
import { PdfRenderer } from './pdf.js';

const logger = pino({ level: 'silent' });
const vi = translator('vi');
const en = translator('en');
/** 10 December 2026 in Hà Nội: a report asked without a period covers November. */
const NOW = new Date(Date.UTC(2026, 11, 10, 3, 0));
/** 9:00 on 12 November 2026 in Hà Nội. */
const NOV_12 = new Date(Date.UTC(2026, 10, 12, 2, 0));
const at = (minutes: number) => new Date(NOV_12.getTime() + minutes * 60_000);
const VISIT = newEventId();

function rating(over: Partial<typeof schema.ratings.$inferInsert>) {
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
    deviceTs: at(0),
    at: at(0),
    attribution: 'verified',
    ...over,
  } satisfies typeof schema.ratings.$inferInsert;
}

const counted = rating({ dossierIds: ['H26-0001'], ticket: 'A001', visitId: VISIT });
const slow = rating({
  at: at(5),
  deviceTs: at(5),
  level: 1,
  official: 'unsatisfied',
  score: 0,
  reasons: ['slow', 'unclear'],
  // A ticket a spreadsheet would run as a formula: the CSV defuses it.
  ticket: '=HYPERLINK("http://x")',
});
const filtered = rating({ at: at(6), deviceTs: at(6), filterReason: 'rapid_repeat', reasons: ['slow'] });
const elsewhere = rating({
  unitId: 'kim-anh',
  counterId: 'q09',
  deviceId: 'kim-anh-q09',
  officerId: 'cb-hoa',
});

/** Who asks: every role, a leader of each ward, and nobody. */
const PEOPLE = ['city', 'tv-leader', 'ka-leader', 'tech', 'officer', 'nobody'] as const;
type Person = (typeof PEOPLE)[number];

describe.each(STORE_BACKENDS)('monthly report and exports on %s', (backend) => {
  let store: TestStore;
  let app: ReturnType<typeof createDashboardApp>;
  // No Chromium where it looks: the PDF routes answer 503 in words (the real PDF: pdf.test.ts).
  const pdf = new PdfRenderer({ executablePath: '/nonexistent/chromium' });
  const tokens: Partial<Record<Person, string>> = {};

  const get = (who: Person, path: string, lang: 'vi' | 'en' = 'vi') =>
    app.request(path, {
      headers: { cookie: `lang=${lang}`, ...(tokens[who] ? { authorization: `Bearer ${tokens[who]}` } : {}) },
    });
  const ok = async (who: Person, path: string, lang: 'vi' | 'en' = 'vi') => {
    const res = await get(who, path, lang);
    expect(res.status, `${who} ${path}`).toBe(200);
    return res;
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
    await db.insert(schema.ratings).values([counted, slow, filtered, elsewhere]);
    await db.insert(schema.expressionSummaries).values({
      eventId: newEventId(),
      unitId: 'trung-van',
      counterId: 'q01',
      deviceId: 'trung-van-q01',
      officerId: 'cb-lan',
      visitId: VISIT,
      startedAt: at(-3),
      endedAt: at(0),
      frames: 10,
      exitFrames: 2,
      mean: {},
      exit: {},
      satisfactionIndex: 0.8,
      confidence: 0.9,
    });
    // The roll-ups the ingest would have written for those ratings (reports read only these).
    await db.insert(schema.hourlyRollups).values([
      {
        unitId: 'trung-van',
        counterId: 'q01',
        officerId: 'cb-lan',
        hour: NOV_12,
        ratings: 2,
        verySatisfied: 1,
        unsatisfied: 1,
        scoreSum: 100,
        levels: { 'keypad4:4': 1, 'keypad4:1': 1 },
        // `slow`'s reasons; the filtered rating's reason counts nowhere.
        reasons: { slow: 1, unclear: 1 },
      },
      { unitId: 'trung-van', counterId: 'q01', officerId: '', hour: NOV_12, filtered: 1, unverified: 3 },
      {
        unitId: 'kim-anh',
        counterId: 'q09',
        officerId: 'cb-hoa',
        hour: NOV_12,
        ratings: 1,
        verySatisfied: 1,
        scoreSum: 100,
        levels: { 'keypad4:4': 1 },
      },
    ]);
    await db.insert(schema.comments).values([
      { unitId: 'trung-van', kind: 'complaint', body: 'Chờ lâu', createdAt: at(10) },
      {
        unitId: 'trung-van',
        kind: 'praise',
        body: 'Cảm ơn',
        createdAt: at(11),
        status: 'replied',
        reply: 'Cảm ơn',
      },
      { unitId: 'trung-van', body: 'Không chọn', createdAt: at(12), status: 'handled' },
      // October: outside the report's month.
      {
        unitId: 'trung-van',
        kind: 'complaint',
        body: 'Tháng trước',
        createdAt: new Date(Date.UTC(2026, 9, 5)),
      },
      { unitId: 'kim-anh', kind: 'complaint', body: 'Kim Anh', createdAt: at(10) },
    ]);
    await addStaffMember(db, { username: 'city', role: 'city', actor: 'test' });
    await addStaffMember(db, { username: 'tv-leader', role: 'ward', unitId: 'trung-van', actor: 'test' });
    await addStaffMember(db, { username: 'ka-leader', role: 'ward', unitId: 'kim-anh', actor: 'test' });
    await addStaffMember(db, { username: 'tech', role: 'technician', actor: 'test' });
    await addStaffMember(db, { username: 'officer', role: 'officer', officerId: 'cb-lan', actor: 'test' });
    for (const who of PEOPLE.filter((p) => p !== 'nobody'))
      tokens[who] = (await openStaffSession(db, who, 'api')).token;
    app = createDashboardApp({
      db,
      registry: new Registry(),
      logger,
      feed: new LiveRatingFeed(store, logger),
      now: () => NOW,
      pdf,
    });
  });
  afterAll(async () => {
    await pdf.close();
    await store?.close();
  });

  const WARD_ROUTES = ['report', 'report.pdf', 'ratings.csv', 'ratings.xlsx'];
  const CITY_ROUTES = ['/report', '/report.pdf', '/units.csv', '/units.xlsx'];
  /** 200 (or 503 for a PDF without Chromium) when allowed; else what each refusal is. */
  const allowed = (status: number) => status === 200 || status === 503;

  it.each(PEOPLE)('lets %s open only what the role and ward allow', async (who) => {
    for (const route of WARD_ROUTES)
      for (const unit of ['trung-van', 'kim-anh']) {
        const res = await get(who, `/units/${unit}/${route}`);
        await res.body?.cancel(); // a download holds one of the few export slots until it ends
        const mayOpen =
          who === 'city' ||
          (who === 'tv-leader' && unit === 'trung-van') ||
          (who === 'ka-leader' && unit === 'kim-anh');
        if (who === 'nobody') expect(res.status, route).toBe(303);
        else if (mayOpen) expect(allowed(res.status), `${who} ${unit}/${route}: ${res.status}`).toBe(true);
        else expect(res.status, `${who} ${unit}/${route}`).toBe(403);
      }
    for (const route of CITY_ROUTES) {
      const res = await get(who, route);
      await res.body?.cancel();
      if (who === 'nobody') expect(res.status, route).toBe(303);
      else if (who === 'city') expect(allowed(res.status), `${route}: ${res.status}`).toBe(true);
      else expect(res.status, `${who} ${route}`).toBe(403);
    }
  });

  it('refuses a ward leader the other ward in words on pages, as JSON on spreadsheets', async () => {
    const page = await get('tv-leader', '/units/kim-anh/report');
    expect(page.headers.get('content-type')).toMatch(/html/);
    expect(await page.text()).toContain(vi('forbiddenOtherWard'));
    const pdfRes = await get('tv-leader', '/units/kim-anh/report.pdf');
    expect(pdfRes.headers.get('content-type')).toMatch(/html/);
    const xlsx = await get('tv-leader', '/units/kim-anh/ratings.xlsx');
    expect(xlsx.headers.get('content-type')).toMatch(/json/);
    expect((await get('city', '/units/nowhere/report')).status).toBe(404);
    expect((await get('city', '/units/trung-van/report?period=month&date=2026-13-01')).status).toBe(400);
  });

  it('reports the previous full month of a ward by default: figures, tables, comments, sign-off', async () => {
    const body = await (await ok('tv-leader', '/units/trung-van/report')).text();
    expect(body).toContain('data-from="2026-11-01" data-to="2026-11-30"');
    expect(body).toContain('Phường Trung Văn');
    expect(body).toMatch(/data-testid="key-ratings">\s*2\s*</);
    expect(body).toContain('data-testid="officer-table"');
    expect(body).toContain('Nguyễn Thị Lan');
    expect(body).not.toContain('Lê Thị Hoa');
    expect(body).toMatch(/data-kind="unverified">[\s\S]*?>3</);
    expect(body).toMatch(/data-kind="filtered">[\s\S]*?>1</);
    // Three comments in November (October's is left out), one of each kind and state.
    expect(body).toMatch(/data-testid="comments-total">3</);
    expect(body).toMatch(/data-status="new"[^>]*>1</);
    expect(body).toMatch(/data-status="handled"[^>]*>1</);
    expect(body).toMatch(/data-status="replied"[^>]*>1</);
    // Reasons in words, most frequent first; the filtered rating's reason is not a citizen's.
    expect(body).toContain(`${reasonLabel('slow', 'vi')}: <b>1</b>`);
    expect(body).toContain(`${reasonLabel('unclear', 'vi')}: <b>1</b>`);
    expect(body).toContain(vi('reportPreparedBy'));
    expect(body).toContain(vi('reportApprovedBy'));
    expect(body).toContain(`data-testid="report-generated">${formatVietnamTime(NOW)}<`);
    expect(body).toContain('<svg');
    // Paper: A4, a page per section, the dates repeated at the top of every page.
    expect(body).toContain('@page{size:A4');
    expect(body).toContain('.report-section{break-before:page');
    expect(body).toContain('class="running-head"');
    expect(body).toContain('/units/trung-van/report.pdf?period=month&amp;date=2026-11-01');
  });

  it("gives the report's print styles this response's CSP nonce, or the browser drops them", async () => {
    for (const [who, path] of [
      ['tv-leader', '/units/trung-van/report'],
      ['city', '/report'],
    ] as const) {
      const res = await ok(who, path);
      const nonce = /style-src 'self' 'nonce-([^']+)'/.exec(
        res.headers.get('content-security-policy') ?? '',
      )?.[1];
      expect(nonce, path).toBeTruthy();
      const styles = [...(await res.text()).matchAll(/<style\b[^>]*>/g)].map((m) => m[0]);
      expect(styles.length, path).toBeGreaterThan(1);
      for (const s of styles) expect(s, path).toContain(`nonce="${nonce}"`);
    }
  });

  it('reports the asked period and language, and the city with every ward', async () => {
    const october = await (
      await ok('tv-leader', '/units/trung-van/report?period=month&date=2026-10-05', 'en')
    ).text();
    expect(october).toContain('data-from="2026-10-01" data-to="2026-10-31"');
    expect(october).toContain(en('reportTitle'));
    expect(october).toMatch(/data-testid="comments-total">1</);
    const city = await (await ok('city', '/report')).text();
    expect(city).toContain('data-testid="unit-comparison"');
    expect(city).toContain('Phường Trung Văn');
    expect(city).toContain('Xã Kim Anh');
    expect(city).toMatch(/data-testid="key-ratings">\s*3\s*</);
    expect(city).toMatch(/data-testid="comments-total">4</);
  });

  it('answers a PDF without Chromium with a translated 503 page', async () => {
    const res = await get('tv-leader', '/units/trung-van/report.pdf');
    expect(res.status).toBe(503);
    expect(await res.text()).toContain(vi('pdfUnavailableText'));
  });

  it('links the report and exports from the ward and city pages', async () => {
    const unit = await (await ok('tv-leader', '/units/trung-van')).text();
    expect(unit).toContain('href="/units/trung-van/report?period=day&amp;date=2026-12-10"');
    expect(unit).toContain('/units/trung-van/ratings.xlsx?');
    const city = await (await ok('city', '/')).text();
    expect(city).toContain('href="/report?period=day&amp;date=2026-12-10"');
    expect(city).toContain('/units.xlsx?');
  });

  it('exports the raw ratings as CSV: BOM, words, formulas defused, file named by unit and dates', async () => {
    const res = await ok('tv-leader', '/units/trung-van/ratings.csv');
    expect(res.headers.get('content-disposition')).toContain('ratings_trung-van_2026-11-01_2026-11-30.csv');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toContain(vi('cameraEstimate'));
    expect(lines[0]).toContain(vi('whyUncounted'));
    expect(lines).toHaveLength(4); // header + three November ratings of Trung Văn, oldest first
    expect(lines[1]).toContain('Nguyễn Thị Lan');
    expect(lines[1]).toContain('H26-0001');
    expect(lines[1]).toMatch(/,80$/);
    expect(lines[2]).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(lines[2]).toContain(`"${reasonLabel('slow', 'vi')}, ${reasonLabel('unclear', 'vi')}"`);
    expect(lines[3]).toContain(`${vi('filtered')}: ${vi('filter_rapid_repeat')}`);
    expect(text).not.toContain('Kim Anh');
  });

  it('exports the raw ratings as XLSX that reads back with the same rows and Vietnamese text', async () => {
    const res = await ok('city', '/units/trung-van/ratings.xlsx?from=2026-11-01&to=2026-11-30', 'en');
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await res.arrayBuffer());
    const sheet = workbook.worksheets[0]!;
    expect(sheet.rowCount).toBe(4);
    const values = (n: number) => (sheet.getRow(n).values as unknown[]).slice(1);
    expect(values(1)).toEqual([
      en('time'),
      en('counter'),
      en('officerId'),
      en('officer'),
      en('dossier'),
      en('ticket'),
      en('level'),
      en('officialLevel'),
      en('reasons'),
      en('counted'),
      en('whyUncounted'),
      en('cameraEstimate'),
    ]);
    expect(values(2)).toContain('Nguyễn Thị Lan');
    expect(values(2)[11]).toBe(80);
    expect(values(3)).toContain('=HYPERLINK("http://x")'); // a text cell, never a formula
    expect(sheet.getRow(3).getCell(6).type).toBe(ExcelJS.ValueType.String);
    expect(values(4)[9]).toBe(en('no'));
  });

  it('exports the city table as CSV and XLSX, city only', async () => {
    const csv = new TextDecoder('utf-8', { ignoreBOM: true }).decode(
      await (await ok('city', '/units.csv')).arrayBuffer(),
    );
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.trimEnd().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toContain('2026-11-01,2026-11-30,kim-anh,Xã Kim Anh,Hà Nội,1,1,0,0');
    expect(lines[2]).toContain('2026-11-01,2026-11-30,trung-van,Phường Trung Văn,Hà Nội,2,1,0,1');
    const xlsx = await ok('city', '/units.xlsx');
    expect(xlsx.headers.get('content-disposition')).toContain('units_2026-11-01_2026-11-30.xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    const sheet = workbook.worksheets[0]!;
    expect(sheet.rowCount).toBe(3);
    expect((sheet.getRow(2).values as unknown[]).slice(1)).toContain('Xã Kim Anh');
    expect((sheet.getRow(3).values as unknown[]).slice(1)).toContain('Phường Trung Văn');
  });

  it("colours the ward's report against the ward's own target, as the ward's page does", async () => {
    // 30 very satisfied, 2 satisfied, 8 unsatisfied: 80 % is met, 95 % plainly missed.
    await store.db.insert(schema.units).values({ id: 'tay-ho', name: 'Phường Tây Hồ', province: 'Hà Nội' });
    await saveOfficer(store.db, { unitId: 'tay-ho', officerId: 'cb-mai', name: 'Đỗ Thị Mai', actor: 'test' });
    await store.db.insert(schema.hourlyRollups).values({
      unitId: 'tay-ho',
      counterId: 'q01',
      officerId: 'cb-mai',
      hour: new Date('2026-11-12T02:00:00Z'),
      ratings: 40,
      verySatisfied: 30,
      satisfied: 2,
      unsatisfied: 8,
      levels: { 'keypad3:3': 30, 'keypad3:2': 2, 'keypad3:1': 8 },
    });
    const stateOf = async () => {
      const body = await (await ok('city', '/units/tay-ho/report')).text();
      const row = body.split('data-officer="cb-mai"')[1]!.split('</tr>')[0]!;
      const key = body.split('data-testid="key-figures"')[1]!.split('</table>')[0]!;
      const state = (html: string) => /data-figure="satisfied-share" data-state="(\w+)"/.exec(html)?.[1];
      // The ward's own page and its officer table fragment, read from the unit row they load.
      const onPage = async (path: string) =>
        state((await (await ok('city', path)).text()).split('data-officer="cb-mai"')[1]!.split('</tr>')[0]!);
      const page = await onPage('/units/tay-ho?period=month&date=2026-11-12');
      const fragment = await onPage('/units/tay-ho/officers?period=month&date=2026-11-12');
      expect({ page, fragment }).toEqual({ page: state(row), fragment: state(row) });
      return { officer: state(row), key: state(key) };
    };
    const before = await stateOf();
    expect(before.officer).not.toBe('bad');
    const settings = await getUnitSettings(store.db, 'tay-ho');
    await setUnitSettings(store.db, {
      unitId: 'tay-ho',
      settings: { ...settings, targets: { ...settings.targets, satisfiedShare: 0.95 } },
      actor: 'test',
    });
    expect(await stateOf()).toEqual({ officer: 'bad', key: 'bad' });
  });

  // Found by the HTTP fuzz (seed 20261201): a HEAD ran the download's route, whose body nobody
  // read or cancelled, so each held an export slot for good; two left every export refused.
  it('answers HEAD on a download without holding one of its slots', async () => {
    const head = (path: string) =>
      app.request(path, { method: 'HEAD', headers: { authorization: `Bearer ${tokens.city}` } });
    for (const path of [
      '/units.csv',
      '/units.xlsx',
      '/units/trung-van/ratings.csv',
      '/units/trung-van/ratings.xlsx',
    ]) {
      const res = await head(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-disposition'), path).toContain('attachment');
    }
    await (await ok('city', '/units.csv')).arrayBuffer();
    await (await ok('city', '/units.xlsx')).arrayBuffer();
  });

  it('writes two downloads at a time; a third is told to come back, in words', async () => {
    const open1 = await ok('city', '/units/trung-van/ratings.csv');
    const open2 = await ok('city', '/units.xlsx');
    // Neither body is read yet: both downloads are still being written.
    const refused = await get('city', '/units/trung-van/ratings.xlsx', 'en');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('15');
    expect(await refused.json()).toMatchObject({ error: 'busy' });
    const page = await get('city', '/units/trung-van/report.pdf', 'en');
    expect(page.status).toBe(503); // no Chromium here; not a download slot
    await open1.body!.cancel();
    await open2.arrayBuffer();
    await new Promise((r) => setTimeout(r, 50));
    expect((await get('city', '/units/trung-van/ratings.csv')).status).toBe(200);
  });
});
