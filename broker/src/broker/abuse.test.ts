import { connect as netConnect, type Socket } from 'node:net';
import { topicFor } from '@onestop/protocol';
import { metricValue, provision, ratingFor, uniqueUnit, waitFor, wrapDevice } from '@onestop/service/testing';
import type { ProvisionedDevice } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import mqtt, { type MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker } from '../testing/test-broker.js';
import type { BrokerHandle } from './start-broker.js';

/** MQTT's variable byte integer (3.1.1 §2.2.3), for hand-made fixed headers. */
function vbi(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}

const REJECTED = 'onestop_events_rejected_total';

/**
 * Attacks on the broker's door with real sockets: oversized packets, connection floods, reconnect
 * churn, login guessing. Loopback addresses 127.0.0.x stand for different source addresses.
 */
describe('broker under attack', () => {
  let store: TestStore;
  let broker: BrokerHandle;
  let churnBroker: BrokerHandle;
  const registry = new Registry();
  const churnRegistry = new Registry();
  const unit = uniqueUnit('abuse');
  let counter = 0;
  const nextCounter = () => `q${String(++counter).padStart(2, '0')}`;

  beforeAll(async () => {
    store = await openTestStore('pglite');
    broker = await startTestBroker(store, {
      registry,
      loginLimits: {
        perUsernameAddress: 3,
        windowMs: 60_000,
        perUsername: 6,
        usernameWindowMs: 60_000,
        perAddress: 5,
        // Loopback addresses stand for remote ones here.
        loopbackExempt: false,
      },
      // Loopback addresses stand for remote ones here, so they get no exemption.
      connectionLimits: { total: 1_000, perAddress: 8, loopbackExempt: false },
      flapping: {
        perDevice: { maxConnects: 5, windowMs: 60_000, banMs: 60_000 },
        perAddress: { maxConnects: 30, windowMs: 60_000, banMs: 60_000 },
      },
      publishConfigsOnStart: false,
    });
    churnBroker = await startTestBroker(store, {
      registry: churnRegistry,
      rateLimit: { perSecond: 1, burst: 5 },
      flapping: null,
      publishConfigsOnStart: false,
    });
  });
  afterAll(async () => {
    await broker?.close();
    await churnBroker?.close();
    await store?.close();
  });

  const rawSocket = (from: string, port = broker.port) =>
    new Promise<Socket>((resolve, reject) => {
      const s = netConnect({ port, host: '127.0.0.1', localAddress: from }, () => resolve(s));
      s.once('error', reject);
    });
  /** True once the broker has closed the socket, false if it is still open after `ms`. */
  const closedWithin = (s: Socket, ms = 5_000) =>
    new Promise<boolean>((resolve) => {
      if (s.closed) return resolve(true);
      s.on('error', () => {});
      const t = setTimeout(() => resolve(false), ms);
      s.once('close', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
  /** An MQTT client dialling from a given loopback address, over a socket the test can reach. */
  const client = (
    from: string,
    creds: { clientId: string; username: string; password: string },
    port = broker.port,
  ) => {
    let socket: Socket | null = null;
    const c = new mqtt.MqttClient(
      () => {
        socket = netConnect({ port, host: '127.0.0.1', localAddress: from });
        return socket;
      },
      { ...creds, protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5_000, clean: true },
    );
    return { c, socket: () => socket as Socket | null };
  };
  /** 0 when accepted, the CONNACK code when refused, -1 when the connection just closed. */
  const tryConnect = (from: string, d: ProvisionedDevice, password = d.password) =>
    new Promise<number>((resolve) => {
      const { c } = client(from, { clientId: d.deviceId, username: d.username, password });
      // The first event decides; ending the client fires `close` afterwards.
      const settle = (code: number) => {
        resolve(code);
        c.end(true);
      };
      c.once('connect', () => settle(0));
      c.once('error', (e: Error & { code?: number }) => settle(typeof e.code === 'number' ? e.code : -1));
      c.once('close', () => settle(-1));
    });
  const connected = (from: string, d: ProvisionedDevice, port = broker.port) =>
    new Promise<{ c: MqttClient; socket: Socket }>((resolve, reject) => {
      const { c, socket } = client(
        from,
        { clientId: d.deviceId, username: d.username, password: d.password },
        port,
      );
      c.once('connect', () => resolve({ c, socket: socket() as Socket }));
      c.once('error', reject);
    });

  it('cuts off CONNECTs declaring 250 MB after their header, before buffering any body', async () => {
    const before = await metricValue(registry, REJECTED, { reason: 'oversized' });
    global.gc?.();
    const mem0 = process.memoryUsage();
    const header = Buffer.concat([Buffer.from([0x10]), vbi(250 * 1024 * 1024)]);
    const body = Buffer.alloc(4 * 1024 * 1024, 0x61);
    const sockets = await Promise.all([1, 2, 3, 4].map(() => rawSocket('127.0.0.1')));
    // Header and a few MB of body at once: the broker must not wait for (or keep) the body.
    for (const s of sockets) {
      s.on('error', () => {});
      s.write(header);
      s.write(body);
    }
    expect(await Promise.all(sockets.map((s) => closedWithin(s)))).toEqual([true, true, true, true]);
    expect(await metricValue(registry, REJECTED, { reason: 'oversized' })).toBe(before + 4);
    global.gc?.();
    const mem1 = process.memoryUsage();
    expect(mem1.rss - mem0.rss).toBeLessThan(50 * 1024 * 1024);
    expect(mem1.arrayBuffers - mem0.arrayBuffers).toBeLessThan(50 * 1024 * 1024);
  });

  it('cuts off a declared-oversized CONNECT with nothing but its header sent', async () => {
    const s = await rawSocket('127.0.0.1');
    // 9 KiB: over the pre-authentication limit, far under anything aedes would refuse itself.
    s.write(Buffer.concat([Buffer.from([0x10]), vbi(9 * 1024)]));
    expect(await closedWithin(s)).toBe(true);
  });

  it('cuts off an authenticated device’s 16 MB publish early, and lets normal sizes through', async () => {
    const d = await provision(store, unit, nextCounter());
    const { c, socket } = await connected('127.0.0.1', d);
    const dev = await wrapDevice(c, d);
    // 15 KB is over the pre-authentication limit: it passes only because the limit was lifted.
    // The door refuses it as a bad rating, and the device stays connected.
    const malformed = await metricValue(registry, REJECTED, { reason: 'malformed' });
    await c.publishAsync(topicFor(dev.address, 'evt/rating'), Buffer.alloc(15_000, 0x20), { qos: 1 });
    expect(await metricValue(registry, REJECTED, { reason: 'malformed' })).toBe(malformed + 1);
    expect(c.connected).toBe(true);

    const before = await metricValue(registry, REJECTED, { reason: 'oversized' });
    socket.on('error', () => {});
    socket.write(Buffer.concat([Buffer.from([0x30]), vbi(16 * 1024 * 1024), Buffer.alloc(64 * 1024)]));
    expect(await closedWithin(socket)).toBe(true);
    expect(await metricValue(registry, REJECTED, { reason: 'oversized' })).toBe(before + 1);
    c.end(true);
  });

  it('refuses connections over the per-address limit, and admits them again once others close', async () => {
    const from = '127.0.0.30';
    const before = await metricValue(registry, REJECTED, { reason: 'connection_limit' });
    const open = await Promise.all(Array.from({ length: 8 }, () => rawSocket(from)));
    const ninth = await rawSocket(from);
    expect(await closedWithin(ninth)).toBe(true);
    expect(await metricValue(registry, REJECTED, { reason: 'connection_limit' })).toBe(before + 1);
    // Another address is not affected.
    const d = await provision(store, unit, nextCounter());
    expect(await tryConnect('127.0.0.31', d)).toBe(0);
    const live = await metricValue(registry, 'onestop_broker_connections');
    for (const s of open) s.destroy();
    await waitFor(async () => (await metricValue(registry, 'onestop_broker_connections')) <= live - 8);
    expect(await tryConnect(from, d)).toBe(0);
  });

  it('bans an address that keeps opening connections, for a while', async () => {
    const from = '127.0.0.40';
    const before = await metricValue(registry, REJECTED, { reason: 'flapping' });
    for (let i = 0; i < 30; i++) (await rawSocket(from)).destroy();
    const banned = await rawSocket(from);
    expect(await closedWithin(banned)).toBe(true);
    expect(await metricValue(registry, REJECTED, { reason: 'flapping' })).toBe(before + 1);
    const d = await provision(store, unit, nextCounter());
    expect(await tryConnect('127.0.0.41', d)).toBe(0);
  });

  it('bans a device that keeps reconnecting, refusing it before its password is checked', async () => {
    const d = await provision(store, unit, nextCounter());
    const other = await provision(store, unit, nextCounter());
    for (let i = 0; i < 5; i++) expect(await tryConnect('127.0.0.20', d)).toBe(0);
    expect(await tryConnect('127.0.0.20', d)).toBe(3);
    // A wrong password gets the same quick refusal: nothing is checked while banned.
    expect(await tryConnect('127.0.0.21', d, 'wrong')).toBe(3);
    expect(await metricValue(registry, REJECTED, { reason: 'flapping' })).toBeGreaterThanOrEqual(2);
    expect(await tryConnect('127.0.0.20', other)).toBe(0);
  });

  it('keeps a device that reconnects every 100 ms within its budget', async () => {
    const d = await provision(store, unit, nextCounter());
    const accepted = () =>
      metricValue(churnRegistry, 'onestop_broker_accepted_total', { channel: 'evt/rating' });
    const before = await accepted();
    const started = Date.now();
    let sent = 0;
    for (let i = 0; i < 15; i++) {
      const { c } = await connected('127.0.0.1', d, churnBroker.port);
      const dev = await wrapDevice(c, d);
      for (let j = 0; j < 3; j++) {
        await dev.publishRating(ratingFor(d.deviceId));
        sent++;
      }
      await dev.close();
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = (Date.now() - started) / 1000;
    const got = (await accepted()) - before;
    // Burst 5 plus 1 a second, however often it reconnected (a fresh budget per connection let
    // 5 through on every one of them: 45 here).
    expect(sent).toBe(45);
    expect(got).toBeGreaterThanOrEqual(5);
    expect(got).toBeLessThanOrEqual(5 + Math.ceil(seconds) + 1);
  });

  it('throttles guessing per (username, address): other addresses and other devices still get in', async () => {
    const x = await provision(store, unit, nextCounter());
    const y = await provision(store, unit, nextCounter());
    for (let i = 0; i < 3; i++) expect(await tryConnect('127.0.0.2', x, 'wrong')).toBe(4);
    // The guesser's address is throttled for X, even with the right password...
    expect(await tryConnect('127.0.0.2', x)).toBe(4);
    // ...but device Y behind the same address, and X from elsewhere, are not.
    expect(await tryConnect('127.0.0.2', y)).toBe(0);
    expect(await tryConnect('127.0.0.3', x)).toBe(0);
    // Guessing spread over addresses reaches the global per-username limit (6 here): X has no
    // new scrypt any more, yet its right password, verified before, still lets it in anywhere.
    for (const from of ['127.0.0.4', '127.0.0.5'])
      for (let i = 0; i < 3; i++) expect(await tryConnect(from, x, 'wrong')).toBe(4);
    expect(await tryConnect('127.0.0.6', x)).toBe(0);
    expect(await tryConnect('127.0.0.6', y)).toBe(0);
  });

  it('stops hashing unknown usernames for an address that fails too often, not its devices', async () => {
    const known = await provision(store, unit, nextCounter());
    const unseen = await provision(store, unit, nextCounter());
    expect(await tryConnect('127.0.0.1', known)).toBe(0);
    for (let i = 0; i < 5; i++)
      expect(await tryConnect('127.0.0.9', { ...unseen, username: `nobody-${i}` }, 'wrong')).toBe(4);
    // Verified before by this broker: no scrypt needed, so it passes.
    expect(await tryConnect('127.0.0.9', known)).toBe(0);
    // A real device with a clean record behind the address is still hashed (out of the global
    // budget): a stranger's failures against other usernames do not lock it out.
    expect(await tryConnect('127.0.0.9', unseen)).toBe(0);
  });
});
