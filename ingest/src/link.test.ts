import { createServer, type Server } from 'node:net';
import type { Duplex } from 'node:stream';
import { SERVICE_BACKOFF } from '@onestop/protocol';
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
import { schema } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import { Aedes, type AuthenticateError } from 'aedes';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { judgeIngest } from './health.js';
import { type IngestHandle, startIngest } from './start-ingest.js';

const INGEST = 'ingest-svc';

/** The longest the service policy may wait before retry `n` (0-based); jitter only shortens it. */
const longest = (n: number) =>
  Math.min(SERVICE_BACKOFF.maxMs, SERVICE_BACKOFF.initialMs * SERVICE_BACKOFF.factor ** n);
const shortest = (n: number) => longest(n) * (1 - SERVICE_BACKOFF.jitter);
const sum = (n: number, f: (i: number) => number) =>
  Array.from({ length: n }, (_, i) => f(i)).reduce((a, b) => a + b, 0);

/**
 * A real aedes broker whose `authenticate` refuses the ingest's account with the CONNACK codes
 * scripted in `refusals` (one per try) and accepts everyone else.
 */
async function scriptedBroker(refusals: number[]) {
  /** Whether each CONNECT of the ingest asked for a clean session. */
  const ingestClean: boolean[] = [];
  const aedes = await Aedes.createBroker({
    authenticate: (client, username, _password, done) => {
      if (username === INGEST) ingestClean.push(client.clean);
      const code = username === INGEST ? refusals.shift() : undefined;
      if (code === undefined) return done(null, true);
      done(
        Object.assign(new Error(`scripted refusal ${code}`), { returnCode: code }) as AuthenticateError,
        false,
      );
    },
  });
  const server: Server = createServer((socket) => aedes.handle(socket));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  let closed: Promise<void> | null = null;
  return {
    aedes,
    ingestClean,
    url: `mqtt://127.0.0.1:${port}`,
    /** Once, with clients still connected or not (a broker that dies under them). */
    close() {
      closed ??= Promise.all([
        new Promise<void>((r) => server.close(() => r())),
        new Promise<void>((r) => aedes.close(() => r())),
      ]).then(() => {});
      return closed;
    },
  };
}

describe('the ingest never gives up on its broker', () => {
  let store: TestStore;
  let broker: Awaited<ReturnType<typeof scriptedBroker>>;
  let ingest: IngestHandle | undefined;
  let device: TestDevice | undefined;
  const unit = uniqueUnit('link');

  // One database for the three (opening PGlite is the slow part); each test has its own counter.
  beforeAll(async () => {
    store = await openTestStore('pglite');
  });
  afterAll(() => store?.close());
  afterEach(async () => {
    await device?.close();
    await ingest?.close();
    await broker?.close();
    device = undefined;
    ingest = undefined;
  });

  it('comes back after refusals 3, 4 and 5 within the backoff bound, says why meanwhile, then stores and acks', async () => {
    const refusals = [3, 4, 5];
    broker = await scriptedBroker([...refusals]);
    const registry = new Registry();
    const lines: Array<{ level: number; msg: string; tries?: number }> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const started = Date.now();
    ingest = await startIngest({
      store,
      mqttUrl: broker.url,
      username: INGEST,
      password: 'pw',
      clientId: `ingest-${unit}`,
      registry,
      logger,
      awaitBroker: false,
    });
    const h = ingest;
    // While refused: not connected, and the reason is the broker's.
    await waitFor(() => h.health().link.state === 'reconnecting', 5_000, 'the first refusal');
    const refused = judgeIngest(h.health());
    expect(refused.ok).toBe(false);
    expect(refused.reason).toContain('server unavailable');
    expect(h.health()).toMatchObject({ connected: false, link: { refusedCode: 3 } });

    // Three retries, each at most `longest(n)` after the refusal; the handshakes get a margin.
    const handshakes = 3_000;
    await waitFor(() => h.health().connected, sum(3, longest) + handshakes, 'the ingest to connect');
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(sum(3, shortest));
    expect(took).toBeLessThan(sum(3, longest) + handshakes);
    expect(judgeIngest(h.health())).toMatchObject({ ok: true });
    for (const reason of ['server_unavailable', 'bad_user_name_or_password', 'not_authorized'])
      expect(await metricValue(registry, 'onestop_mqtt_reconnects_total', { client: 'ingest', reason })).toBe(
        1,
      );
    expect(await metricValue(registry, 'onestop_ingest_connected')).toBe(1);
    // Three refusals, one line when the outage began and one when it ended; not one per retry.
    const outage = lines.filter((l) => /broker link|reconnected/.test(l.msg));
    expect(outage.map((l) => l.msg)).toEqual([
      'ingest: no broker link; retrying until it is back',
      'ingest: reconnected',
    ]);
    expect(outage[1]?.tries).toBe(3);

    const creds = await provision(store, unit, 'q01');
    device = await connectDevice(broker.url, creds);
    const r = ratingFor(creds.deviceId);
    await device.publishRating(r);
    await device.waitAcked([r.eventId]);
    const rows = await store.db.select().from(schema.ratings).where(eq(schema.ratings.eventId, r.eventId));
    expect(rows).toHaveLength(1);
    expect(h.health()).toMatchObject({ pending: 0, lagMs: 0, commitFailures: 0 });
    expect(h.health().lastCommitAt).toBeGreaterThanOrEqual(started);
  });

  it('reconnects over a fresh in-process stream after its connection is dropped and refused', async () => {
    const refusals: number[] = [];
    broker = await scriptedBroker(refusals);
    const registry = new Registry();
    const streams: Duplex[] = [];
    const aedes = broker.aedes;
    ingest = await startIngest({
      store,
      inProcess: {
        handle: (s) => {
          streams.push(s);
          aedes.handle(s);
        },
      },
      username: INGEST,
      password: 'pw',
      clientId: `ingest-${unit}`,
      registry,
      logger: silentLogger,
    });
    const h = ingest;
    expect(h.health().connected).toBe(true);
    // The connection drops (as with a restarting broker) and the first try back is refused.
    refusals.push(3);
    streams.at(-1)?.destroy();
    await waitFor(() => !h.health().connected, 2_000, 'the drop to be seen');
    await waitFor(() => h.health().connected, sum(2, longest) + 2_000, 'the ingest to come back');
    // Each try had a stream of its own: the first, the refused one, the one that got in.
    expect(streams).toHaveLength(3);
    expect(
      await metricValue(registry, 'onestop_mqtt_reconnects_total', { reason: 'server_unavailable' }),
    ).toBe(1);

    const creds = await provision(store, unit, 'q02');
    device = await connectDevice(broker.url, creds);
    const r = ratingFor(creds.deviceId);
    await device.publishRating(r);
    await device.waitAcked([r.eventId]);
  });

  it('moves to the next broker of its list at its first retry when its broker dies', async () => {
    broker = await scriptedBroker([]);
    const second = await scriptedBroker([]);
    try {
      const registry = new Registry();
      ingest = await startIngest({
        store,
        mqttUrl: `${broker.url}, ${second.url}`,
        username: INGEST,
        password: 'pw',
        clientId: `ingest-list-${unit}`,
        registry,
        logger: silentLogger,
      });
      const h = ingest;
      expect(broker.ingestClean).toEqual([true]);
      expect(second.ingestClean).toEqual([]);
      const died = Date.now();
      await broker.close();
      await waitFor(() => second.ingestClean.length > 0 && h.health().connected, 5_000, 'the second broker');
      // The first retry, not a wait for the dead one: within its first delay and a handshake.
      expect(Date.now() - died).toBeLessThan(longest(0) + 1_500);
      expect(second.ingestClean).toEqual([true]);

      const creds = await provision(store, unit, 'q04');
      device = await connectDevice(second.url, creds);
      const r = ratingFor(creds.deviceId);
      await device.publishRating(r);
      await device.waitAcked([r.eventId]);
    } finally {
      await ingest?.close();
      ingest = undefined;
      await second.close();
    }
  });

  it('logs a flapping link once a minute, not at every flap (two ingests sharing one client ID)', async () => {
    broker = await scriptedBroker([]);
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line).msg) });
    const registry = new Registry();
    const twin = () =>
      startIngest({
        store,
        mqttUrl: broker.url,
        username: INGEST,
        password: 'pw',
        clientId: `ingest-twin-${unit}`,
        registry,
        logger,
        awaitBroker: false,
      });
    ingest = await twin();
    const other = await twin();
    try {
      // Each takes the session from the other at every connect: many drops within a few seconds.
      await waitFor(
        async () => (await metricValue(registry, 'onestop_mqtt_reconnects_total', { reason: 'closed' })) >= 6,
        15_000,
        'the twins to flap',
      );
      // One outage line per ingest for the whole minute, whatever the number of flaps.
      expect(lines.filter((m) => m.includes('broker link')).length).toBeLessThanOrEqual(2);
      expect(lines.filter((m) => m.includes('reconnected')).length).toBeLessThanOrEqual(2);
    } finally {
      await other.close();
    }
  });

  it('reports growing lag while commits fail, and catches up once the database is back', async () => {
    broker = await scriptedBroker([]);
    const registry = new Registry();
    const outage = withOutage(store.db);
    ingest = await startIngest({
      store: { db: outage.db, kind: 'pglite' },
      mqttUrl: broker.url,
      username: INGEST,
      password: 'pw',
      clientId: `ingest-${unit}`,
      registry,
      logger: silentLogger,
    });
    const h = ingest;
    const creds = await provision(store, unit, 'q03');
    device = await connectDevice(broker.url, creds);
    outage.state.down = true;
    const r = ratingFor(creds.deviceId);
    await device.publishRating(r);
    const maxLagMs = 300;
    await waitFor(() => h.health().commitFailures >= 2, 5_000, 'failed commits');
    await waitFor(() => h.health().lagMs > maxLagMs, 5_000, 'the lag to pass the limit');
    const verdict = judgeIngest(h.health(), maxLagMs);
    expect(verdict.ok).toBe(false);
    expect(verdict.reason).toMatch(/lagging.*commits failed in a row/);
    expect(h.health()).toMatchObject({ connected: true, pending: 1, lastCommitAt: null });
    expect(await metricValue(registry, 'onestop_ingest_lag_seconds')).toBeGreaterThan(0);
    expect(device.acked.has(r.eventId)).toBe(false);

    outage.state.down = false;
    await device.waitAcked([r.eventId]);
    expect(judgeIngest(h.health(), maxLagMs)).toMatchObject({ ok: true });
    expect(h.health()).toMatchObject({ pending: 0, lagMs: 0, commitFailures: 0 });
  });
});
