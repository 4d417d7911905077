import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import { checkStaffPassword } from '@onestop/store';
import type { TestStore } from '@onestop/store/testing';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessFixture } from '../access/fixture.js';
import { SESSION_COOKIE } from '../auth/access.js';
import { fill, translator } from '../i18n.js';

const vi = translator('vi');

/**
 * The city adds a technician in Chromium as a person does: a refused name comes back with what
 * was typed, the fixed form shows the one-time link once, the new technician signs in with it
 * (choosing a password on the way), and the city disables the account. Photographed at each step (directory printed); a CSP
 * violation or any script error on the way fails it.
 */
describe('accounts in a real browser', () => {
  let store: TestStore;
  let server: ReturnType<typeof createAdaptorServer>;
  let browser: Browser;
  let url: string;
  let cityCookie: string;
  const shots = mkdtempSync(join(tmpdir(), 'onestop-users-shots-'));

  beforeAll(async () => {
    const f = await accessFixture();
    store = f.store;
    cityCookie = f.cookies.city;
    server = createAdaptorServer({ fetch: f.app.fetch });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    console.info(`account screenshots in ${shots}`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await store?.close();
  });

  it('adds a technician, hands over the link, and disables the account', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.addCookies([{ name: SESSION_COOKIE, value: cityCookie, url }]);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`${page.url()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`${page.url()}: ${e.message}`));
    const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

    await page.goto(`${url}/devices`);
    await page.click('header a[href="/users"]');
    await page.click('[data-testid=add-user]');
    await page.fill('input[name=username]', 'Khoa KT');
    await page.fill('input[name=displayName]', 'Lê Văn Khoa');
    await page.selectOption('select[name=role]', 'technician');
    await page.click('[data-testid=add-user-form] button[type=submit]');
    await expect.poll(() => page.textContent('[data-testid=refusal]')).toContain(vi('userRefused_username'));
    expect(await page.inputValue('input[name=displayName]')).toBe('Lê Văn Khoa');
    await shot('1-refused');

    await page.fill('input[name=username]', 'khoa.kt');
    await page.click('[data-testid=add-user-form] button[type=submit]');
    const box = page.locator('[data-testid=sign-in-link]');
    const link = await box.inputValue();
    expect(new URL(page.url()).pathname).toBe('/users');
    expect(page.url()).not.toContain('token');
    expect(link).toMatch(new RegExp(`^${url}/login/link\\?token=`));
    await shot('2-link-shown-once');
    await page.reload();
    expect(await page.locator('[data-testid=sign-in-link]').count()).toBe(0);

    // The new technician, in a browser of their own, follows the link.
    const theirs = await browser.newContext();
    const them = await theirs.newPage();
    await them.goto(link);
    await them.fill('input[name=password]', 'khoa-chon-mat-khau');
    await them.fill('input[name=confirm]', 'khoa-chon-mat-khau');
    await them.screenshot({ path: join(shots, '3-link-page.png'), fullPage: true });
    await them.click('form[action="/login/link"] button');
    await them.waitForURL(`${url}/devices`);
    await theirs.close();
    expect(await checkStaffPassword(store.db, 'khoa.kt', 'khoa-chon-mat-khau')).toMatchObject({
      role: 'technician',
    });

    await page.click('tr[data-username="khoa.kt"] [data-testid=disable] summary');
    await shot('4-confirm-disable');
    await page.click('tr[data-username="khoa.kt"] form[action*="/disable"] button');
    await expect
      .poll(() => page.textContent('[data-testid=notice]'))
      .toContain(fill(vi('userDisabledDone'), { username: 'khoa.kt' }));
    expect(await page.textContent('tr[data-username="khoa.kt"]')).toContain(vi('userDisabled'));
    await shot('5-disabled');
    // On a phone the list reflows (cells stack with their labels) instead of scrolling sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await shot('6-phone');
    const phone = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(phone[0]).toBeLessThanOrEqual(phone[1]!);
    // Chromium logs the refused form's 400 as a failed resource: that one, and nothing else.
    expect(problems).toEqual([
      `${url}/users: Failed to load resource: the server responded with a status of 400 (Bad Request)`,
    ]);
    await context.close();
  }, 60_000);
});
