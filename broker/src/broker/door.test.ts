import { EXAMPLES, encodePayload, MAX_PAYLOAD_BYTES } from '@onestop/protocol';
import { describe, expect, it } from 'vitest';
import { deviceSession, maySubscribe, type Session, unshare } from './acl.js';
import { inspect, RefusalLog, TokenBucket } from './door.js';

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
    const log = new RefusalLog(60_000);
    expect(log.shouldLog('d1', 0)).toBe(0);
    expect(log.shouldLog('d1', 1_000)).toBeNull();
    expect(log.shouldLog('d1', 2_000)).toBeNull();
    expect(log.shouldLog('d2', 2_000)).toBe(0);
    expect(log.shouldLog('d1', 61_000)).toBe(2);
  });
});
