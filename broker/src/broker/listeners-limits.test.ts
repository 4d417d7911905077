import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topicFor } from '@onestop/protocol';
import {
  connectDevice,
  metricValue,
  provision,
  ratingFor,
  uniqueUnit,
  waitFor,
  wrapDevice,
} from '@onestop/service/testing';
import { revokeDevice, schema } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import mqtt from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker } from '../testing/test-broker.js';
import type { BrokerHandle } from './start-broker.js';

/** Throttling, rate limits, retained config, TLS and WebSocket: one broker, PGlite. */
describe('broker limits and listeners', () => {
  let store: TestStore;
  let broker: BrokerHandle;
  let certDir: string;
  let cert: Buffer;
  const registry = new Registry();
  const unit = uniqueUnit('lim');

  beforeAll(async () => {
    store = await openTestStore('pglite');
    certDir = mkdtempSync(join(tmpdir(), 'onestop-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(certDir, 'key.pem'),
        '-out',
        join(certDir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(certDir, 'cert.pem'));
    broker = await startTestBroker(store, {
      registry,
      serviceCredentials: [{ username: 'dash', password: 'dash-pw', role: 'dashboard' }],
      rateLimit: { perSecond: 1, burst: 5 },
      loginLimits: {
        perUsernameAddress: 3,
        windowMs: 60_000,
        perUsername: 100,
        usernameWindowMs: 60_000,
        perAddress: 100,
      },
      tls: { port: 0, cert, key: readFileSync(join(certDir, 'key.pem')) },
      ws: { port: 0 },
    });
  });
  afterAll(async () => {
    await broker?.close();
    await store?.close();
    if (certDir) rmSync(certDir, { recursive: true, force: true });
  });

  const url = () => `mqtt://127.0.0.1:${broker.port}`;
  /** 0 when accepted, the CONNACK code when refused, -1 when the connection just closed. */
  const tryConnect = (u: string, username: string, password: string, clientId: string) =>
    new Promise<number>((resolve) => {
      const c = mqtt.connect(u, { clientId, username, password, reconnectPeriod: 0, connectTimeout: 2_000 });
      c.once('connect', () => c.end(true, () => resolve(0)));
      c.once('error', (e: Error & { code?: number }) =>
        c.end(true, () => resolve(typeof e.code === 'number' ? e.code : -1)),
      );
      c.once('close', () => c.end(true, () => resolve(-1)));
    });

  it('throttles repeated failed logins for a username, even with the right password afterwards', async () => {
    const d = await provision(store, unit, 'q01');
    for (let i = 0; i < 3; i++) expect(await tryConnect(url(), d.username, 'nope', d.deviceId)).toBe(4);
    expect(await tryConnect(url(), d.username, d.password, d.deviceId)).toBe(4);
    expect(await metricValue(registry, 'onestop_events_rejected_total', { reason: 'throttled' })).toBe(1);
  });

  it('rate-limits a flooding device without disconnecting it', async () => {
    const dev = await connectDevice(url(), await provision(store, unit, 'q02'));
    for (let i = 0; i < 10; i++) await dev.publishRating(ratingFor(dev.address.deviceId));
    await waitFor(
      async () =>
        (await metricValue(registry, 'onestop_events_rejected_total', { reason: 'rate_limited' })) >= 5,
    );
    expect(await metricValue(registry, 'onestop_events_rejected_total', { reason: 'rate_limited' })).toBe(5);
    expect(dev.client.connected).toBe(true);
    await dev.close();
  });

  it('publishes a device config retained, and clears it when the device is revoked', async () => {
    const d = await provision(store, unit, 'q03');
    await store.db.insert(schema.counterConfigs).values({
      unitId: d.unitId,
      counterId: d.counterId,
      version: 7,
      settings: { scale: 'keypad3', ratingTimeoutMs: 15_000 },
    });
    expect(await broker.publishDeviceConfig(d.deviceId)).toBe(true);
    const dev = await connectDevice(url(), d);
    let config: { version: number; settings: { scale: string; minPressIntervalMs: number } } | null = null;
    dev.client.on('message', (t, p) => {
      if (t === topicFor(dev.address, 'config')) config = JSON.parse(p.toString());
    });
    await dev.client.subscribeAsync(topicFor(dev.address, 'config'), { qos: 1 });
    await waitFor(() => config !== null);
    // Sparse on the wire (settingsOnWire): only what differs from the defaults, which the board
    // fills in itself.
    expect(config).toMatchObject({ version: 7, settings: { scale: 'keypad3', ratingTimeoutMs: 15_000 } });
    expect(config!.settings).not.toHaveProperty('minPressIntervalMs');
    await dev.close();

    await revokeDevice(store.db, d.deviceId, 'test');
    await broker.publishDeviceConfig(d.deviceId);
    // A service that reads configs sees nothing retained for the revoked device any more.
    const svc = await mqtt.connectAsync(url(), {
      clientId: `dash-${unit}`,
      username: 'dash',
      password: 'dash-pw',
      reconnectPeriod: 0,
    });
    const seen: Buffer[] = [];
    svc.on('message', (_t, p) => seen.push(p));
    await svc.subscribeAsync(topicFor(dev.address, 'config'), { qos: 1 });
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).toEqual([]);
    await svc.endAsync();
  });

  it('accepts devices over TLS and over WebSocket', async () => {
    const d1 = await provision(store, unit, 'q04');
    const tls = await mqtt.connectAsync(`mqtts://127.0.0.1:${broker.tlsPort}`, {
      clientId: d1.deviceId,
      username: d1.username,
      password: d1.password,
      ca: cert,
      reconnectPeriod: 0,
    });
    const d2 = await provision(store, unit, 'q05');
    const ws = await mqtt.connectAsync(`ws://127.0.0.1:${broker.wsPort}/mqtt`, {
      clientId: d2.deviceId,
      username: d2.username,
      password: d2.password,
      reconnectPeriod: 0,
    });
    const devs = [await wrapDevice(tls, d1), await wrapDevice(ws, d2)];
    for (const dev of devs) await dev.publishRating(ratingFor(dev.address.deviceId));
    await waitFor(() => broker.connectedDevices().length >= 2);
    expect(broker.connectedDevices()).toEqual(expect.arrayContaining([d1.deviceId, d2.deviceId]));
    // A plain-TCP client cannot talk to the TLS port.
    expect(
      await tryConnect(`mqtt://127.0.0.1:${broker.tlsPort}`, d1.username, d1.password, d1.deviceId),
    ).not.toBe(0);
    await Promise.all(devs.map((d) => d.close()));
  });
});
