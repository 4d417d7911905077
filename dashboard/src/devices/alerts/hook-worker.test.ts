import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import { applyAlertChanges, provisionDevice, setUnitAlertHook, unitAlertHookList } from '@onestop/store';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertHookWorker } from './hook-worker.js';

/** A unit's webhook receiver: answers each POST with the next status of `answers`, then 200. */
class Receiver {
  readonly bodies: unknown[] = [];
  private readonly waiters: Array<{ n: number; resolve: () => void }> = [];
  server!: Server;
  constructor(private readonly answers: number[]) {}
  async start(): Promise<string> {
    this.server = createServer(async (req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      this.bodies.push({
        status: this.answers[0] ?? 200,
        body: JSON.parse(Buffer.concat(chunks).toString()),
      });
      res.statusCode = this.answers.shift() ?? 200;
      res.end();
      for (const w of this.waiters.filter((w) => this.bodies.length >= w.n)) w.resolve();
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }
  received(n: number): Promise<void> {
    if (this.bodies.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }
}

/**
 * A receiver that answers with a status line and then one header byte every 50 ms, for ever:
 * never idle, never done. `connected` resolves on the first connection.
 */
class TricklingReceiver {
  readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly server = createTcpServer((socket) => {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 OK\r\nX-Slow: ');
      const t = setInterval(() => socket.writable && socket.write('a'), 50);
      this.timers.add(t);
      socket.on('close', () => clearInterval(t));
      this.onConnect();
    });
  });
  private onConnect: () => void = () => {};
  readonly connected = new Promise<void>((r) => {
    this.onConnect = r;
  });
  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }
  close(): void {
    for (const t of this.timers) clearInterval(t);
    for (const s of this.sockets) s.destroy();
    this.server.close();
  }
}

describe('alert hooks against a real HTTP server', () => {
  let store: TestStore;
  let device = '';
  const logger = pino({ level: 'silent' });
  beforeAll(async () => {
    store = await openTestStore('pglite');
    device = (await provisionDevice(store.db, { unitId: 'trung-van', counterId: 'q01', actor: 't' }))
      .deviceId;
  });
  afterAll(async () => {
    await store?.close();
  });

  it('POSTs the alert on open and clear, retrying failures with backoff and counting them', async () => {
    const receiver = new Receiver([500, 503]);
    const url = await receiver.start();
    await setUnitAlertHook(store.db, { unitId: 'trung-van', url, actor: 't', allowInternal: true });
    const registry = new Registry();
    const worker = new AlertHookWorker({
      ...store,
      logger,
      registry,
      allowInternal: true,
      backoff: { initialMs: 1, maxMs: 5, factor: 1, jitter: 0 },
    });
    worker.start();
    try {
      await applyAlertChanges(store.db, [
        { deviceId: device, kind: 'camera_error', message: 'camera: gone' },
      ]);
      await receiver.received(3);
      await applyAlertChanges(store.db, [{ deviceId: device, kind: 'camera_error', message: null }]);
      await receiver.received(4);
    } finally {
      await worker.stop();
      receiver.server.close();
    }
    expect(receiver.bodies.map((b) => (b as { status: number }).status)).toEqual([500, 503, 200, 200]);
    const events = receiver.bodies.map((b) => (b as { body: { event: string } }).body.event);
    expect(events).toEqual(['opened', 'opened', 'opened', 'cleared']);
    expect((receiver.bodies[3] as { body: unknown }).body).toMatchObject({
      event: 'cleared',
      alert: { unitId: 'trung-van', deviceId: device, kind: 'camera_error', message: 'camera: gone' },
    });
    const [hook] = await unitAlertHookList(store.db, 'trung-van');
    expect(hook).toMatchObject({ delivered: 2, failures: 2, lastError: 'HTTP 503' });
    const metric = await registry.getSingleMetricAsString('onestop_alert_hook_deliveries_total');
    expect(metric).toContain('outcome="failed"} 2');
    expect(metric).toContain('outcome="delivered"} 2');
  });

  it('refuses to call the centre’s own loopback unless the setting allows it, and gives up', async () => {
    const receiver = new Receiver([]);
    const url = await receiver.start();
    // Set while allowed (an operator's relay), then the worker runs without the allowance.
    await setUnitAlertHook(store.db, { unitId: 'trung-van', url, actor: 't', allowInternal: true });
    const before = (await unitAlertHookList(store.db, 'trung-van'))[0]!.failures;
    const worker = new AlertHookWorker({
      ...store,
      logger,
      maxAttempts: 2,
      backoff: { initialMs: 1, maxMs: 1, factor: 1, jitter: 0 },
    });
    try {
      await applyAlertChanges(store.db, [{ deviceId: device, kind: 'overheating', message: 'CPU 80 °C' }]);
      // Two attempts, both refused before any connection, then given up.
      for (let i = 0; i < 10; i++) {
        await worker.wake();
        await worker.settled();
        if ((await unitAlertHookList(store.db, 'trung-van'))[0]!.failures >= before + 2) break;
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      await worker.stop();
      receiver.server.close();
    }
    const [hook] = await unitAlertHookList(store.db, 'trung-van');
    expect(hook!.failures).toBe(before + 2);
    expect(hook!.lastError).toMatch(/centre itself/);
    expect(receiver.bodies).toEqual([]);
  });

  it('gives up an attempt at its hard deadline even while the receiver keeps trickling', async () => {
    const slow = new TricklingReceiver();
    const url = await slow.start();
    const { deviceId } = await provisionDevice(store.db, { unitId: 'u-slow', counterId: 'q01', actor: 't' });
    await setUnitAlertHook(store.db, { unitId: 'u-slow', url, actor: 't', allowInternal: true });
    const worker = new AlertHookWorker({
      ...store,
      logger,
      allowInternal: true,
      maxAttempts: 1,
      timeoutMs: 300,
    });
    try {
      await applyAlertChanges(store.db, [{ deviceId, kind: 'camera_error', message: 'camera: gone' }]);
      await worker.wake();
      await worker.settled();
    } finally {
      await worker.stop();
      slow.close();
    }
    const [hook] = await unitAlertHookList(store.db, 'u-slow');
    expect(hook).toMatchObject({ delivered: 0, failures: 1, lastError: 'no complete answer in 300 ms' });
  });

  it('delivers a later alert while an earlier delivery is still stalled', async () => {
    const slow = new TricklingReceiver();
    const fast = new Receiver([]);
    const [slowUrl, fastUrl] = [await slow.start(), await fast.start()];
    const a = await provisionDevice(store.db, { unitId: 'u-stall', counterId: 'q01', actor: 't' });
    const b = await provisionDevice(store.db, { unitId: 'u-quick', counterId: 'q01', actor: 't' });
    await setUnitAlertHook(store.db, { unitId: 'u-stall', url: slowUrl, actor: 't', allowInternal: true });
    await setUnitAlertHook(store.db, { unitId: 'u-quick', url: fastUrl, actor: 't', allowInternal: true });
    // The default deadline (5 s) is far longer than this test: the stall lasts until we close it.
    const worker = new AlertHookWorker({ ...store, logger, allowInternal: true });
    worker.start();
    try {
      await applyAlertChanges(store.db, [{ deviceId: a.deviceId, kind: 'camera_error', message: 'x' }]);
      await slow.connected;
      await applyAlertChanges(store.db, [{ deviceId: b.deviceId, kind: 'camera_error', message: 'y' }]);
      await fast.received(1);
      // Still stalled: the quick unit's alert did not wait for it.
      expect(slow.sockets.size).toBe(1);
    } finally {
      slow.close();
      await worker.stop();
      fast.server.close();
    }
    expect((fast.bodies[0] as { body: { alert: { unitId: string } } }).body.alert.unitId).toBe('u-quick');
  });
});
