import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MQTT_URL, TestIngest, uniqueUnit } from '../test-support/ingest.js';
import { startVirtualBoard, TcpProxy } from '../testing/index.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('a weak link', () => {
  it('keeps working offline, reports offline via the will, and delivers everything once back', {
    timeout: 30_000,
  }, async () => {
    const broker = new URL(MQTT_URL);
    const proxy = new TcpProxy(broker.hostname, Number(broker.port || 1883));
    await proxy.start();
    cleanups.push(() => proxy.cut());
    const unitId = uniqueUnit('link');
    const addr = { unitId, counterId: 'q01', deviceId: 'link-a' };
    const ingest = await TestIngest.connect(unitId);
    cleanups.push(async () => {
      await ingest.clearRetained(addr);
      await ingest.close();
    });
    const logger = pino({ level: 'silent' });
    const { agent, rate } = await startVirtualBoard({
      device: addr,
      mqtt: { url: proxy.url, username: 'link-a', password: 'x' },
      dataDir: mkdtempSync(join(tmpdir(), 'link-')),
      logger,
      publisher: { window: 16 },
    });
    cleanups.push(() => agent.stop());
    await agent.bus.once('mqtt.connected');

    await proxy.cut();
    await agent.bus.once('mqtt.disconnected');
    // The broker notices the dead connection only after the keepalive; here the TCP reset is enough.
    await ingest.waitFor(
      (r) => r.some((x) => x.channel === 'status' && x.payload.state === 'offline'),
      10_000,
    );

    const recorded: string[] = [];
    agent.bus.on('event.recorded', (r) => {
      if (r.event.channel === 'evt/rating') recorded.push(r.entry.eventId);
    });
    for (let i = 0; i < 150; i++) {
      rate(`L${i}`, 1 + (i % 4));
    }
    expect(recorded).toHaveLength(150); // recorded while offline: the counter never stopped working
    expect(agent.state().outbox.depth).toBe(450);

    await proxy.restore();
    await agent.bus.once('mqtt.connected', () => true, 10_000);
    await expect.poll(() => agent.state().outbox.depth, { timeout: 15_000 }).toBe(0);
    const got = ingest.of('evt/rating').map((r) => r.payload.eventId as string);
    expect(new Set(got)).toEqual(new Set(recorded));
    // In order of recording (a re-send repeats an eventId; the first sighting keeps its place).
    const firstSeen = [
      ...new Map(ingest.of('evt/rating').map((r) => [r.payload.eventId, r.payload.ticket])).values(),
    ];
    expect(firstSeen).toEqual(Array.from({ length: 150 }, (_, i) => `L${i}`));
    expect(ingest.of('status').at(-1)?.payload.state).toBe('online');
  });
});
