import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineAgentConfig } from '@onestop/firmware-config';
import pino from 'pino';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { startAgent } from '../agent/agent.js';
import type { RecordedEvent } from '../agent/bus.js';
import { startVirtualDevices } from './virtual-devices.js';

const CHROMIUM = '/usr/bin/chromium';

/** The panel's hand-written script in a real browser: what a technician's clicks really send. */
describe.skipIf(!existsSync(CHROMIUM))('virtual devices panel in Debian chromium', () => {
  it('badges, scans and presses a key from the page', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'panel-'));
    const logger = pino({ level: 'silent' });
    const config = defineAgentConfig({
      schemaVersion: 2,
      device: { unitId: 'u-panel', counterId: 'q01', deviceId: 'dev-p' },
      mqtt: { url: 'mqtt://127.0.0.1:1', username: 'dev-p', password: 'x' },
      dataDir,
    });
    const virtual = await startVirtualDevices(config, logger);
    const agent = await startAgent(config, { inputs: virtual.inputs, logger });
    virtual.attach(agent);
    const recorded: RecordedEvent[] = [];
    agent.bus.on('event.recorded', (e) => recorded.push(e.event));
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
      await page.goto(virtual.url);
      expect(await page.textContent('#virtual')).toContain('THIẾT BỊ ẢO');
      await page.fill('#badge input', 'cb-a');
      await page.click('#badge button');
      await expect.poll(() => agent.state().counter.officer?.id).toBe('cb-a');
      await page.fill('#scan input', '000.00.12.H26-251124-0001');
      await page.press('#scan input', 'Enter');
      await expect.poll(() => agent.state().counter.visit?.dossierIds).toEqual(['000.00.12.H26-251124-0001']);
      await page.click('button[data-officer=end-visit]');
      await expect.poll(() => agent.state().screen.kind).toBe('rating');
      await page.click('button[data-key=F1]');
      await expect
        .poll(() => recorded.find((e) => e.channel === 'evt/rating')?.body)
        .toMatchObject({ level: 4, officerId: 'cb-a', source: 'keypad' });
      await expect.poll(() => page.textContent('#log')).toContain('Đã gửi: F1');
      await expect.poll(() => page.textContent('#state')).toContain('cb-a');
      if (process.env.PANEL_SHOT) await page.screenshot({ path: process.env.PANEL_SHOT });
    } finally {
      await browser.close();
      await agent.stop();
      await virtual.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
