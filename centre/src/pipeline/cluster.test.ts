import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type BrokerHandle, redisCluster, startBroker } from '@onestop/broker';
import { type IngestHandle, startIngest } from '@onestop/ingest';
import {
  provision,
  ratingFor,
  SimDevice,
  servicePassword,
  silentLogger,
  uniqueUnit,
  waitFor,
} from '@onestop/service/testing';
import { schema } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CHILD = fileURLToPath(new URL('../../../broker/src/testing/broker-child.ts', import.meta.url));
const TOTAL = 2_000;

/**
 * Two broker nodes sharing Redis. Node A runs in a child process so it can be SIGKILLed; node B
 * (and the ingest, connected to B) run here. Devices start on A, fail over to B, and lose nothing.
 */
describe('two-node cluster through Redis', () => {
  let store: TestStore;
  let b: BrokerHandle;
  let ingest: IngestHandle;
  let a: ChildProcess | null = null;
  const devices: SimDevice[] = [];
  const unit = uniqueUnit('clu');
  const prefix = `onestop-test:${unit}:`;
  const password = servicePassword();

  beforeAll(async () => {
    store = await openTestStore('postgres');
    b = await startBroker({
      store,
      mqttPort: 0,
      host: '127.0.0.1',
      registry: new Registry(),
      logger: silentLogger,
      serviceCredentials: [{ username: 'ingest', password, role: 'ingest' }],
      rateLimit: null,
      cluster: redisCluster({ url: REDIS_URL, prefix }),
    });
    ingest = await startIngest({
      store,
      mqttUrl: `mqtt://127.0.0.1:${b.port}`,
      username: 'ingest',
      password,
      clientId: `ingest-${unit}`,
      registry: new Registry(),
      logger: silentLogger,
    });
  });
  afterAll(async () => {
    a?.kill('SIGKILL');
    await Promise.all(devices.map((d) => d.close()));
    await ingest?.close();
    await b?.close();
    await store?.close();
    // Leave nothing of this run in the shared Redis.
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('delivers from a device on node A to the ingest on node B, and survives the loss of A', {
    timeout: 60_000,
  }, async () => {
    const child = fork(CHILD, [], {
      execArgv: ['--conditions=source', '--import', 'tsx'],
      env: {
        ...process.env,
        DATABASE_URL: store.url ?? '',
        REDIS_URL,
        REDIS_PREFIX: prefix,
        SERVICE_PASSWORD: password,
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    a = child;
    const portA = await new Promise<number>((resolve, reject) => {
      child.once('message', (m) => resolve((m as { port: number }).port));
      child.once('exit', (code) => reject(new Error(`node A exited with ${code}`)));
    });
    for (let i = 0; i < 4; i++) {
      const creds = await provision(store, unit, `q${i}`);
      devices.push(
        new SimDevice({
          urls: [`mqtt://127.0.0.1:${portA}`, `mqtt://127.0.0.1:${b.port}`],
          username: creds.username,
          password: creds.password,
          clientId: creds.deviceId,
          address: creds,
          resendMs: 2_000,
        }),
      );
    }
    await Promise.all(devices.map((d) => d.ready()));
    expect(b.connectedDevices()).toEqual([]);

    const acked = () => devices.reduce((n, d) => n + d.acked, 0);
    const half = TOTAL / 2 / devices.length;
    for (const d of devices) for (let k = 0; k < half; k++) d.send(ratingFor(d.opts.address.deviceId));
    // Acks for events sent through A come back from the ingest on B: the nodes talk.
    await waitFor(() => acked() >= TOTAL / 4, 20_000, 'acks across nodes');

    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    a = null;
    for (const d of devices) for (let k = 0; k < half; k++) d.send(ratingFor(d.opts.address.deviceId));
    await waitFor(() => b.connectedDevices().length === devices.length, 20_000, 'devices on node B');
    await waitFor(() => acked() >= TOTAL, 30_000, 'every rating acknowledged');

    expect(await store.db.$count(schema.ratings, eq(schema.ratings.unitId, unit))).toBe(TOTAL);
    expect(devices.every((d) => d.outbox.size === 0)).toBe(true);
  });
});
