import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
    await setUnitAlertHook(store.db, { unitId: 'trung-van', url, actor: 't', allowLoopback: true });
    const registry = new Registry();
    const worker = new AlertHookWorker({
      ...store,
      logger,
      registry,
      allowLoopback: true,
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
    await setUnitAlertHook(store.db, { unitId: 'trung-van', url, actor: 't', allowLoopback: true });
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
});
