import { existsSync, mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { CounterSettings } from '@onestop/protocol';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { screenOf } from '../counter/screen.js';
import { step } from '../counter/step.js';
import { badge, ctxAt, endVisit, scan, T0 } from '../counter/test-helpers.js';
import { type CounterEffect, type CounterState, initialCounterState } from '../counter/types.js';
import { createKioskApp } from './app.js';
import { kioskHosts } from './guard.js';
import { buildView } from './view.js';

const CHROMIUM = '/usr/bin/chromium';
const settings = CounterSettings.parse({ officers: { 'cb-a': { name: 'Nguyễn Văn A', badge: '0001' } } });

describe.skipIf(!existsSync(CHROMIUM))('kiosk in Debian chromium', () => {
  it('renders the rating prompt and a touch records a rating', async () => {
    let state: CounterState = initialCounterState();
    let now = T0;
    const listeners = new Set<() => void>();
    const effects: CounterEffect[] = [];
    const feed = (i: Parameters<typeof step>[1]) => {
      now += 2_000;
      const r = step(state, i, ctxAt(now, { settings }));
      state = r.state;
      effects.push(...r.effects);
      for (const l of listeners) l();
    };
    for (const i of [badge('0001'), scan('A015'), scan('000.00.12.H26-251124-0001'), endVisit]) feed(i);
    const view = () => buildView(state, screenOf(state, now), settings, 'online', true);
    const app = createKioskApp({
      // The production guards: the page's own same-origin POSTs must get through them.
      hosts: kioskHosts('127.0.0.1'),
      view,
      officerTouch: true,
      input: feed,
      subscribe: (fn) => {
        const l = () => fn(view());
        listeners.add(l);
        return () => listeners.delete(l);
      },
    });
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    const port = (server.address() as AddressInfo).port;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      // The same autoplay flag as the counter's kiosk launch: prompts play before any touch.
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--autoplay-policy=no-user-gesture-required',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1024, height: 600 } });
      const audio: string[] = [];
      // The test compiles without DOM types, so the media element is read structurally.
      const mediaState = () =>
        page.$eval('#voice', (el) => {
          const m = el as unknown as { paused: boolean; ended: boolean };
          return m.ended ? 'ended' : m.paused ? 'paused' : 'playing';
        });
      page.on('request', (r) => {
        const u = new URL(r.url());
        if (u.pathname.startsWith('/audio/')) audio.push(u.pathname);
      });
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForSelector('body[data-screen=rating]');
      // The rating prompt for this counter's scale is fetched and actually plays.
      await expect.poll(() => audio).toContain('/audio/vi-rate-keypad4.ogg');
      await expect.poll(mediaState).not.toBe('paused');
      expect(await page.getAttribute('body', 'data-voice-error')).toBeNull();
      expect(await page.getAttribute('body', 'data-prompt')).toBe('rate-keypad4');
      expect(await page.textContent('main')).toContain('Nguyễn Văn A');
      const buttons = await page.$$eval('.lv', (els) => els.map((e) => e.textContent));
      expect(buttons).toEqual(['Rất hài lòng', 'Hài lòng', 'Bình thường', 'Không hài lòng']);
      const shot = join(mkdtempSync(join(tmpdir(), 'kiosk-')), 'rating.png');
      await page.screenshot({ path: shot });
      if (process.env.KIOSK_SHOT) await page.screenshot({ path: process.env.KIOSK_SHOT });
      expect(existsSync(shot)).toBe(true);
      // Colours come from the shared levelTone: the best level is the very-positive button.
      expect(await page.$$eval('.lv', (els) => els.map((e) => e.className))).toEqual([
        'lv tone-very-positive',
        'lv tone-positive',
        'lv tone-neutral',
        'lv tone-negative',
      ]);
      await page.click('.lv.tone-very-positive');
      await page.waitForSelector('body[data-screen=thanks]');
      expect(await page.textContent('main')).toContain('Cảm ơn quý khách');
      await expect.poll(() => audio).toContain('/audio/vi-thanks.ogg');
      // Muting stops the voice for this citizen; turning it back on replays the current prompt.
      await page.click('#voice-toggle');
      expect(await page.getAttribute('#voice-toggle', 'aria-pressed')).toBe('false');
      expect(await mediaState()).not.toBe('playing');
      await page.click('#voice-toggle');
      expect(await page.getAttribute('#voice-toggle', 'aria-pressed')).toBe('true');
      await expect.poll(mediaState).not.toBe('paused');
      // A slip: inside the undo window "Đổi" opens the faces again and a touch changes the level.
      expect(await page.textContent('main')).toContain('Rất hài lòng');
      await page.click('#change');
      await page.click('#relevel .lv.tone-neutral');
      await expect.poll(() => page.textContent('.recorded')).toContain('Bình thường');
      const ratings = effects.flatMap((e) =>
        e.type === 'emit' && e.event.channel === 'evt/rating'
          ? [`rating ${e.event.body.level}`]
          : e.type === 'amend'
            ? [`amend ${e.event.body.level} ${e.event.body.source}`]
            : [],
      );
      // One rating on disk, replaced in place: one leaves the device, with the level chosen last.
      expect(ratings).toEqual(['rating 4', 'amend 2 touch']);
      // The officer's bar: on a counter without a scanner, the next visit starts and ends by touch.
      expect(await page.isVisible('#officer')).toBe(true);
      await page.click('#officer [data-action=start-visit]');
      await page.waitForSelector('body[data-screen=visit]');
      expect(effects.filter((e) => e.type === 'release')).toHaveLength(1); // the next visit: final
      expect(await page.isDisabled('#officer [data-action=start-visit]')).toBe(true);
      if (process.env.KIOSK_OFFICER_SHOT) await page.screenshot({ path: process.env.KIOSK_OFFICER_SHOT });
      await page.click('#officer [data-action=end-visit]');
      await page.waitForSelector('body[data-screen=rating]');
    } finally {
      await browser.close();
      if ('closeAllConnections' in server) server.closeAllConnections();
      server.close();
    }
  });
});
if (!existsSync(CHROMIUM))
  console.warn(`kiosk screenshot test skipped: ${CHROMIUM} is absent (apt-get install -y chromium)`);
