import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulatedCounter } from '@onestop/edge-agent';
import { AROUND_THE_CLOCK, schema, setUnitSettings } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { metricValue, ONESTOP_BIN, runCli, waitFor } from '../support/cli.js';
import { freePort, listensOn } from '../support/ports.js';

/**
 * The scale-out layout: broker, ingest and dashboard as three processes on one PostgreSQL,
 * sharing only DATABASE_URL and the ingest's service password.
 */
describe('onestop broker + ingest + dashboard as separate processes on PostgreSQL', () => {
  const children: ChildProcess[] = [];
  let store: TestStore;
  const dataDir = mkdtempSync(join(tmpdir(), 'onestop-split-'));
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await store?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('carries a simulated counter’s ratings to the shared database and dashboard', async () => {
    store = await openTestStore('postgres');
    const env = {
      DATABASE_URL: store.url!,
      ONESTOP_SERVICE_PASSWORD: 'split-test-service-password',
      LOG_LEVEL: 'warn',
    };
    const [mqttPort, brokerMetrics, ingestMetrics, httpPort] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const add = await runCli(['device', 'add', '--unit', 'trung-van', '--counter', 'q01'], env);
    expect(add.code).toBe(0);
    const device = JSON.parse(add.stdout) as { deviceId: string; username: string; password: string };
    // Its ratings count for the officer on the unit's roster who signs in at it, at any hour.
    const officer = ['officer', 'add', '--unit', 'trung-van', '--id', 'cb-split-a', '--name', 'Cán bộ A'];
    expect((await runCli(officer, env)).code).toBe(0);
    await setUnitSettings(store.db, {
      unitId: 'trung-van',
      settings: { openingHours: AROUND_THE_CLOCK },
      actor: 'test',
    });
    // A city account and its API token, made from another process on the same database.
    expect((await runCli(['user', 'add', '--name', 'city-e2e', '--role', 'city'], env)).code).toBe(0);
    const tokenRun = await runCli(['user', 'token', 'city-e2e', '--days', '1'], env);
    expect(tokenRun.code).toBe(0);
    const { token } = JSON.parse(tokenRun.stdout) as { token: string };

    const start = (args: string[]) => {
      const c = spawn(process.execPath, [ONESTOP_BIN, ...args], {
        env: { ...process.env, ...env },
        stdio: 'ignore',
      });
      children.push(c);
      return c;
    };
    const broker = start([
      'broker',
      '--host',
      '127.0.0.1',
      '--mqtt-port',
      String(mqttPort),
      '--metrics-port',
      String(brokerMetrics),
    ]);
    start(['dashboard', '--host', '127.0.0.1', '--http-port', String(httpPort)]);
    const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
    await waitFor(
      'broker metrics',
      // From the broker itself: the port was only free when picked (see `listensOn`).
      async () =>
        listensOn(broker.pid!, brokerMetrics) &&
        (await fetch(`http://127.0.0.1:${brokerMetrics}/healthz`)).ok,
    );
    const ingest = start([
      'ingest',
      '--mqtt-url',
      mqttUrl,
      '--client-id',
      'split-ingest',
      '--host',
      '127.0.0.1',
      '--metrics-port',
      String(ingestMetrics),
    ]);

    // The counter starts once the ingest has subscribed: an event published before that has no
    // subscriber at the broker and waits in the counter's outbox for its resend (nothing is lost,
    // but the officer's sign-in would then arrive after the first rating this test reads).
    await waitFor('the ingest subscribed', async () => {
      if (!listensOn(ingest.pid!, ingestMetrics)) return false;
      const r = await fetch(`http://127.0.0.1:${ingestMetrics}/healthz`).catch(() => null);
      return r?.status === 200;
    });
    const sim = await startSimulatedCounter({
      mqttUrl,
      unitId: 'trung-van',
      counterId: 'q01',
      deviceId: device.deviceId,
      username: device.username,
      password: device.password,
      dataDir,
      seed: 5,
      speed: 900,
      officers: ['cb-split-a'],
    });
    try {
      await waitFor(
        'a stored rating',
        async () => (await store.db.select().from(schema.ratings)).length > 0,
        60_000,
      );
      // The ingest's own health: connected and subscribed, not lagging.
      const ingestHealth = await fetch(`http://127.0.0.1:${ingestMetrics}/healthz`);
      expect(ingestHealth.status).toBe(200);
      expect(await ingestHealth.json()).toMatchObject({
        status: 'ok',
        ingest: { connected: true, link: { state: 'connected' } },
      });
      const ingestM = await (await fetch(`http://127.0.0.1:${ingestMetrics}/metrics`)).text();
      expect(metricValue(ingestM, 'onestop_events_ingested_total', 'type="rating"')).toBeGreaterThanOrEqual(
        1,
      );
      const brokerM = await (await fetch(`http://127.0.0.1:${brokerMetrics}/metrics`)).text();
      expect(metricValue(brokerM, 'onestop_devices_connected')).toBe(1);
      const api = `http://127.0.0.1:${httpPort}/api/units`;
      expect((await fetch(api)).status).toBe(401);
      const units = (await (
        await fetch(api, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as Array<{
        unitId: string;
        ratings: number;
      }>;
      expect(units.find((u) => u.unitId === 'trung-van')?.ratings).toBeGreaterThanOrEqual(1);

      // A technician's command from another process reaches the running agent, which answers.
      const selfTest = await runCli(['device', 'command', device.deviceId, 'self-test', '--wait', '20'], env);
      expect(selfTest.code, selfTest.stderr).toBe(0);
      expect(JSON.parse(selfTest.stdout)).toMatchObject({
        name: 'self-test',
        answered: true,
        ok: true,
        result: { outbox: true, mqtt: true, keypad: true },
      });
    } finally {
      await sim.stop();
    }
    // Revocation from another process reaches the running broker: the device is dropped.
    expect((await runCli(['device', 'revoke', device.deviceId], env)).code).toBe(0);
    await waitFor(
      'the revoked device to be dropped',
      async () =>
        metricValue(
          await (await fetch(`http://127.0.0.1:${brokerMetrics}/metrics`)).text(),
          'onestop_devices_connected',
        ) === 0,
      30_000,
    );
  }, 120_000);
});
