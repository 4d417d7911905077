import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BrokerHandle } from '@onestop/broker';
import { startTestBroker } from '@onestop/broker/testing';
import {
  provision,
  ratingFor,
  SimDevice,
  servicePassword,
  uniqueUnit,
  waitFor,
} from '@onestop/service/testing';
import { schema } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import { countDistinct, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** 20,000 by default; ONESTOP_CRASH_EVENTS scales it for slow machines or a longer soak. */
const TOTAL = Number(process.env.ONESTOP_CRASH_EVENTS ?? 20_000);
const DEVICES = 8;
const CHILD = fileURLToPath(new URL('../../../ingest/src/testing/ingest-child.ts', import.meta.url));

/**
 * SIGKILL the ingest in the middle of a burst: the devices keep re-sending what is not
 * acknowledged, the replacement ingest receives it, and the database ends with every rating
 * exactly once. Needs PostgreSQL: two processes share the database.
 */
describe('ingest crash mid-burst', () => {
  let store: TestStore;
  let broker: BrokerHandle;
  const children = new Set<ChildProcess>();
  const devices: SimDevice[] = [];
  const unit = uniqueUnit('crash');
  const password = servicePassword();

  const spawnIngest = async () => {
    const child = fork(CHILD, [], {
      execArgv: ['--conditions=source', '--import', 'tsx'],
      env: {
        ...process.env,
        DATABASE_URL: store.url ?? '',
        MQTT_URL: `mqtt://127.0.0.1:${broker.port}`,
        MQTT_USERNAME: 'ingest',
        MQTT_PASSWORD: password,
        MQTT_CLIENT_ID: `ingest-${unit}`,
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(child);
    child.once('exit', () => children.delete(child));
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`ingest child exited with ${code}`)));
    });
    return child;
  };

  beforeAll(async () => {
    store = await openTestStore('postgres');
    broker = await startTestBroker(store, {
      serviceCredentials: [{ username: 'ingest', password, role: 'ingest' }],
      rateLimit: null,
    });
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await Promise.all(devices.map((d) => d.close()));
    await broker?.close();
    await store?.close();
  });

  it(`stores exactly ${TOTAL} ratings after a SIGKILL mid-burst`, { timeout: 90_000 }, async () => {
    let ingest = await spawnIngest();
    for (let i = 0; i < DEVICES; i++) {
      const creds = await provision(store, unit, `q${i}`);
      devices.push(
        new SimDevice({
          urls: [`mqtt://127.0.0.1:${broker.port}`],
          username: creds.username,
          password: creds.password,
          clientId: creds.deviceId,
          address: creds,
          resendMs: 4_000,
        }),
      );
    }
    await Promise.all(devices.map((d) => d.ready()));

    const acked = () => devices.reduce((n, d) => n + d.acked, 0);
    // Devices send in small slices so that the burst is still going when the ingest dies.
    let sent = 0;
    const pump = setInterval(() => {
      for (const d of devices) {
        for (let k = 0; k < 25 && sent < TOTAL; k++, sent++) d.send(ratingFor(d.opts.address.deviceId));
      }
      if (sent >= TOTAL) clearInterval(pump);
    }, 5);

    await waitFor(() => acked() >= TOTAL * 0.3, 30_000, 'a third acknowledged');
    ingest.kill('SIGKILL');
    await new Promise((r) => ingest.once('exit', r));
    const ackedAtKill = acked();
    ingest = await spawnIngest();
    await waitFor(() => sent >= TOTAL && acked() >= TOTAL, 60_000, 'every rating acknowledged');
    expect(ackedAtKill).toBeLessThan(TOTAL);

    const [row] = await store.db
      .select({ n: countDistinct(schema.ratings.eventId) })
      .from(schema.ratings)
      .where(eq(schema.ratings.unitId, unit));
    expect(row?.n).toBe(TOTAL);
    expect(await store.db.$count(schema.events, eq(schema.events.unitId, unit))).toBe(TOTAL);
    expect(devices.every((d) => d.outbox.size === 0)).toBe(true);
    const resent = devices.reduce((n, d) => n + d.resent, 0);
    console.info(
      `crash test: ${TOTAL} ratings, ${ackedAtKill} acked at SIGKILL, ${resent} re-sends, all stored once`,
    );
    ingest.kill('SIGTERM');
  });
});
