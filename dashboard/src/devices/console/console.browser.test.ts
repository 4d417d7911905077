import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  addStaffMember,
  applyAlertChanges,
  listAlerts,
  openStaffSession,
  provisionDevice,
  recentCommands,
  schema,
} from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { type Browser, chromium, type Page } from 'playwright-core';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../auth/access.js';
import { type RunningDashboard, startDashboard } from '../../server.js';

const CHROMIUM = '/usr/bin/chromium';
/** Git-ignored: the photographs of each step, to look at after a run. */
const SHOTS = join(import.meta.dirname, '../../../../test-artifacts/console');

/**
 * A technician's console flows in Debian's Chromium against the real dashboard server (SSE, the
 * bundled fleet module, the strict CSP): fleet summary live, restart confirmed and not re-sent on
 * reload, settings refused then saved, an alert acknowledged and cleared. Every step photographed;
 * no console error (a CSP violation is one).
 */
describe.skipIf(!existsSync(CHROMIUM))('technician console in Chromium', () => {
  let store: TestStore;
  let dashboard: RunningDashboard;
  let browser: Browser;
  let page: Page;
  let deviceId = '';
  const errors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    store = await openTestStore('pglite');
    await store.db
      .insert(schema.units)
      .values({ id: 'trung-van', name: 'Phường Trung Văn', province: 'Hà Nội' });
    deviceId = (await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q01', actor: 't' }))
      .deviceId;
    await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q02', actor: 't' });
    await store.db
      .update(schema.devices)
      .set({ status: 'online', agentVersion: '1.4.0', lastSeenAt: new Date() })
      .where(eq(schema.devices.id, deviceId));
    await applyAlertChanges(store.db, [
      { deviceId, kind: 'camera_error', message: 'camera: /dev/video0 missing' },
    ]);
    // An hour of minutes for the charts.
    const hour = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
    await store.db.insert(schema.deviceTelemetry).values(
      Array.from({ length: 60 }, (_, i) => ({
        deviceId,
        minute: new Date(hour + i * 60_000),
        cpuTempC: 55 + (i % 12),
        load1: 0.3 + (i % 5) / 10,
        cameraFps: i > 40 && i < 46 ? 0 : 5,
        outboxDepth: i > 40 ? (i - 40) * 3 : 0,
      })),
    );
    await addStaffMember(store.db, {
      username: 'tech',
      role: 'technician',
      unitId: null,
      officerId: null,
      actor: 't',
    });
    const token = (await openStaffSession(store.db, 'tech', 'browser')).token;
    dashboard = await startDashboard({
      db: store.db,
      notifications: store.notifications,
      registry: new Registry(),
      logger: pino({ level: 'silent' }),
      port: 0,
      host: '127.0.0.1',
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: SESSION_COOKIE, value: token, url: dashboard.url }]);
    page = await context.newPage();
    // A refused form answers 400 by design: Chromium logs that as a failed load, not a fault.
    page.on(
      'console',
      (m) => m.type() === 'error' && !/status of 400/.test(m.text()) && errors.push(m.text()),
    );
    page.on('pageerror', (e) => errors.push(e.message));
  });
  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
    await store?.close();
  });

  it('shows the fleet and refreshes it live when a device changes', async () => {
    // The page's EventSource must be open before anything changes.
    const stream = page.waitForResponse((r) => r.url().includes('/devices/fleet/live'));
    await page.goto(`${dashboard.url}/devices`);
    expect(await page.textContent('[data-testid="fleet-online"]')).toBe('1');
    await stream;
    await shot('01-fleet');
    await store.db.update(schema.devices).set({ status: 'offline' }).where(eq(schema.devices.id, deviceId));
    await page.waitForSelector('[data-testid="fleet-offline"] >> text="1"');
    expect(await page.textContent('[data-testid="fleet-online"]')).toBe('0');
    await shot('02-fleet-live');
  });

  it('asks before a restart, and a reload after it sends nothing again', async () => {
    await store.db.update(schema.devices).set({ status: 'online' }).where(eq(schema.devices.id, deviceId));
    await page.goto(`${dashboard.url}/devices/${deviceId}`);
    await page.click('[data-testid="confirm-restart"] summary');
    await shot('03-restart-confirm');
    await page.click('[data-testid="confirm-restart"] button');
    await page.waitForURL(/\?queued=/);
    expect(await page.textContent('[data-testid="notice"]')).toContain('restart');
    await page.reload();
    expect((await recentCommands(store.db, deviceId)).filter((c) => c.name === 'restart')).toHaveLength(1);
    await shot('04-restart-queued');
  });

  it('refuses bad settings in Vietnamese, keeping the input, then saves', async () => {
    await page.fill('#set-ratingTimeoutMs', '10');
    await page.fill('#set-commentUrl', 'https://gopy.example/tv');
    await page.click('[data-testid="settings-form"] button[type="submit"]');
    expect(await page.textContent('[data-testid="error-err-ratingTimeoutMs"]')).toBe('Nhỏ nhất là 3000.');
    expect(await page.inputValue('#set-commentUrl')).toBe('https://gopy.example/tv');
    await shot('05-settings-refused');
    await page.fill('#set-ratingTimeoutMs', '15000');
    await page.click('[data-testid="settings-form"] button[type="submit"]');
    await page.waitForURL(/\?saved=1$/);
    expect(await page.inputValue('#set-ratingTimeoutMs')).toBe('15000');
    await shot('06-settings-saved');
  });

  it('acknowledges an alert with a comment, then clears it, with its history', async () => {
    const [alert] = await listAlerts(store.db, { unitId: 'trung-van' });
    await page.goto(`${dashboard.url}/devices/alerts`);
    await shot('07-alerts');
    await page.click(`[data-testid="alert-${alert!.id}"] a`);
    await page.fill('[data-testid="form-acknowledge"] textarea', 'Đang tới quầy 1');
    await page.click('[data-testid="form-acknowledge"] button');
    await page.waitForURL(/done=acknowledged/);
    await page.fill('[data-testid="form-clear"] textarea', 'Đã cắm lại camera');
    await page.click('[data-testid="form-clear"] button');
    await page.waitForURL(/done=cleared/);
    expect(await page.textContent('[data-testid="alert-status"]')).toBe('Đã đóng');
    expect(await page.textContent('[data-testid="alert-history"]')).toContain('Đã cắm lại camera');
    await shot('08-alert-cleared');
    expect(errors).toEqual([]);
  });

  it.each(['/devices', '/devices/alerts'])(
    'fits a phone at 390 px without sideways scrolling: %s',
    async (path) => {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto(`${dashboard.url}${path}`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await shot(`09-phone${path.replaceAll('/', '-')}`);
      expect(errors).toEqual([]);
    },
  );

  it('fits a phone at 390 px on the device page, settings form and charts included', async () => {
    await page.goto(`${dashboard.url}/devices/${deviceId}`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot('10-phone-device');
  });
});
