import type { Duplex } from 'node:stream';
import { type BrokerHandle, serviceCredentials } from '@onestop/broker';
import { startTestBroker } from '@onestop/broker/testing';
import { duplexPair, type IngestHandle, startIngest } from '@onestop/ingest';
import { RECONNECT_BACKOFF } from '@onestop/protocol';
import {
  connectDevice,
  metricValue,
  provision,
  ratingFor,
  silentLogger,
  type TestDevice,
  uniqueUnit,
  waitFor,
  withOutage,
} from '@onestop/service/testing';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import { MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { serveMetrics } from '../metrics-server.js';
import { ingestHealthz } from './split.js';

interface Healthz {
  status: string;
  reason?: string;
  ingest: { connected: boolean; lagMs: number; link: { state: string; refusedCode?: number | null } };
}

/**
 * The brief's bad luck, with the real broker: someone guesses at the ingest's fixed account until
 * the broker throttles it, the ingest's connection drops meanwhile, the database goes away. The
 * ingest's `/healthz` says 503 and why through each, and 200 once it is over; nothing is lost.
 */
describe('onestop ingest /healthz', () => {
  let store: TestStore;
  let broker: BrokerHandle;
  let ingest: IngestHandle;
  let device: TestDevice;
  let metrics: Awaited<ReturnType<typeof serveMetrics>>;
  afterAll(async () => {
    await device?.close();
    await metrics?.close();
    await ingest?.close();
    await broker?.close();
    await store?.close();
  });

  it('answers 503 with the reason while refused, dropped or lagging, and 200 once recovered', async () => {
    store = await openTestStore('pglite');
    const registry = new Registry();
    const services = serviceCredentials({});
    const windowMs = 2_000;
    broker = await startTestBroker(store, {
      registry,
      serviceCredentials: services.all,
      loginLimits: {
        perUsernameAddress: 3,
        windowMs,
        perUsername: 100,
        usernameWindowMs: windowMs,
        perAddress: 100,
      },
    });
    const url = `mqtt://127.0.0.1:${broker.port}`;
    // Failed logins against the fixed service account from the ingest's own address (the
    // in-process link here; a misconfigured peer on the ingest's host in a split deployment): that
    // (account, address) pair is now refused (4) for a while. Failures from any other address
    // could not do this (see broker/src/broker/auth.test.ts).
    const guess = (i: number) =>
      new Promise<number | undefined>((resolve) => {
        const c = new MqttClient(
          () => {
            const [ours, theirs] = duplexPair();
            broker.handle(theirs);
            return ours;
          },
          {
            clientId: `guess-${i}`,
            username: services.ingest.username,
            password: 'guess',
            protocolVersion: 4,
            reconnectPeriod: 0,
          },
        );
        c.once('connect', () => {
          c.end(true);
          resolve(undefined);
        });
        c.once('error', (e: Error & { code?: number }) => {
          c.end(true);
          resolve(e.code);
        });
      });
    for (let i = 0; i < 3; i++) expect(await guess(i)).toBe(4);
    const throttledAt = Date.now();

    // In-process, as in `onestop serve`, with a hand on the current stream to cut it.
    const streams: Duplex[] = [];
    const outage = withOutage(store.db);
    ingest = await startIngest({
      store: { db: outage.db, kind: 'pglite' },
      inProcess: {
        handle: (s) => {
          streams.push(s);
          broker.handle(s);
        },
      },
      username: services.ingest.username,
      password: services.ingest.password,
      clientId: 'onestop-ingest-healthz',
      registry,
      logger: silentLogger,
      awaitBroker: false,
    });
    const maxLagMs = 300;
    metrics = await serveMetrics(registry, 0, '127.0.0.1', () => ingestHealthz(ingest, outage.db, maxLagMs));
    const healthz = async () => {
      const res = await fetch(`http://127.0.0.1:${metrics.port}/healthz`);
      return { code: res.status, body: (await res.json()) as Healthz };
    };

    await waitFor(() => ingest.health().link.state === 'reconnecting', 5_000, 'the refusal');
    const refused = await healthz();
    expect(refused.code).toBe(503);
    expect(refused.body.reason).toContain('bad user name or password');
    expect(refused.body.ingest).toMatchObject({
      connected: false,
      link: { state: 'reconnecting', refusedCode: 4 },
    });

    // Back once the throttle ends, at most one full backoff step later (the cap bounds any step).
    await waitFor(
      async () => (await healthz()).code === 200,
      windowMs + RECONNECT_BACKOFF.maxMs + 2_000,
      'the ingest to be let in again',
    );
    expect(Date.now() - throttledAt).toBeGreaterThanOrEqual(windowMs - 100);
    expect((await healthz()).body).toMatchObject({ status: 'ok', ingest: { connected: true, lagMs: 0 } });

    // One dropped connection: it comes back over a fresh in-process stream.
    const before = streams.length;
    streams.at(-1)?.destroy();
    await waitFor(() => streams.length > before && ingest.health().connected, 5_000, 'the reconnection');
    expect(
      await metricValue(registry, 'onestop_mqtt_reconnects_total', { client: 'ingest', reason: 'closed' }),
    ).toBe(1);
    expect((await healthz()).code).toBe(200);

    // The database goes away: what arrives waits, the lag grows past the limit, /healthz says so.
    const creds = await provision(store, uniqueUnit('hz'), 'q01');
    device = await connectDevice(url, creds);
    outage.state.down = true;
    const r = ratingFor(creds.deviceId);
    await device.publishRating(r);
    await waitFor(() => ingest.health().lagMs > maxLagMs, 5_000, 'lag');
    const lagging = await healthz();
    expect(lagging.code).toBe(503);
    expect(lagging.body.reason).toMatch(/ingest lagging.*database: /);
    outage.state.down = false;
    await device.waitAcked([r.eventId]);
    expect((await healthz()).code).toBe(200);
  });
});
