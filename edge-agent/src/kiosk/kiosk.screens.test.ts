import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { CounterSettings } from '@onestop/protocol';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Screen } from '../counter/types.js';
import { initialCounterState } from '../counter/types.js';
import { createKioskApp } from './app.js';
import { kioskHosts } from './guard.js';
import { buildView, type KioskLink, type KioskView } from './view.js';

const CHROMIUM = '/usr/bin/chromium';

/** The page's elements as the checks read them (the tests compile without DOM types). */
interface Box {
  offsetParent: unknown;
  scrollWidth: number;
  clientWidth: number;
  scrollHeight: number;
  clientHeight: number;
  textContent: string | null;
  getBoundingClientRect(): { height: number };
}
interface Doc {
  documentElement: Box;
  getElementById(id: string): Box;
  querySelectorAll(selector: string): Iterable<Box>;
}
const settings = CounterSettings.parse({
  officers: { 'cb-a': { name: 'Nguyễn Thị Phương Thảo', badge: '0001' } },
  commentUrl: 'https://gopy.trungvan.gov.vn/comment',
});
const DOSSIER = '000.00.12.H26-251124-0001';
/** A visit's comment code is about 300 characters: the QR code is drawn at that density. */
const COMMENT_URL = `https://gopy.trungvan.gov.vn/comment?t=${'x'.repeat(300)}`;

/** Every screen a citizen meets, as the agent sends it; `offline` is the page's own (stream down). */
const SCENES: Array<{
  name: string;
  screen: Screen;
  link?: KioskLink;
  streamDown?: true;
  /** A button to press before measuring (the undo window's "Đổi" opens the faces). */
  click?: string;
}> = [
  { name: 'idle', screen: { kind: 'idle', officerId: 'cb-a' } },
  { name: 'rating', screen: { kind: 'rating', officerId: 'cb-a', dossierIds: [DOSSIER], deadline: 20_000 } },
  { name: 'reasons', screen: { kind: 'reasons', level: 1, deadline: 20_000 } },
  { name: 'thanks', screen: { kind: 'thanks', level: 1, scale: 'keypad4', negative: true, undoUntil: null } },
  {
    name: 'thanks-undo',
    screen: { kind: 'thanks', level: 1, scale: 'keypad4', negative: true, undoUntil: 5_000 },
  },
  {
    name: 'thanks-undo-change',
    screen: { kind: 'thanks', level: 3, scale: 'keypad4', negative: false, undoUntil: 5_000 },
    click: '#change',
  },
  { name: 'withdrawn', screen: { kind: 'idle', officerId: null }, link: 'withdrawn' },
  { name: 'offline', screen: { kind: 'idle', officerId: 'cb-a' }, streamDown: true },
];
/** Touch tablets need 64 px targets; the small display beside a 2-to-4-key keypad is pressed by keys. */
const VIEWPORTS = [
  { width: 1280, height: 800, target: 64 },
  { width: 800, height: 1280, target: 64 },
  { width: 1024, height: 600, target: 64 },
  { width: 480, height: 320, target: 44 },
];

/**
 * Every kiosk screen in Debian Chromium at the tablet sizes counters use, in both languages, with
 * the camera notice on: nothing spills out of the screen or out of its buttons. Screenshots are
 * kept in `$KIOSK_SHOTS` (or a temporary folder) for a person to look at.
 */
describe.skipIf(!existsSync(CHROMIUM))('kiosk screens at tablet sizes', () => {
  let view: KioskView;
  let server: ReturnType<typeof serve>;
  let base: string;
  let browser: Awaited<ReturnType<typeof chromium.launch>>;
  const shots = process.env.KIOSK_SHOTS ?? join(tmpdir(), 'kiosk-screens');

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    const app = createKioskApp({
      hosts: kioskHosts('127.0.0.1'),
      view: () => view,
      officerTouch: true,
      input: () => {},
      subscribe: () => () => {},
    });
    server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    console.info(`kiosk screenshots in ${shots}`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (server && 'closeAllConnections' in server) server.closeAllConnections();
    server?.close();
  });

  for (const size of VIEWPORTS)
    it(`fits every screen at ${size.width}×${size.height} in Vietnamese and English`, async () => {
      const page = await browser.newPage({ viewport: { width: size.width, height: size.height } });
      try {
        for (const lang of ['vi', 'en'] as const)
          for (const scene of SCENES) {
            const officer = { id: 'cb-a', since: 0 };
            const state = initialCounterState(scene.screen.kind === 'idle' ? officer : null);
            view = {
              ...buildView(state, scene.screen, settings, scene.link ?? 'online', false, {
                counterId: '03',
                camera: true,
                now: 0,
              }),
              // The comment code comes once the rating is final, not during the undo window.
              commentUrl:
                scene.screen.kind === 'thanks' && scene.screen.undoUntil === null ? COMMENT_URL : null,
            };
            await page.unroute('**/events');
            if (scene.streamDown) await page.route('**/events', (r) => r.abort());
            await page.goto(`${base}/?lang=${lang}`);
            await page.waitForSelector(
              `body[data-screen=${scene.streamDown ? 'offline' : scene.screen.kind}]`,
            );
            if (view.commentUrl) await page.waitForSelector('#qr svg');
            if (scene.click) {
              await page.click(scene.click);
              await page.waitForSelector('#relevel:not([hidden]) .lv');
            }
            const where = `${scene.name} ${lang} ${size.width}×${size.height}`;
            // The page and its main area show everything without scrolling; no button's words spill.
            const fit = await page.evaluate((target) => {
              const d = (globalThis as unknown as { document: Doc }).document;
              const main = d.getElementById('main');
              const spilled = [...d.querySelectorAll('button')]
                .filter((b: Box) => b.offsetParent !== null && b.scrollWidth > b.clientWidth + 1)
                .map((b: Box) => b.textContent);
              return {
                page:
                  d.documentElement.scrollHeight <= d.documentElement.clientHeight + 1 &&
                  d.documentElement.scrollWidth <= d.documentElement.clientWidth + 1,
                main: main.scrollHeight <= main.clientHeight + 1,
                spilled,
                small: [...d.querySelectorAll('main button')]
                  .filter((b: Box) => b.offsetParent !== null)
                  .filter((b: Box) => b.getBoundingClientRect().height < target)
                  .map((b: Box) => b.textContent),
              };
            }, size.target);
            await page.screenshot({
              path: join(shots, `${scene.name}-${lang}-${size.width}x${size.height}.png`),
            });
            expect(fit, where).toEqual({ page: true, main: true, spilled: [], small: [] });
          }
      } finally {
        await page.close();
      }
    }, 120_000);
});
