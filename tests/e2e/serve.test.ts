import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureImages } from '@onestop/models';
import { openStore, schema } from '@onestop/store';
import { afterAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { metricValue, runCli, sessionCookie, startServe, waitFor } from '../support/cli.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'onestop-e2e-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('onestop serve, end to end', () => {
  it('carries ratings from simulated counters to the database and the dashboard, and stops cleanly', async () => {
    const data = tempDir();
    // The counters' cameras replay real photographs (a citizen, then nobody) through the real
    // perception pipeline, so expression summaries travel the same path as ratings.
    const fx = await fixtureImages();
    const scene = tempDir();
    for (let i = 0; i < 8; i++) copyFileSync(i < 4 ? fx.astronaut : fx.coffee, join(scene, `${i}.png`));
    const serve = await startServe([
      '--data',
      data,
      '--simulate',
      '3',
      '--speed',
      '600',
      '--camera-replay',
      scene,
    ]);
    try {
      const ingested = await waitFor(
        'a rating in /metrics',
        async () => {
          const m = await (await fetch(`${serve.dashboardUrl}/metrics`)).text();
          return (
            metricValue(m, 'onestop_events_ingested_total', 'type="rating"') >= 1 &&
            metricValue(m, 'onestop_events_ingested_total', 'type="expression"') >= 1 &&
            m
          );
        },
        60_000,
      );
      expect(metricValue(ingested, 'onestop_devices_connected')).toBe(3);
      expect(metricValue(ingested, 'onestop_events_rejected_total', 'reason="malformed"')).toBe(0);
      // The dashboard needs a sign-in: the first start created an account and printed a link.
      expect(serve.output()).toMatch(/dashboard account created: admin \/ \S{24,}/);
      expect((await fetch(`${serve.dashboardUrl}/api/units`)).status).toBe(401);
      const cookie = await sessionCookie(serve.signInLink!);
      const signedIn = { headers: { cookie } };
      const city = await (await fetch(`${serve.dashboardUrl}/api/units`, signedIn)).json();
      const unitId = (city as Array<{ unitId: string; ratings: number }>).find((u) => u.ratings > 0)?.unitId;
      expect(unitId).toBeDefined();
      const page = await (await fetch(`${serve.dashboardUrl}/units/${unitId}`, signedIn)).text();
      expect(page).toContain('Đánh giá theo cán bộ, công chức');
      expect(page).toMatch(/data-event-id="[0-9a-f-]{36}"/);
      expect((await fetch(`${serve.dashboardUrl}/healthz`)).status).toBe(200);

      // A ward leader's browser: new ratings appear without a reload, and English is one click away.
      const browser = await launchChromium();
      try {
        const tab = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        // Signing in by hand, as a ward leader would: the sign-in page, then back to the ward.
        await tab.goto(`${serve.dashboardUrl}/units/${unitId}`);
        await tab.waitForSelector('input[name=username]');
        await tab.fill('input[name=username]', 'admin');
        await tab.fill(
          'input[name=password]',
          /dashboard account created: admin \/ (\S+)/.exec(serve.output())![1]!,
        );
        await tab.click('button[type=submit]');
        await tab.waitForURL(`**/units/${unitId}`);
        const rows = tab.locator('#live-body tr');
        const before = await rows.count();
        // A row the SSE stream added is marked `fresh`: proof that it arrived without a reload.
        await tab.waitForSelector('#live-body tr.fresh', { timeout: 45_000 });
        expect(await rows.count()).toBeGreaterThanOrEqual(Math.min(before + 1, 50));
        await tab.screenshot({ path: join(data, 'ward-page.png'), fullPage: true });
        await tab.click('[data-testid=lang-switch]');
        await tab.waitForSelector('text=Evaluation per officer');
      } finally {
        await browser.close();
      }
    } finally {
      expect(await serve.stop('SIGINT')).toBe(0);
    }
    // The embedded database was closed cleanly and holds the ratings and the agents' last word.
    const store = await openStore({ kind: 'pglite', dataDir: join(data, 'db') });
    try {
      const expressions = await store.db.select().from(schema.expressionSummaries);
      expect(expressions.length).toBeGreaterThanOrEqual(1);
      expect(expressions[0]!.exit).toMatchObject({ happy: expect.any(Number) });
      const ratings = await store.db.select().from(schema.ratings);
      expect(ratings.length).toBeGreaterThanOrEqual(1);
      // eventId is the primary key, so counting distinct eventIds proves nothing. A duplicate is
      // the same device event stored twice under two eventIds: it would share (deviceId, bootId, seq).
      const events = await store.db.select().from(schema.events);
      const origin = (e: { deviceId: string; bootId: string; seq: number }) =>
        `${e.deviceId}/${e.bootId}/${e.seq}`;
      const origins = events.map(origin);
      expect(origins.filter((o, i) => origins.indexOf(o) !== i)).toEqual([]);
      const ratingOrigins = new Set(events.filter((e) => e.type === 'rating').map(origin));
      expect(ratingOrigins.size).toBe(ratings.length);
      const logged = new Set(events.map((e) => e.eventId));
      expect(ratings.filter((r) => !logged.has(r.eventId))).toEqual([]);
      const devices = await store.db.select().from(schema.devices);
      expect(devices.map((d) => d.status)).toEqual(['stopped', 'stopped', 'stopped']);
    } finally {
      await store.close();
    }
  }, 180_000);

  it('says which flag to change when a port is taken', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = await runCli([
        'serve',
        '--data',
        tempDir(),
        '--host',
        '127.0.0.1',
        '--mqtt-port',
        String(port),
        '--http-port',
        '0',
      ]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim()).toBe(
        `onestop: port ${port} is already in use: choose another with --mqtt-port <port>`,
      );
      const http = await runCli([
        'serve',
        '--data',
        tempDir(),
        '--host',
        '127.0.0.1',
        '--mqtt-port',
        '0',
        '--http-port',
        String(port),
      ]);
      expect(http.stderr.trim()).toBe(
        `onestop: port ${port} is already in use: choose another with --http-port <port>`,
      );
    } finally {
      blocker.close();
    }
  }, 120_000);

  it('answers admin commands while it holds the embedded database, and keeps a second server out', async () => {
    const data = tempDir();
    const serve = await startServe(['--data', data]);
    let deviceId: string;
    try {
      // Through the running centre's control socket (<data>/centre.sock): no need to stop it.
      const add = await runCli(['device', 'add', '--unit', 'trung-van', '--counter', 'q01', '--data', data]);
      expect(add.code, add.stderr).toBe(0);
      deviceId = (JSON.parse(add.stdout) as { deviceId: string }).deviceId;
      const list = await runCli(['device', 'list', '--data', data]);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout).toContain(deviceId);
      const second = await runCli([
        'serve',
        '--data',
        data,
        '--host',
        '127.0.0.1',
        '--mqtt-port',
        '0',
        '--http-port',
        '0',
      ]);
      expect(second.code).toBe(2);
      expect(second.stderr.trim()).toMatch(
        new RegExp(`^onestop: the embedded database in .*/db is in use by process ${serve.child.pid} `),
      );
    } finally {
      expect(await serve.stop('SIGTERM')).toBe(0);
    }
    // Released on a clean stop: the command opens the database itself now.
    expect((await runCli(['device', 'list', '--data', data])).stdout).toContain(deviceId);
  }, 120_000);
});

describe('onestop device', () => {
  it('adds, lists and revokes devices, keeping only a password hash', async () => {
    const data = tempDir();
    const add = await runCli(['device', 'add', '--unit', 'trung-van', '--counter', 'q01', '--data', data]);
    expect(add.code).toBe(0);
    const created = JSON.parse(add.stdout) as Record<string, string>;
    expect(Object.keys(created).sort()).toEqual([
      'counterId',
      'deviceId',
      'mqttUrl',
      'password',
      'unitId',
      'username',
    ]);
    const list = await runCli(['device', 'list', '--data', data]);
    expect(list.stdout).toContain(created.deviceId);
    expect(list.stdout).not.toContain(created.password);
    const revoke = await runCli(['device', 'revoke', created.deviceId!, '--data', data]);
    expect(JSON.parse(revoke.stdout)).toEqual({ deviceId: created.deviceId, revoked: true });
    const again = await runCli(['device', 'revoke', created.deviceId!, '--data', data]);
    expect(again.code).toBe(2);
    const bad = await runCli(['device', 'add', '--unit', 'Trung Van', '--counter', 'q01', '--data', data]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^onestop: --unit: unitId must be a lower-case slug/);
  }, 60_000);
});
