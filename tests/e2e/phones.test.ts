import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { createDashboardApp, LiveRatingFeed } from '@onestop/dashboard';
import { newEventId } from '@onestop/protocol';
import { addStaffMember, openStaffSession, schema } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';

/**
 * Every main page of the dashboard, as each role opens it, on a phone (390 px) and a laptop
 * (1440 px): nothing scrolls sideways on the phone, and printing keeps the period and drops the
 * navigation. Screenshots go to a temp directory (printed) for a look by eye, never committed.
 */
const NOW = new Date('2026-11-20T03:00:00Z'); // 10:00 in Hà Nội
const logger = pino({ level: 'silent' });
const UNIT = 'trung-van';
const OFFICER = 'cb-lan';
// Long tokens as the field writes them: they must wrap rather than widen the page.
const DOSSIERS = ['000.00.12.H26-251120-0001', '000.00.12.H26-251120-0002', '000.00.12.H26-251120-0003'];

async function seed(store: TestStore) {
  const { db } = store;
  await db.insert(schema.units).values([
    { id: UNIT, name: 'Phường Trung Văn', province: 'Hà Nội' },
    { id: 'kim-anh', name: 'Xã Kim Anh', province: 'Hà Nội' },
  ]);
  await db.insert(schema.officers).values([
    { id: OFFICER, unitId: UNIT, name: 'Nguyễn Thị Lan' },
    { id: 'cb-minh', unitId: UNIT, name: 'Trần Văn Minh' },
  ]);
  const levels = [4, 4, 3, 1, 2, 4, 3, 1];
  await db.insert(schema.ratings).values(
    levels.map((level, i) => ({
      eventId: newEventId(),
      unitId: UNIT,
      counterId: i % 2 ? 'q02' : 'q01',
      deviceId: i % 2 ? 'q02-a' : 'q01-a',
      officerId: i === 4 ? null : i % 2 ? 'cb-minh' : OFFICER,
      scale: 'keypad4',
      level,
      official: level === 4 ? 'very_satisfied' : level === 1 ? 'unsatisfied' : 'satisfied',
      score: [0, 0, 33, 67, 100][level]!,
      source: 'keypad',
      dossierIds: DOSSIERS,
      ticket: `A00${i}`,
      deviceTs: new Date(NOW.getTime() - (i + 1) * 60_000),
      at: new Date(NOW.getTime() - (i + 1) * 60_000),
      attribution: i === 4 ? ('unverified' as const) : ('verified' as const),
      filterReason: i === 7 ? 'rapid_repeat' : null,
    })),
  );
  await db.insert(schema.hourlyRollups).values([
    {
      unitId: UNIT,
      counterId: 'q01',
      officerId: OFFICER,
      hour: new Date('2026-11-20T02:00:00Z'),
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
      unitId: UNIT,
      counterId: 'q02',
      officerId: 'cb-minh',
      hour: new Date('2026-11-20T02:00:00Z'),
      ratings: 2,
      satisfied: 1,
      unsatisfied: 1,
      scoreSum: 67,
      levels: { 'keypad4:3': 1, 'keypad4:1': 1 },
    },
  ]);
  await db.insert(schema.devices).values({
    id: 'q01-a-0123456789abcdef0123456789abcdef',
    unitId: UNIT,
    counterId: 'q01',
    username: 'q01-a-0123456789abcdef0123456789abcdef',
    passwordHash: 'x',
  });
}

const PAGES = {
  city: ['/'],
  ward: [
    `/units/${UNIT}`,
    `/officers/${OFFICER}`,
    '/devices',
    '/cach-tinh',
    `/units/${UNIT}/uncounted`,
    `/units/${UNIT}/settings`,
  ],
  technician: ['/devices'],
} as const;

describe('the dashboard on a phone and on paper', () => {
  let store: TestStore;
  let server: ReturnType<typeof createAdaptorServer>;
  let url = '';
  let browser: Browser;
  const sessions: Record<string, string> = {};
  const shots = mkdtempSync(join(tmpdir(), 'onestop-phones-'));

  beforeAll(async () => {
    store = await openTestStore('pglite');
    await seed(store);
    for (const [username, role, unitId] of [
      ['city', 'city', null],
      ['ward', 'ward', UNIT],
      ['technician', 'technician', null],
    ] as const) {
      await addStaffMember(store.db, { username, role, unitId, actor: 'test' });
      sessions[username] = (await openStaffSession(store.db, username, 'browser')).token;
    }
    const app = createDashboardApp({
      db: store.db,
      registry: new Registry(),
      logger,
      feed: new LiveRatingFeed(store, logger),
      now: () => NOW,
    });
    server = createAdaptorServer({ fetch: app.fetch });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    console.info(`phone and print screenshots in ${shots}`);
  });
  afterAll(async () => {
    await browser?.close();
    (server as unknown as { closeAllConnections?: () => void })?.closeAllConnections?.();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await store?.close();
  });

  async function open(role: keyof typeof PAGES, width: number) {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    await context.addCookies([{ name: 'onestop_session', value: sessions[role]!, url }]);
    return context;
  }
  const fileName = (role: string, path: string, what: string) =>
    join(shots, `${role}${path.replaceAll('/', '_') || '_'}-${what}.png`);

  for (const role of Object.keys(PAGES) as Array<keyof typeof PAGES>) {
    it(`fits every page of the ${role} in 390 px without sideways scrolling`, async () => {
      const context = await open(role, 390);
      try {
        const widths: Record<string, number> = {};
        const tooSmall: Record<string, unknown> = {};
        for (const path of PAGES[role]) {
          const page = await context.newPage();
          const res = await page.goto(`${url}${path}`, { waitUntil: 'domcontentloaded' });
          expect(res?.status(), path).toBe(200);
          widths[path] = await page.evaluate(() => document.documentElement.scrollWidth);
          await page.screenshot({ path: fileName(role, path, '390'), fullPage: true });
          // Touch targets: every link and button in the header and in forms is at least 44 px high.
          const small = await page.evaluate(() =>
            [...document.querySelectorAll('header a, header button, main form button, main form input')]
              .filter((e) => (e as HTMLInputElement).type !== 'hidden')
              .map((e) => ({ e: e.outerHTML.slice(0, 60), h: e.getBoundingClientRect().height }))
              .filter((x) => x.h > 0 && x.h < 44),
          );
          if (small.length > 0) tooSmall[path] = small;
          await page.close();
        }
        console.info(`${role} at 390 px: scrollWidth ${JSON.stringify(widths)}`);
        expect(Object.entries(widths).filter(([, w]) => w > 390)).toEqual([]);
        expect(tooSmall).toEqual({});
      } finally {
        await context.close();
      }
    });

    it(`shows the ${role}'s pages at 1440 px and prints them without navigation`, async () => {
      const context = await open(role, 1440);
      try {
        for (const path of PAGES[role]) {
          const page = await context.newPage();
          await page.goto(`${url}${path}`, { waitUntil: 'domcontentloaded' });
          expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(
            1440,
          );
          await page.screenshot({ path: fileName(role, path, '1440'), fullPage: true });
          await page.emulateMedia({ media: 'print' });
          expect(await page.locator('header nav, header a, nav.period').first().isVisible(), path).toBe(
            false,
          );
          // Sign-out and the search box: every form of the header stays off paper.
          const forms = await page.locator('header form').all();
          expect(forms.length, path).toBeGreaterThan(0);
          for (const form of forms) expect(await form.isVisible(), path).toBe(false);
          const period = page.locator('[data-testid=period]');
          if ((await period.count()) > 0) {
            expect(await period.isVisible(), path).toBe(true);
            expect(await period.textContent(), path).toMatch(/\d{2}\/\d{2}\/\d{4}/);
          }
          const colours = await page.evaluate(() => {
            const s = getComputedStyle(document.body);
            return { fg: s.color, bg: s.backgroundColor };
          });
          expect(colours, path).toEqual({ fg: 'rgb(0, 0, 0)', bg: 'rgb(255, 255, 255)' });
          await page.screenshot({ path: fileName(role, path, 'print'), fullPage: true });
          await page.close();
        }
      } finally {
        await context.close();
      }
    });
  }
});
