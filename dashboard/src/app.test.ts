import { displayFigure, displayNumber, FORMULA_CATALOGUE, workedExample } from '@onestop/evaluation';
import { hourBucket, newEventId } from '@onestop/protocol';
import { addStaffMember, notify, openStaffSession, schema } from '@onestop/store';
import { openTestStore, STORE_BACKENDS, type TestStore } from '@onestop/store/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardApp } from './app.js';
import { LiveRatingFeed } from './live/feed.js';

const NOW = new Date('2026-11-20T03:00:00Z'); // 10:00 in Hà Nội
const logger = pino({ level: 'silent' });

async function seed(store: TestStore) {
  const { db } = store;
  await db.insert(schema.units).values([
    { id: 'trung-van', name: 'Phường Trung Văn', province: 'Hà Nội' },
    { id: 'kim-anh', name: 'Xã Kim Anh', province: 'Hà Nội' },
    { id: 'dong-anh', name: 'Xã Đông Anh', province: 'Hà Nội' },
  ]);
  await db.insert(schema.officers).values([
    { id: 'cb-lan', unitId: 'trung-van', name: 'Nguyễn Thị Lan' },
    { id: 'cb-minh', unitId: 'trung-van', name: 'Trần Văn Minh' },
    { id: 'cb-tam', unitId: 'dong-anh', name: 'Phạm Thị Tâm' },
  ]);
  const rating = (
    officerId: string | null,
    level: number,
    official: string,
    score: number,
    minutesAgo: number,
  ) => ({
    eventId: newEventId(),
    unitId: 'trung-van',
    counterId: 'q01',
    deviceId: 'q01-a',
    officerId,
    scale: 'keypad4',
    level,
    official,
    score,
    source: 'keypad',
    dossierIds: ['000.00.12.H26-251120-0001'],
    ticket: 'A001',
    deviceTs: new Date(NOW.getTime() - minutesAgo * 60_000),
    at: new Date(NOW.getTime() - minutesAgo * 60_000),
    // As the centre judges: a rating with nobody signed in counts for no officer.
    attribution: officerId ? 'verified' : 'unverified',
  });
  await db.insert(schema.ratings).values([
    rating('cb-lan', 4, 'very_satisfied', 100, 5),
    rating('cb-lan', 4, 'very_satisfied', 100, 4),
    rating('cb-lan', 3, 'satisfied', 67, 3),
    rating('cb-lan', 1, 'unsatisfied', 0, 2),
    rating(null, 2, 'satisfied', 33, 1),
    // Three days ago: outside "today", inside "7 days"; a dossier of its own (a dossier counts in
    // the period of its first rating).
    { ...rating('cb-lan', 1, 'unsatisfied', 0, 3 * 24 * 60), dossierIds: ['000.00.12.H26-251117-0001'] },
  ]);
  await db.insert(schema.presenceIntervals).values({
    unitId: 'trung-van',
    counterId: 'q01',
    deviceId: 'q01-a',
    officerId: 'cb-lan',
    kind: 'session',
    startedAt: new Date(NOW.getTime() - 2 * 3_600_000),
    startEventId: newEventId(),
  });
  const hour = new Date('2026-11-20T02:00:00Z');
  await db.insert(schema.hourlyRollups).values([
    {
      unitId: 'trung-van',
      counterId: 'q01',
      officerId: 'cb-lan',
      hour,
      ratings: 4,
      verySatisfied: 2,
      satisfied: 1,
      unsatisfied: 1,
      scoreSum: 267,
      levels: { 'keypad4:4': 2, 'keypad4:3': 1, 'keypad4:1': 1 },
      visits: 5,
      unratedVisits: 1,
      expressions: 4,
      expressionIndexSum: 2.8,
      expressionIndexSqSum: 2.02,
    },
    {
      // The rating three days ago, in its own hour.
      unitId: 'trung-van',
      counterId: 'q01',
      officerId: 'cb-lan',
      hour: new Date(hour.getTime() - 3 * 86_400_000),
      ratings: 1,
      unsatisfied: 1,
      levels: { 'keypad4:1': 1 },
    },
    {
      // Camera summaries only, no ratings: still listed under the officer's name.
      unitId: 'trung-van',
      counterId: 'q02',
      officerId: 'cb-minh',
      hour,
      expressions: 2,
      expressionIndexSum: 1.2,
      expressionIndexSqSum: 0.74,
    },
    {
      // Eight ratings on two keypads, all unsatisfied: too few for any verdict.
      unitId: 'dong-anh',
      counterId: 'q01',
      officerId: 'cb-tam',
      hour,
      ratings: 8,
      unsatisfied: 8,
      levels: { 'keypad4:1': 5, 'keypad5:2': 3 },
    },
    {
      unitId: 'trung-van',
      counterId: 'q01',
      officerId: '',
      hour,
      ratings: 1,
      verySatisfied: 0,
      satisfied: 1,
      unsatisfied: 0,
      scoreSum: 33,
      levels: { 'keypad4:2': 1 },
      visits: 1,
      unratedVisits: 0,
      expressions: 0,
      expressionIndexSum: 0,
      expressionIndexSqSum: 0,
    },
  ]);
}

/** One CSV line into its cells (RFC 4180 quotes). */
function splitCsv(line: string): string[] {
  const cells: string[] = [];
  for (const m of line.matchAll(/(?:^|,)("(?:[^"]|"")*"|[^,]*)/g)) {
    const v = m[1]!;
    cells.push(v.startsWith('"') ? v.slice(1, -1).replaceAll('""', '"') : v);
  }
  return cells;
}

describe.each(STORE_BACKENDS)('dashboard on %s', (backend) => {
  let store: TestStore;
  let app: ReturnType<typeof createDashboardApp>;
  let feed: LiveRatingFeed;
  let cityToken = '';
  // Every request below is made as a city account with an API token (access rules: auth.test.ts).
  const req = (path: string, init: { headers?: Record<string, string> } = {}) =>
    app.request(path, { ...init, headers: { authorization: `Bearer ${cityToken}`, ...init.headers } });
  beforeAll(async () => {
    store = await openTestStore(backend);
    await seed(store);
    await addStaffMember(store.db, { username: 'city', role: 'city', actor: 'test' });
    cityToken = (await openStaffSession(store.db, 'city', 'api')).token;
    feed = new LiveRatingFeed(store, logger);
    feed.start();
    app = createDashboardApp({ db: store.db, registry: new Registry(), logger, feed, now: () => NOW });
  });
  afterAll(async () => {
    feed.stop();
    await store?.close();
  });

  it('evaluates each officer over today in Vietnam time, with official counts and figures', async () => {
    const res = await req('/api/units/trung-van/officers');
    expect(res.status).toBe(200);
    const rows = (await res.json()) as Array<Record<string, unknown>>;
    const lan = rows.find((r) => r.officerId === 'cb-lan');
    expect(lan).toMatchObject({
      ratings: 4,
      official: { verySatisfied: 2, satisfied: 1, unsatisfied: 1 },
      levels: { 'keypad4:4': 2, 'keypad4:3': 1, 'keypad4:1': 1 },
      // Exact: (2 × 100 + 1 × 50 + 0) / 4; four ratings are too few for a verdict.
      index: { value: 62.5, n: 4, state: 'too_few' },
      satisfiedShare: { value: 0.75, n: 4, state: 'too_few' },
      verySatisfiedShare: { value: 0.5 },
      // One counted rating today names the dossier, and it was rated unsatisfied.
      dossierSatisfaction: { dossiers: 1, ratedUnsatisfied: 1, satisfied: 0, overdueSource: 'none' },
    });
    // The camera on 0–100.
    expect(lan?.expression).toMatchObject({ n: 4 });
    expect((lan!.expression as { value: number }).value).toBeCloseTo(70, 10);
    expect(rows.find((r) => r.officerId === null)).toMatchObject({
      ratings: 1,
      satisfiedShare: { value: 1 },
    });
    expect(rows.find((r) => r.officerId === 'cb-minh')).toMatchObject({
      officerName: 'Trần Văn Minh',
      ratings: 0,
      satisfiedShare: { value: null, state: 'no_data' },
      expression: { n: 2 },
    });
    // Each object says what it covers; nothing was recorded for Lan the day before.
    expect(lan).toMatchObject({
      period: { kind: 'day', from: '2026-11-20', to: '2026-11-20' },
      previous: null,
    });
  });

  it('takes ?from=&to= (inclusive Vietnam dates) on pages, CSV and JSON', async () => {
    const range = 'from=2026-11-17&to=2026-11-20';
    const rows = (await (await req(`/api/units/trung-van/officers?${range}`)).json()) as Array<
      Record<string, unknown>
    >;
    expect(rows.find((r) => r.officerId === 'cb-lan')).toMatchObject({
      ratings: 5,
      period: { kind: 'custom', from: '2026-11-17', to: '2026-11-20' },
    });
    const units = (await (await req(`/api/units?${range}`)).json()) as Array<Record<string, unknown>>;
    expect(units.find((u) => u.unitId === 'trung-van')).toMatchObject({
      ratings: 6,
      period: { kind: 'custom', from: '2026-11-17', to: '2026-11-20' },
      previous: { ratings: 0, period: { kind: 'custom', from: '2026-11-13', to: '2026-11-16' } },
    });
    const csv = await req(`/units/trung-van/officers.csv?${range}`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-disposition')).toBe(
      'attachment; filename="trung-van_2026-11-17_2026-11-20.csv"',
    );
    expect(await csv.text()).toContain('\r\n2026-11-17,2026-11-20,cb-lan,Nguyễn Thị Lan,5,2,1,2,');
    const page = await req(`/units/trung-van?${range}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('17/11/2026 – 20/11/2026');
    expect(html).toContain(`officers.csv?from=2026-11-17&amp;to=2026-11-20`);
    expect(html).toContain(`/units/trung-van/officers?${range}&lang=vi`);
  });

  it('prints the dates of the default period, today, and links the calendar periods around it', async () => {
    const page = await (await req('/')).text();
    expect(page).toMatch(
      /data-testid="period"[^>]*data-from="2026-11-20" data-to="2026-11-20"><b>Ngày 20\/11\/2026<\/b>/,
    );
    expect(page).toContain('so với Ngày 19/11/2026');
    expect(page).toContain(
      'href="?period=week&amp;date=2026-11-16" title="Tuần 47/2026 (16/11 – 22/11/2026)"',
    );
    expect(page).toContain('href="?period=quarter&amp;date=2026-10-01"');
    expect(page).toContain('href="/units/trung-van?period=day&amp;date=2026-11-20"');
    expect(page).toMatch(/<input type="date" name="from" value="2026-11-20" required(="")?\/?>/);
    // Tomorrow has not happened: no "next" arrow.
    expect(page).not.toContain('rel="next"');
  });

  it('refuses bad dates and mixed period forms with 400 naming the problem', async () => {
    const refusal = async (q: string) => {
      const res = await req(`/api/units/trung-van/officers?${q}`);
      return {
        status: res.status,
        body: (await res.json()) as { error: string; field: string; reason: string },
      };
    };
    expect(await refusal('from=2026-02-30&to=2026-03-01')).toMatchObject({
      status: 400,
      body: {
        error: 'invalid query',
        field: 'from',
        reason: expect.stringContaining("real date written YYYY-MM-DD, got '2026-02-30'"),
      },
    });
    expect(await refusal('from=2026-11-20&to=2026-11-01')).toMatchObject({
      status: 400,
      body: { field: 'to', reason: 'to: to (2026-11-01) is before from (2026-11-20)' },
    });
    expect(await refusal('from=2026-11-01')).toMatchObject({ status: 400, body: { field: 'to' } });
    expect(await refusal('period=week&from=2026-11-01&to=2026-11-02')).toMatchObject({
      status: 400,
      body: { field: 'from', reason: expect.stringContaining('one way only') },
    });
    expect(await refusal('period=fortnight')).toMatchObject({ status: 400, body: { field: 'period' } });
    expect(await refusal('period=month&date=20-11-2026')).toMatchObject({
      status: 400,
      body: { field: 'date' },
    });
    expect((await req('/units/trung-van?days=7&date=2026-11-01')).status).toBe(400);
    expect((await req('/units/trung-van/officers.csv?from=2026-11-01&to=2032-01-01')).status).toBe(400);
  });

  it('answers the first and last reportable dates without a 500', async () => {
    // Every report is compared with the period before: none exists before 1970, so 400.
    for (const q of ['date=1970-01-01', 'period=year&date=1970-03-01', 'from=1970-01-01&to=1970-01-03'])
      for (const path of ['/api/units/trung-van/officers', '/units/trung-van', '/'])
        expect({ q, path, status: (await req(`${path}?${q}`)).status }).toEqual({ q, path, status: 400 });
    const refused = (await (await req('/api/units/trung-van/officers?date=1970-01-01')).json()) as {
      field: string;
      reason: string;
    };
    expect(refused).toMatchObject({ field: 'date', reason: expect.stringContaining('1970-01-01') });
    expect((await req('/units/trung-van?date=1970-01-02')).status).toBe(200);
    // The last year has no next period: the page shows it without a "next" link.
    for (const q of ['date=9999-12-31', 'period=year&date=9999-06-01', 'from=9999-12-01&to=9999-12-31']) {
      for (const path of ['/api/units/trung-van/officers', '/units/trung-van/officers.csv', '/'])
        expect({ q, path, status: (await req(`${path}?${q}`)).status }).toEqual({ q, path, status: 200 });
      const page = await (await req(`/units/trung-van?${q}`)).text();
      expect(page).toContain('rel="prev"');
      expect(page).not.toContain('rel="next"');
    }
  });

  it('shows the same figures on the page, in the CSV and in the JSON', async () => {
    type Shown = {
      value: number | null;
      low: number | null;
      high: number | null;
      n: number;
      state: 'too_few';
    };
    const json = (await (await req('/api/units/trung-van/officers')).json()) as Array<{
      officerId: string | null;
      satisfiedShare: Shown;
      verySatisfiedShare: Shown;
      index: Shown;
      expression: Shown;
      dossierSatisfaction: { share: Shown };
    }>;
    const lan = json.find((r) => r.officerId === 'cb-lan')!;
    const csv = new TextDecoder().decode(await (await req('/units/trung-van/officers.csv')).arrayBuffer());
    const [header, ...lines] = csv
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n')
      .map(splitCsv);
    const lanLine = lines.find((l) => l[header!.indexOf('Mã cán bộ')] === 'cb-lan')!;
    const lanCsv = Object.fromEntries(header!.map((h, i) => [h, lanLine[i]]));
    const page = await (await req('/units/trung-van')).text();
    const lanRow = /<tr data-officer="cb-lan">[\s\S]*?<\/tr>/.exec(page)![0];
    const pageCell = (id: string) =>
      new RegExp(`data-figure="${id}"[^>]*>([^<]*)<small>([^<]*)</small>`).exec(lanRow);
    const figures = [
      ['satisfied-share', 'share', lan.satisfiedShare, 'Tỷ lệ hài lòng với thái độ cán bộ'],
      ['very-satisfied-share', 'share', lan.verySatisfiedShare, 'Tỷ lệ rất hài lòng'],
      ['satisfaction-index', 'points', lan.index, 'Chỉ số hài lòng (0–100)'],
      ['expression-index', 'points', lan.expression, 'Chỉ số biểu cảm (camera, tách riêng)'],
      ['dossier-satisfaction-766', 'share', lan.dossierSatisfaction.share, 'Tỷ lệ hồ sơ hài lòng (QĐ 766)'],
    ] as const;
    for (const [id, kind, figure, column] of figures) {
      const shown = displayFigure(kind, figure);
      const unit = kind === 'share' ? ' (%)' : '';
      expect(lanCsv[`${column}${unit}`], column).toBe(shown.value);
      const cell = pageCell(id);
      expect(cell?.[1], id).toBe(`${shown.value}${shown.unit ? ` ${shown.unit}` : ''}`);
      expect(lanCsv[`${column} – cận dưới 95%`], column).toBe(shown.low ?? '');
      expect(lanCsv[`${column} – cận trên 95%`], column).toBe(shown.high ?? '');
      if (shown.low !== null) expect(cell?.[2]).toContain(`${shown.low}–${shown.high}`);
    }
    expect(lanCsv['Chỉ số biểu cảm (camera, tách riêng)']).toBe(
      displayNumber('points', lan.expression.value),
    );
    expect(lanCsv['Rất hài lòng']).toBe('2');
    expect(lanCsv['Tỷ lệ hài lòng với thái độ cán bộ – trạng thái']).toBe('quá ít mẫu');
  });

  it('exports the officer table as CSV for Excel, with Vietnamese headers and the scale of each level', async () => {
    const res = await req('/units/trung-van/officers.csv?days=1');
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="trung-van_2026-11-20_2026-11-20.csv"',
    );
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...lines] = new TextDecoder().decode(bytes).trimEnd().split('\r\n').map(splitCsv);
    // Every row starts with the period's dates, then the page's official counts.
    expect(header!.slice(0, 8)).toEqual([
      'Từ ngày',
      'Đến ngày',
      'Mã cán bộ',
      'Cán bộ',
      'Số đánh giá',
      'Rất hài lòng',
      'Hài lòng',
      'Không hài lòng',
    ]);
    expect(lines.find((l) => l[2] === 'cb-lan')!.slice(0, 8)).toEqual([
      '2026-11-20',
      '2026-11-20',
      'cb-lan',
      'Nguyễn Thị Lan',
      '4',
      '2',
      '1',
      '1',
    ]);
    expect(header).toContain('Bàn phím 4 nút: Bình thường');
    const en = new TextDecoder().decode(
      await (await req('/units/trung-van/officers.csv?lang=en')).arrayBuffer(),
    );
    expect(en).toContain('4-key keypad: Very satisfied');
  });

  it('names the scale where two keypads meet, and never colours eight ratings', async () => {
    const page = await (await req('/units/dong-anh')).text();
    const row = /<tr data-officer="cb-tam">[\s\S]*?<\/tr>/.exec(page)![0];
    expect(row).toContain('Bàn phím 4 nút: Không hài lòng: <b>5</b>');
    expect(row).toContain('Bàn phím 5 nút: Không hài lòng: <b>3</b>');
    // All eight unsatisfied, yet too few: greyed with the note, not red.
    expect(row).toMatch(/class="num too-few" data-figure="satisfied-share" data-state="too_few"/);
    expect(row).toContain('quá ít đánh giá (n = 8)');
    expect(row).not.toMatch(/class="num bad"/);
    expect(page).toContain('Chưa có nguồn dữ liệu hồ sơ quá hạn');
  });

  it('explains every figure on "Cách tính", in Vietnamese and English, from the same code', async () => {
    const vi = await (await req('/cach-tinh')).text();
    const en = await (await req('/cach-tinh?lang=en')).text();
    for (const doc of FORMULA_CATALOGUE) {
      expect(vi).toContain(`<section id="${doc.id}"`);
      expect(vi).toContain(doc.name.vi);
      // As escaped in the HTML (an apostrophe becomes &#39;).
      expect(en).toContain(doc.name.en.replaceAll("'", '&#39;'));
    }
    expect(vi).toContain('Thông tư 01/2018/TT-VPCP');
    expect(en).toContain('How figures are computed');
    // The worked example's results follow its camera line.
    expect(vi).toMatch(/<\/p>\s*<table data-testid="example-results">/);
    // The worked example is computed by the report functions and printed by the same rounding.
    const index = workedExample().figures.find((f) => f.doc.id === 'satisfaction-index')!.figure;
    expect(vi).toMatch(
      new RegExp(`data-figure="satisfaction-index"[^>]*>${displayNumber('points', index.value)}<small>`),
    );
    // Reachable from every page's menu.
    expect(await (await req('/units/trung-van')).text()).toContain('<a href="/cach-tinh">Cách tính</a>');
  });

  it('widens the period with ?days=', async () => {
    const rows = (await (await req('/api/units/trung-van/officers?days=7')).json()) as Array<{
      officerId: string;
      ratings: number;
    }>;
    expect(rows.find((r) => r.officerId === 'cb-lan')?.ratings).toBe(5);
    expect(rows[0]).toMatchObject({ period: { kind: 'lastDays', from: '2026-11-14', to: '2026-11-20' } });
  });

  it('rejects bad input at the edge with the field and reason', async () => {
    const res = await req('/api/units/trung-van/officers?days=0');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'days' });
    expect((await req('/api/units/trung-van/officers?colour=red')).status).toBe(400);
    expect((await req('/api/units/Not%20A%20Unit/officers')).status).toBe(400);
  });

  it('renders the ward page in Vietnamese with the officer table and latest ratings', async () => {
    const res = await req('/units/trung-van');
    const page = await res.text();
    expect(res.status).toBe(200);
    expect(page).toContain('<html lang="vi">');
    expect(page).toContain('Nguyễn Thị Lan');
    expect(page).toContain('Đánh giá theo cán bộ, công chức');
    expect(page).toContain('Rất hài lòng: <b>2</b>');
    expect(page).toContain('75.0 %');
    expect(page).toContain('(không có cán bộ đăng nhập)');
    expect(page.match(/<tr data-event-id=/g)).toHaveLength(6);
    // The dossier behind today's unsatisfied rating is listed for follow-up.
    expect(page).toMatch(/data-testid="unsatisfied"[\s\S]*Không hài lòng[\s\S]*000\.00\.12\.H26-251120-0001/);
    expect(page).toMatch(/data-testid="presence"[\s\S]*Nguyễn Thị Lan[\s\S]*Đang làm việc/);
  });

  it('draws the trend and the hour × weekday load on the ward page, the trend on the city page', async () => {
    const page = await (await req('/units/trung-van')).text();
    // Trend, load and the officers' levels; with five ratings nobody is ranked, so no ranking bars.
    expect(page.match(/<svg class="chart" role="img" aria-label="[^"]+"/g)).toHaveLength(3);
    expect(page).toMatch(
      /data-chart="officer-ranking"[^>]*><figcaption>[^<]*<\/figcaption><p class="muted">/,
    );
    expect(page).toContain('data-chart="trend"');
    expect(page).toContain('data-chart="weekday-hour"');
    // Today's five ratings are too few: a grey point apart from the line, never a coloured one.
    expect(page).toMatch(/data-chart="trend"[\s\S]*data-state="too_few"/);
    const city = await (await req('/')).text();
    // Trend, the city's load and the wards' levels (the wards' ranking: too few ratings to rank).
    expect(city.match(/<svg class="chart"/g)).toHaveLength(3);
    expect(city).toContain('data-chart="weekday-hour"');
  });

  it('switches to English and remembers it in a cookie', async () => {
    const res = await req('/units/trung-van?lang=en');
    expect(await res.text()).toContain('Evaluation per officer');
    expect(res.headers.get('set-cookie')).toContain('lang=en');
    const again = await req('/units/trung-van', { headers: { cookie: 'lang=en' } });
    expect(await again.text()).toContain('Very satisfied');
  });

  it('compares wards from roll-ups, including wards with no data', async () => {
    const rows = (await (await req('/api/units')).json()) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(3);
    expect(rows.find((r) => r.unitId === 'trung-van')).toMatchObject({
      ratings: 5,
      official: { verySatisfied: 2, satisfied: 2, unsatisfied: 1 },
      satisfiedShare: { value: 0.8 },
      visits: 6,
    });
    expect(rows.find((r) => r.unitId === 'kim-anh')).toMatchObject({
      ratings: 0,
      satisfiedShare: { value: null, state: 'no_data' },
    });
  });

  it('shows an officer their own record, by hour of day', async () => {
    const page = await (await req('/officers/cb-lan')).text();
    expect(page).toContain('Nguyễn Thị Lan');
    expect(page).toMatch(/data-testid="by-hour"[\s\S]*09:00[\s\S]*75\.0 %/);
    expect((await req('/officers/nobody')).status).toBe(404);
  });

  it('answers 404 for an unknown ward and serves health and metrics', async () => {
    expect((await req('/units/nowhere')).status).toBe(404);
    expect(await (await req('/healthz')).json()).toEqual({ status: 'ok' });
    const metrics = await req('/metrics');
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toMatch(/onestop_dashboard_charts_total\{result="drawn"\} \d+/);
    // The pages above drew charts, and the cache holds them.
    expect(Number(/onestop_dashboard_chart_cache_bytes (\d+)/.exec(text)?.[1])).toBeGreaterThan(0);
  });

  it('answers 503 on /healthz while a part beside it (the all-in-one ingest) is unhealthy', async () => {
    let connected = false;
    const withIngest = createDashboardApp({
      db: store.db,
      registry: new Registry(),
      logger,
      feed,
      health: () =>
        connected
          ? { ok: true, ingest: { connected } }
          : { ok: false, reason: 'ingest connecting', ingest: { connected } },
    });
    const down = await withIngest.request('/healthz');
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({
      status: 'unavailable',
      reason: 'ingest connecting',
      ingest: { connected: false },
    });
    connected = true;
    const up = await withIngest.request('/healthz');
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: 'ok', ingest: { connected: true } });
  });

  it('answers HEAD on a live stream without keeping a subscription open', async () => {
    const before = feed.subscribers;
    for (let i = 0; i < 5; i++) {
      const res = await app.request('/api/live?unit=trung-van', {
        method: 'HEAD',
        headers: { authorization: `Bearer ${cityToken}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/event-stream');
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(feed.subscribers).toBe(before);
  });

  it('streams newly stored ratings over SSE', async () => {
    const res = await req('/api/live?unit=trung-van');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const read = async (until: RegExp) => {
      while (!until.test(text)) text += decoder.decode((await reader.read()).value);
    };
    await read(/event: hello/);
    const eventId = newEventId();
    await store.db.insert(schema.ratings).values({
      eventId,
      unitId: 'trung-van',
      counterId: 'q02',
      deviceId: 'q02-a',
      officerId: 'cb-lan',
      scale: 'keypad4',
      level: 4,
      official: 'very_satisfied',
      score: 100,
      source: 'keypad',
      deviceTs: NOW,
    });
    // As the ingest does after each committed batch: no polling, the signal brings it.
    await notify(store.db, 'events_stored', { unitIds: ['trung-van'], count: 1 });
    await read(new RegExp(eventId));
    expect(text).toContain('event: rating');
    await reader.cancel();
  });
});

/**
 * Two ratings a millisecond apart around midnight in Hanoi, Sunday 15 → Monday 16 November 2026
 * (17:00 UTC): different days and different ISO weeks. Roll-ups are keyed by the hour the store
 * buckets them in (`hourBucket`), as the projection does.
 */
describe.each(STORE_BACKENDS)('report periods around Vietnam midnight on %s', (backend) => {
  let store: TestStore;
  let app: ReturnType<typeof createDashboardApp>;
  let token = '';
  const req = (path: string) => app.request(path, { headers: { authorization: `Bearer ${token}` } });
  const json = async (path: string) => (await (await req(path)).json()) as Array<Record<string, unknown>>;
  const sunday = {
    eventId: newEventId(),
    at: new Date('2026-11-15T16:59:59.999Z'),
    level: 1,
    official: 'unsatisfied',
  };
  const monday = {
    eventId: newEventId(),
    at: new Date('2026-11-15T17:00:00.000Z'),
    level: 4,
    official: 'very_satisfied',
  };

  beforeAll(async () => {
    store = await openTestStore(backend);
    const { db } = store;
    await db.insert(schema.units).values({ id: 'trung-van', name: 'Phường Trung Văn', province: 'Hà Nội' });
    await db.insert(schema.officers).values({ id: 'cb-lan', unitId: 'trung-van', name: 'Nguyễn Thị Lan' });
    for (const r of [sunday, monday]) {
      const unsatisfied = r.official === 'unsatisfied' ? 1 : 0;
      await db.insert(schema.ratings).values({
        eventId: r.eventId,
        unitId: 'trung-van',
        counterId: 'q01',
        deviceId: 'q01-a',
        officerId: 'cb-lan',
        scale: 'keypad4',
        level: r.level,
        official: r.official,
        score: unsatisfied ? 0 : 100,
        source: 'keypad',
        deviceTs: r.at,
        // Placed and credited as the centre judges them: only such ratings count for an officer.
        at: r.at,
        attribution: 'verified',
      });
      await db.insert(schema.hourlyRollups).values({
        unitId: 'trung-van',
        counterId: 'q01',
        officerId: 'cb-lan',
        hour: new Date(hourBucket(r.at.getTime())),
        ratings: 1,
        verySatisfied: 1 - unsatisfied,
        unsatisfied,
        scoreSum: unsatisfied ? 0 : 100,
        levels: { [`keypad4:${r.level}`]: 1 },
      });
    }
    await addStaffMember(db, { username: 'city', role: 'city', actor: 'test' });
    token = (await openStaffSession(db, 'city', 'api')).token;
    const feed = new LiveRatingFeed(store, logger);
    app = createDashboardApp({ db, registry: new Registry(), logger, feed, now: () => NOW });
  });
  afterAll(async () => {
    await store?.close();
  });

  it('counts the rating at 23:59:59.999 on Sunday and the one at 00:00 on Monday in their own day and week', async () => {
    const lan = async (q: string) =>
      (await json(`/api/units/trung-van/officers?${q}`)).find((r) => r.officerId === 'cb-lan');
    expect(await lan('period=day&date=2026-11-15')).toMatchObject({
      ratings: 1,
      official: { unsatisfied: 1 },
    });
    expect(await lan('period=day&date=2026-11-16')).toMatchObject({
      ratings: 1,
      official: { unsatisfied: 0 },
      satisfiedShare: { value: 1, n: 1, state: 'too_few' },
      previous: {
        ratings: 1,
        official: { unsatisfied: 1 },
        satisfiedShare: { value: 0, n: 1, state: 'too_few' },
        period: { kind: 'day', from: '2026-11-15', to: '2026-11-15' },
      },
    });
    expect(await lan('period=week&date=2026-11-15')).toMatchObject({
      ratings: 1,
      official: { unsatisfied: 1 },
      period: { kind: 'week', from: '2026-11-09', to: '2026-11-15' },
    });
    expect(await lan('period=week&date=2026-11-16')).toMatchObject({
      ratings: 1,
      official: { unsatisfied: 0 },
    });
    expect(await lan('from=2026-11-15&to=2026-11-16')).toMatchObject({ ratings: 2 });
    expect(await lan('period=day&date=2026-11-17')).toBeUndefined();
    // The raw ratings listed on the officer's page are cut at the same instant.
    const page = await (await req('/officers/cb-lan?period=day&date=2026-11-16')).text();
    expect(page).toContain(monday.eventId);
    expect(page).not.toContain(sunday.eventId);
    expect(page).toContain('<b>Ngày 16/11/2026</b>');
    expect(page).toContain('href="/units/trung-van?period=day&amp;date=2026-11-16"');
    expect(page).toMatch(
      /data-testid="change" data-label="[^"]*"><span class="change">±0<\/span> · <span class="change">\+100\.0 điểm %<\/span>/,
    );
  });

  it('prints the week and its dates, and the change since the week before', async () => {
    const page = await (await req('/units/trung-van?period=week&date=2026-11-18')).text();
    expect(page).toContain('<b>Tuần 47/2026 (16/11 – 22/11/2026)</b>');
    expect(page).toContain('so với Tuần 46/2026 (09/11 – 15/11/2026)');
    expect(page).toContain(
      'href="?period=week&amp;date=2026-11-09" title="Tuần 46/2026 (09/11 – 15/11/2026)" rel="prev"',
    );
    // One rating each week; satisfied share 0 % the week before, 100 % now.
    expect(page).toMatch(
      /data-testid="change" data-label="[^"]*"><span class="change">±0<\/span> · <span class="change">\+100\.0 điểm %<\/span>/,
    );
    // Both shares rest on one rating: the change is greyed like them, never coloured.
    expect(page).toMatch(/<td class="num too-few" data-testid="change" data-label="[^"]*">/);
    // The live-update module re-fetches the officer table of the same week.
    expect(page).toContain('"officersUrl":"/units/trung-van/officers?period=week&date=2026-11-16&lang=vi"');
    const english = await (await req('/units/trung-van?period=month&date=2026-11-18&lang=en')).text();
    expect(english).toContain('<b>November 2026 (01/11 – 30/11/2026)</b>');
    expect(english).toContain('compared with October 2026 (01/10 – 31/10/2026)');
    // Switching back to Vietnamese keeps the whole query, so the same month.
    expect(english).toContain(
      'href="?period=month&amp;date=2026-11-18&amp;lang=vi" data-testid="lang-switch"',
    );
  });

  it('serves the unit evaluation with its period and the previous one', async () => {
    const res = await req('/api/units/trung-van/evaluation?period=day&date=2026-11-16');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      unitId: 'trung-van',
      period: { kind: 'day', from: '2026-11-16', to: '2026-11-16' },
      officers: [{ officerId: 'cb-lan', ratings: 1, official: { unsatisfied: 0 } }],
      previous: {
        period: { kind: 'day', from: '2026-11-15', to: '2026-11-15' },
        officers: [{ officerId: 'cb-lan', ratings: 1, official: { unsatisfied: 1 } }],
      },
    });
    expect((await req('/api/units/nowhere/evaluation')).status).toBe(404);
    expect((await req('/api/units/trung-van/evaluation?from=2026-11-16')).status).toBe(400);
  });
});
