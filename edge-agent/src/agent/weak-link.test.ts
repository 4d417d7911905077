import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineAgentConfig } from '@onestop/firmware-config';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualInputs } from '../devices/create-inputs.js';
import { MQTT_URL, TestIngest, uniqueUnit } from '../test-support/ingest.js';
import { TcpProxy } from '../test-support/tcp-proxy.js';
import { startAgent } from './agent.js';

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
    const config = defineAgentConfig({
      schemaVersion: 2,
      device: addr,
      mqtt: { url: proxy.url, username: 'link-a', password: 'x' },
      dataDir: mkdtempSync(join(tmpdir(), 'link-')),
      settings: { minPressIntervalMs: 0 },
      devices: {
        keypad: { profile: 'generic-keypad4-fkeys' },
        scanner: { profile: 'generic-scanner-wedge' },
      },
      patterns: { ticket: '^L[0-9]+$', dossierId: '^000\\..+$' },
    });
    const v = createVirtualInputs(
      { keypad: 'generic-keypad4-fkeys', scanner: 'generic-scanner-wedge' },
      logger,
    );
    const agent = await startAgent(config, { inputs: v.inputs, logger, publisher: { window: 16 } });
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
      v.scanner!.typeLine(`L${i}`);
      agent.input({ type: 'officer', action: 'end-visit' });
      v.keypad!.pressLevel(1 + (i % 4));
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
