import type { BrokerHandle } from '@onestop/broker';
import { startTestBroker } from '@onestop/broker/testing';
import { type IngestHandle, startIngest } from '@onestop/ingest';
import { decodePayload, topicFor } from '@onestop/protocol';
import {
  connectDevice,
  provision,
  ratingFor,
  servicePassword,
  silentLogger,
  uniqueUnit,
  waitFor,
} from '@onestop/service/testing';
import {
  LISTEN_APPLICATION,
  openStore,
  requestCommand,
  revokeDevice,
  type Store,
  saveOfficer,
  schema,
  setDeviceConfig,
} from '@onestop/store';
import { openTestStore, STORE_BACKENDS, type TestStore } from '@onestop/store/testing';
import { inArray, sql } from 'drizzle-orm';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Resolves with how long `happened` took to become true, or rejects after `ms`. */
async function within(ms: number, happened: () => boolean, what: string): Promise<number> {
  const start = Date.now();
  await waitFor(happened, ms, what);
  return Date.now() - start;
}

/**
 * Changes made through ANOTHER database connection (on PostgreSQL a second `openStore`, as the
 * CLI or a dashboard process would) reach the broker as signals, with no polling anywhere.
 */
describe.each(STORE_BACKENDS)('signals from another connection on %s', (backend) => {
  let store: TestStore;
  let other: Store;
  let broker: BrokerHandle;
  let ingest: IngestHandle;
  const unit = uniqueUnit('sig');
  const ingestPassword = servicePassword();
  let url: string;

  beforeAll(async () => {
    store = await openTestStore(backend);
    // PGlite has one connection per data folder: there the "other" one is the same.
    other = store.url ? await openStore({ kind: 'postgres', url: store.url, poolSize: 2 }) : store;
    broker = await startTestBroker(store, {
      serviceCredentials: [{ username: 'ingest', password: ingestPassword, role: 'ingest' }],
      deviceStateFlushMs: 50,
    });
    url = `mqtt://127.0.0.1:${broker.port}`;
    ingest = await startIngest({
      store,
      mqttUrl: url,
      username: 'ingest',
      password: ingestPassword,
      clientId: `ingest-${unit}`,
      registry: new Registry(),
      logger: silentLogger,
    });
  });
  afterAll(async () => {
    await ingest?.close();
    await broker?.close();
    if (other && other !== store) await other.close();
    await store?.close();
  });

  const storedOf = async (ids: string[]) =>
    ids.length === 0
      ? []
      : (
          await store.db
            .select({ id: schema.events.eventId })
            .from(schema.events)
            .where(inArray(schema.events.eventId, ids))
        ).map((r) => r.id);

  it('disconnects a device revoked while it publishes within 1 s, and stores nothing it sends after', async () => {
    const creds = await provision(store, unit, 'q01');
    const dev = await connectDevice(url, creds);
    await waitFor(() => broker.connectedDevices().includes(creds.deviceId));
    let closed = false;
    dev.client.once('close', () => {
      closed = true;
    });
    // Publishes without waiting for anything and ignores the close, as a device that does not
    // know it was revoked would: what it sends from the commit onward (some of it while the
    // broker has not heard yet) must not be stored, by the broker's gate or else the ingest's.
    let revoked = false;
    const before: string[] = [];
    const after: string[] = [];
    const publishOne = () => {
      const r = ratingFor(creds.deviceId);
      (revoked ? after : before).push(r.eventId);
      dev.publishRating(r).catch(() => {});
    };
    let stopAt = Number.POSITIVE_INFINITY;
    const publishing = (async () => {
      while (Date.now() < stopAt) {
        publishOne();
        await new Promise((res) => setTimeout(res, 2));
      }
    })();
    await waitFor(() => before.length >= 5);
    await dev.waitAcked(before.slice(0, 5));
    await revokeDevice(other.db, creds.deviceId, 'test');
    revoked = true;
    // A burst in the very tick the commit is known, before any socket event can be handled.
    for (let i = 0; i < 10; i++) publishOne();
    await within(1_000, () => closed, 'the revoked device to be disconnected');
    stopAt = Date.now() + 100;
    await publishing;
    await ingest.flush();
    expect(await storedOf(before.slice(0, 5))).toHaveLength(5);
    expect(after.length).toBeGreaterThan(10);
    expect(await storedOf(after)).toEqual([]);
    // Nor may it come back.
    await expect(connectDevice(url, creds)).rejects.toThrow();
  });

  it('signals each batch the ingest stores, for live views', async () => {
    const creds = await provision(store, unit, 'q04');
    const dev = await connectDevice(url, creds);
    const heard: Array<{ unitIds: string[]; count: number }> = [];
    const stop = store.notifications.subscribe({
      on: { events_stored: (p) => void heard.push(p) },
      resync: () => {},
    });
    const r = ratingFor(creds.deviceId);
    await dev.publishRating(r);
    await dev.waitAcked([r.eventId]);
    await waitFor(() => heard.some((p) => p.unitIds.includes(unit)), 5_000, 'events_stored');
    stop();
    await dev.close();
  });

  it('sends a command queued through another connection to the device within 1 s', async () => {
    const creds = await provision(store, unit, 'q02');
    const dev = await connectDevice(url, creds);
    const got: string[] = [];
    dev.client.on('message', (topic, payload) => {
      if (topic !== topicFor(creds, 'cmd/restart')) return;
      const m = decodePayload('cmd/restart', payload);
      if (m.ok) got.push(m.value.cmdId);
    });
    await waitFor(() => broker.connectedDevices().includes(creds.deviceId));
    const cmd = await requestCommand(other.db, { deviceId: creds.deviceId, name: 'restart', actor: 't' });
    await within(1_000, () => got.includes(cmd.cmdId), 'the command');
    await dev.close();
  });

  it('publishes settings and roster changes stored through another connection within 1 s', async () => {
    const creds = await provision(store, unit, 'q03');
    const dev = await connectDevice(url, creds);
    const versions: number[] = [];
    const officers: string[][] = [];
    dev.client.on('message', (topic, payload) => {
      if (topic !== topicFor(creds, 'config') || payload.length === 0) return;
      const m = decodePayload('config', payload);
      if (!m.ok) return;
      versions.push(m.value.version);
      officers.push(Object.keys(m.value.settings.officers ?? {}));
    });
    await setDeviceConfig(other.db, { deviceId: creds.deviceId, settings: { scale: 'keypad5' }, actor: 't' });
    await within(1_000, () => versions.includes(1), 'config v1');
    // A roster change is unit-wide: one signal for the unit, the counter gets its new version.
    await saveOfficer(other.db, { unitId: unit, officerId: 'cb-sig', name: 'Lê Văn Tín', actor: 't' });
    await within(1_000, () => versions.includes(2), 'config v2 with the roster');
    expect(officers.at(-1)).toContain('cb-sig');
    await dev.close();
  });
});

describe.skipIf(!STORE_BACKENDS.includes('postgres'))('the broker losing its listening connection', () => {
  let store: TestStore;
  let other: Store;
  let broker: BrokerHandle;
  const unit = uniqueUnit('rsy');

  beforeAll(async () => {
    store = await openTestStore('postgres');
    other = await openStore({ kind: 'postgres', url: store.url!, poolSize: 2 });
    broker = await startTestBroker(store, {
      deviceStateFlushMs: 50,
    });
  });
  afterAll(async () => {
    await broker?.close();
    await other?.close();
    await store?.close();
  });

  it('misses nothing changed while it was down: it resyncs on reconnect', async () => {
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const a = await provision(store, unit, 'q01');
    const b = await provision(store, unit, 'q02');
    const devA = await connectDevice(url, a);
    const devB = await connectDevice(url, b);
    const commands: string[] = [];
    const configs: number[] = [];
    devA.client.on('message', (topic, payload) => {
      if (topic === topicFor(a, 'cmd/self-test')) {
        const m = decodePayload('cmd/self-test', payload);
        if (m.ok) commands.push(m.value.cmdId);
      } else if (topic === topicFor(a, 'config') && payload.length > 0) {
        const m = decodePayload('config', payload);
        if (m.ok) configs.push(m.value.version);
      }
    });
    let bClosed = false;
    devB.client.once('close', () => {
      bClosed = true;
    });
    await waitFor(() => broker.connectedDevices().length === 2);

    let lost = 0;
    let resyncs = 0;
    const stop = store.notifications.subscribe({
      on: { command_queued: () => {} },
      resync: () => {
        resyncs++;
      },
      onError: (e) => {
        if (/lost/.test(e.message)) lost++;
      },
    });
    await waitFor(() => resyncs === 1, 5_000, 'first resync');

    const killed = await other.db.execute(
      sql`select pg_terminate_backend(pid) from pg_stat_activity
          where application_name = ${LISTEN_APPLICATION} and datname = current_database()`,
    );
    expect((killed as unknown as { rows: unknown[] }).rows).toHaveLength(1);
    await waitFor(() => lost === 1, 5_000, 'the loss to be noticed');
    // Changed while nobody listens: their signals are lost for good.
    const cmd = await requestCommand(other.db, { deviceId: a.deviceId, name: 'self-test', actor: 't' });
    await setDeviceConfig(other.db, { deviceId: a.deviceId, settings: { scale: 'keypad3' }, actor: 't' });
    await revokeDevice(other.db, b.deviceId, 't');
    expect(resyncs).toBe(1);

    await waitFor(() => resyncs === 2, 10_000, 'the reconnect');
    await waitFor(() => commands.includes(cmd.cmdId), 5_000, 'the command queued while down');
    await waitFor(() => configs.includes(1), 5_000, 'the config stored while down');
    await waitFor(() => bClosed, 5_000, 'the device revoked while down to be dropped');
    stop();
    await devA.close();
  });
});
