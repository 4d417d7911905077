import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineAgentConfig } from '@onestop/firmware-config';
import { backoffDelay, encodePayload, parseTopic, RECONNECT_BACKOFF, topicFor } from '@onestop/protocol';
import { Aedes, type AuthenticateError } from 'aedes';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualInputs } from '../devices/create-inputs.js';
import type { KioskView } from '../kiosk/view.js';
import { uniqueUnit } from '../test-support/ingest.js';
import { startAgent } from './agent.js';

const logger = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Slack for the event loop, TCP and the broker between "retry now" and its CONNECT arriving. */
const SLACK_MS = 2_000;

/**
 * A real aedes broker that refuses the device's first CONNECTs with the scripted CONNACK codes,
 * then lets it in; an `ingest` client is always let in and acks every event, as the real one does.
 */
async function scriptedBroker(refusals: number[]) {
  const attempts: Array<{ at: number; code: number | null }> = [];
  const broker = await Aedes.createBroker({
    authenticate: (_client, username, _password, done) => {
      if (username === 'ingest') return done(null, true);
      const code = refusals.shift() ?? null;
      attempts.push({ at: Date.now(), code });
      if (code === null) return done(null, true);
      done(Object.assign(new Error(`refused ${code}`), { returnCode: code }) as AuthenticateError, false);
    },
  });
  const server: Server = createServer(broker.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(async () => {
    await new Promise<void>((r) => broker.close(() => r()));
    await new Promise<void>((r) => server.close(() => r()));
  });
  return { url, attempts };
}

describe('a refused device (mqtt.js #1947)', () => {
  it('keeps retrying through CONNACK 3, 4 and 5 within the backoff policy, tells the kiosk, loses nothing', {
    timeout: 30_000,
  }, async () => {
    const { url, attempts } = await scriptedBroker([3, 4, 5]);
    const unitId = uniqueUnit('refused');
    const addr = { unitId, counterId: 'q01', deviceId: 'dev-r' };
    const ingest = await mqtt.connectAsync(url, { clientId: 'ingest', username: 'ingest', password: 'x' });
    cleanups.push(() => ingest.endAsync());
    const delivered = new Set<string>();
    ingest.on('message', (topic, payload) => {
      const t = parseTopic(topic);
      if (!t.ok) return;
      const eventId = (JSON.parse(payload.toString()) as { eventId: string }).eventId;
      delivered.add(eventId);
      void ingest.publishAsync(
        topicFor(addr, 'ack'),
        encodePayload('ack', { v: 1, ts: Date.now(), eventIds: [eventId] }),
        { qos: 1 },
      );
    });
    await ingest.subscribeAsync(`onestop/v1/${unitId}/+/+/evt/#`, { qos: 1 });

    const config = defineAgentConfig({
      schemaVersion: 2,
      device: addr,
      mqtt: { url, username: 'dev-r', password: 'x' },
      dataDir: mkdtempSync(join(tmpdir(), 'refused-')),
      settings: { minPressIntervalMs: 0 },
      devices: { keypad: { profile: 'generic-keypad4-fkeys' } },
      kiosk: { port: 0, host: '127.0.0.1' },
    });
    const v = createVirtualInputs({ keypad: 'generic-keypad4-fkeys' }, logger);
    const agent = await startAgent(config, { inputs: v.inputs, logger });
    cleanups.push(() => agent.stop());
    const kiosk = async () =>
      (await (await fetch(new URL('api/state', agent.state().kioskUrl!))).json()) as KioskView;
    const withdrawn = agent.bus.once(
      'mqtt.link',
      (s) => s.state === 'reconnecting' && s.refusedCode === 5,
      15_000,
    );

    // Citizens keep rating while the centre refuses the device: every rating goes to the outbox.
    const ratings: string[] = [];
    agent.bus.on('event.recorded', ({ entry, event }) => {
      if (event.channel === 'evt/rating') ratings.push(entry.eventId);
    });
    const rate = (level: number) => {
      agent.input({ type: 'officer', action: 'start-visit' });
      agent.input({ type: 'officer', action: 'end-visit' });
      v.keypad!.pressLevel(level);
    };
    rate(4);
    expect(agent.state().connected).toBe(false);
    expect((await kiosk()).link).toBe('offline');

    await withdrawn;
    expect(agent.state().link).toMatchObject({ state: 'reconnecting', refusedCode: 5 });
    expect((await kiosk()).link).toBe('withdrawn');
    rate(4);
    expect(agent.state().screen.kind).toBe('thanks');

    await agent.bus.once('mqtt.connected', () => true, 15_000);
    expect((await kiosk()).link).toBe('online');
    await expect.poll(() => agent.state().outbox.depth, { timeout: 10_000 }).toBe(0);
    expect(ratings).toHaveLength(2);
    for (const id of ratings) expect(delivered).toContain(id);

    // Three refusals, then the accepted CONNECT; each retry came after the policy's delay for its
    // attempt: never sooner than the jittered minimum, never much later than the maximum.
    expect(attempts.map((a) => a.code)).toEqual([3, 4, 5, null]);
    for (let i = 1; i < attempts.length; i++) {
      const gap = attempts[i]!.at - attempts[i - 1]!.at;
      expect(gap).toBeGreaterThanOrEqual(backoffDelay(i - 1, RECONNECT_BACKOFF, () => 0) - 50);
      expect(gap).toBeLessThanOrEqual(backoffDelay(i - 1, RECONNECT_BACKOFF, () => 1) + SLACK_MS);
    }
  });
});
