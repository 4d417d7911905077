import { Writable } from 'node:stream';
import {
  EXAMPLES,
  encodeIngestState,
  encodePayload,
  INGEST_STATE,
  MAX_PAYLOAD_BYTES,
  topicFor,
} from '@onestop/protocol';
import { LogThrottle } from '@onestop/service';
import {
  connectDevice,
  metricValue,
  provision,
  ratingFor,
  uniqueUnit,
  waitFor,
} from '@onestop/service/testing';
import { openTestStore, type TestStore } from '@onestop/store/testing';
import mqtt from 'mqtt';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker } from '../testing/test-broker.js';
import { deviceSession, mayForward, maySubscribe, type Session, unshare } from './acl.js';
import { forLog, inspect, MAX_LOGGED_CHARS, TokenBucket } from './door.js';
import type { BrokerHandle } from './start-broker.js';

const address = { unitId: 'tv', counterId: 'q03', deviceId: 'tv1-q03-a' };
const device = deviceSession(address, 'dev-tv1-q03-a');
const ingest: Session = { role: 'ingest', username: 'svc-ingest' };
const dashboard: Session = { role: 'dashboard', username: 'svc-dashboard' };
const prefix = 'onestop/v1/tv/q03/tv1-q03-a';
const rating = encodePayload('evt/rating', EXAMPLES['evt/rating'] as never);

describe('door', () => {
  it('accepts a valid event on the device own prefix', () => {
    const v = inspect(device, `${prefix}/evt/rating`, rating);
    expect(v.ok).toBe(true);
  });

  it.each([
    ['foreign_topic', 'onestop/v1/tv/q04/other/evt/rating', rating],
    ['foreign_topic', 'somewhere/else', rating],
    ['unknown_channel', `${prefix}/evt/unknown`, rating],
    ['wrong_direction', `${prefix}/ack`, Buffer.from('{}')],
    ['malformed', `${prefix}/evt/rating`, Buffer.from('{"v":1')],
    ['malformed', `${prefix}/evt/rating`, Buffer.from('{"v":1}')],
    ['oversized', `${prefix}/evt/rating`, Buffer.alloc(MAX_PAYLOAD_BYTES + 1)],
  ])('refuses %s: %s', (reason, topic, payload) => {
    const v = inspect(device, topic, payload);
    expect(v.ok ? null : v.reason).toBe(reason);
  });

  const raw = (channel: keyof typeof EXAMPLES, over: Record<string, unknown>) =>
    Buffer.from(JSON.stringify({ ...(EXAMPLES[channel] as object), ...over }));
  it.each([
    ['evt/rating', { responseMs: 2 ** 40 }, 'responseMs'],
    ['evt/rating', { seq: 2 ** 53 }, 'seq'],
    ['evt/rating', { level: 5 }, 'level'],
    ['evt/expression', { frames: 2 ** 31 }, 'frames'],
    ['birth', { configVersion: 2 ** 31 }, 'configVersion'],
    ['telemetry', { uptimeS: 1e300 }, 'uptimeS'],
  ] as const)('refuses a number out of range on %s (%o), naming %s', (channel, over, field) => {
    const v = inspect(device, `${prefix}/${channel}`, raw(channel, over));
    expect(v).toMatchObject({
      ok: false,
      reason: 'out_of_range',
      detail: expect.stringMatching(`^${field}: `),
    });
  });

  it.each([
    ['evt/rating', { ts: 0 }],
    ['evt/rating', { ts: Date.UTC(2030, 0, 1) }],
    ['evt/expression', { ts: 5_000, startedAt: 1_000, endedAt: 5_000 }],
    ['birth', { ts: 0 }],
    ['status', { ts: 0 }],
  ] as const)(
    'lets an odd device clock through on %s (%o): the centre places the time, never a retry loop',
    (channel, over) => {
      expect(inspect(device, `${prefix}/${channel}`, raw(channel, over)).ok).toBe(true);
    },
  );

  it('refuses a payload that speaks for another device', () => {
    const other = encodePayload('evt/rating', {
      ...(EXAMPLES['evt/rating'] as object),
      deviceId: 'other',
    } as never);
    const v = inspect(device, `${prefix}/evt/rating`, other);
    expect(v.ok ? null : v.reason).toBe('device_mismatch');
  });

  it('lets only the ingest acknowledge, and services publish config and commands', () => {
    const ack = encodePayload('ack', EXAMPLES.ack as never);
    expect(inspect(ingest, `${prefix}/ack`, ack).ok).toBe(true);
    expect(inspect(dashboard, `${prefix}/ack`, ack).ok).toBe(false);
    const cmd = encodePayload('cmd/restart', EXAMPLES['cmd/restart'] as never);
    expect(inspect(dashboard, `${prefix}/cmd/restart`, cmd).ok).toBe(true);
    expect(inspect(ingest, `${prefix}/evt/rating`, rating).ok).toBe(false);
  });
});

describe("the ingest's state", () => {
  const online = encodeIngestState({ v: 1, online: true, ts: 1_764_000_000_000 });
  const offline = encodeIngestState({ v: 1, online: false });
  const refused = (v: ReturnType<typeof inspect>) => (v.ok ? null : v.reason);

  it('is said by the ingest alone, and only in its own shape', () => {
    expect(inspect(ingest, INGEST_STATE.topic, online)).toMatchObject({ ok: true, topic: null });
    expect(inspect(ingest, INGEST_STATE.topic, offline).ok).toBe(true);
    expect(refused(inspect(device, INGEST_STATE.topic, offline))).toBe('wrong_direction');
    expect(refused(inspect(dashboard, INGEST_STATE.topic, online))).toBe('wrong_direction');
    expect(refused(inspect(ingest, INGEST_STATE.topic, Buffer.from('{"v":1,"online":true}')))).toBe(
      'malformed',
    );
    expect(refused(inspect(ingest, INGEST_STATE.topic, Buffer.from('{"v":1,"online":false,"ts":1}')))).toBe(
      'malformed',
    );
    expect(refused(inspect(ingest, `${INGEST_STATE.topic}/x`, online))).toBe('foreign_topic');
  });

  it("lets a dead broker's will say the ingest is offline, never that it is online", () => {
    expect(inspect(null, INGEST_STATE.topic, offline).ok).toBe(true);
    expect(refused(inspect(null, INGEST_STATE.topic, online))).toBe('wrong_direction');
  });

  it('reaches every device, a draining board too, which may only listen', () => {
    expect(maySubscribe(device, INGEST_STATE.topic)).toBe(true);
    expect(maySubscribe(device, 'onestop/v1/_centre/#')).toBe(false);
    const draining = deviceSession(address, 'dev-tv1-q03-a', true);
    expect(mayForward(draining, INGEST_STATE.topic)).toBe(true);
    expect(mayForward(draining, `${prefix}/config`)).toBe(false);
  });
});

describe('subscribe ACL', () => {
  it('gives a device exactly what is addressed to it', () => {
    for (const f of [`${prefix}/config`, `${prefix}/ack`, `${prefix}/cmd/#`, `${prefix}/cmd/restart`]) {
      expect(maySubscribe(device, f)).toBe(true);
    }
    for (const f of [
      '#',
      'onestop/v1/#',
      'onestop/v1/+/+/+/ack',
      `${prefix}/#`,
      `${prefix}/evt/rating`,
      `$share/g/${prefix}/ack`,
    ]) {
      expect(maySubscribe(device, f)).toBe(false);
    }
  });

  it('gives services the versioned root, shared or not, and nothing else', () => {
    expect(maySubscribe(ingest, 'onestop/v1/+/+/+/evt/#')).toBe(true);
    expect(maySubscribe(ingest, '$share/ingest/onestop/v1/+/+/+/evt/#')).toBe(true);
    expect(maySubscribe(ingest, '#')).toBe(false);
    expect(maySubscribe(dashboard, '$SYS/#')).toBe(false);
    expect(unshare('$share/g/a/b')).toEqual({ filter: 'a/b', shared: true });
  });
});

describe('limits', () => {
  it('refills tokens over time', () => {
    const b = new TokenBucket({ perSecond: 10, burst: 2 });
    const t = Date.now();
    expect([b.take(t), b.take(t), b.take(t)]).toEqual([true, true, false]);
    expect(b.take(t + 100)).toBe(true);
  });

  it('logs a refusal once a minute per key, counting the suppressed ones', () => {
    const log = new LogThrottle(60_000);
    expect(log.take('d1', 0)).toBe(0);
    expect(log.take('d1', 1_000)).toBeNull();
    expect(log.take('d1', 2_000)).toBeNull();
    expect(log.take('d2', 2_000)).toBe(0);
    expect(log.take('d1', 61_000)).toBe(2);
  });

  it('cuts attacker-chosen text for the log', () => {
    expect(forLog('dev-a')).toBe('dev-a');
    const long = forLog('x'.repeat(8_192)) ?? '';
    expect(long.startsWith('x'.repeat(MAX_LOGGED_CHARS))).toBe(true);
    expect(long).toContain('8192 chars');
    expect(long.length).toBeLessThan(MAX_LOGGED_CHARS + 32);
  });

  it('keeps at most maxKeys refusal keys, dropping the oldest first', () => {
    const log = new LogThrottle(60_000, 1_000);
    for (let i = 0; i < 60_000; i++)
      expect(log.take(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, i)).toBe(0);
    expect(log.size).toBeLessThanOrEqual(1_000);
    // The newest key is still remembered (suppressed), the oldest was evicted (logs again).
    expect(log.take('10.0.234.95', 60_000)).toBeNull();
    expect(log.take('10.0.0.0', 60_000)).toBe(0);
  });
});

describe('door on a running broker', () => {
  let store: TestStore;
  let broker: BrokerHandle;
  const registry = new Registry();
  const unit = uniqueUnit('door');
  const lines: string[] = [];
  const logger = pino(
    { level: 'warn' },
    new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );

  beforeAll(async () => {
    store = await openTestStore('pglite');
    broker = await startTestBroker(store, {
      registry,
      logger,
      serviceCredentials: [{ username: 'ingest', password: 'ingest-pw', role: 'ingest' }],
    });
  });
  afterAll(async () => {
    await broker?.close();
    await store?.close();
  });

  it('refuses an out-of-range number before any subscriber sees it, counts it and names the field', async () => {
    const url = `mqtt://127.0.0.1:${broker.port}`;
    const creds = await provision(store, unit, 'q01');
    const seen: string[] = [];
    const ingest = await mqtt.connectAsync(url, {
      clientId: `ingest-${unit}`,
      username: 'ingest',
      password: 'ingest-pw',
      reconnectPeriod: 0,
    });
    ingest.on('message', (_t, p) => seen.push(JSON.parse(p.toString()).eventId));
    await ingest.subscribeAsync('onestop/v1/+/+/+/evt/#', { qos: 1 });
    const dev = await connectDevice(url, creds);
    const before = await metricValue(registry, 'onestop_events_rejected_total', { reason: 'out_of_range' });

    // What a buggy device could send: valid JSON, every field well-formed, one number too big
    // for its column (ratings.response_ms is an integer).
    const poison = { ...ratingFor(creds.deviceId), responseMs: 2 ** 40 };
    await dev.client.publishAsync(topicFor(dev.address, 'evt/rating'), JSON.stringify(poison), { qos: 1 });
    const good = ratingFor(creds.deviceId);
    await dev.publishRating(good);

    await waitFor(() => seen.includes(good.eventId));
    expect(seen).not.toContain(poison.eventId);
    expect(await metricValue(registry, 'onestop_events_rejected_total', { reason: 'out_of_range' })).toBe(
      before + 1,
    );
    expect(dev.client.connected).toBe(true);
    const refusal = lines.map((l) => JSON.parse(l)).find((l) => l.reason === 'out_of_range');
    expect(refusal?.detail).toMatch(/^responseMs: /);
    await dev.close();
    await ingest.endAsync();
  });
});
