import { EXAMPLES, encodePayload, MAX_PAYLOAD_BYTES } from '@onestop/protocol';
import { LogThrottle } from '@onestop/service';
import { describe, expect, it } from 'vitest';
import { deviceSession, type Session } from './acl.js';
import { inspect, TokenBucket } from './door.js';

/**
 * The door's edges that mutation testing (npm run mutation) showed untested: exact limits, the
 * detail each refusal carries, Last Wills without a client, and the refusal log's memory bound.
 */
const address = { unitId: 'tv', counterId: 'q03', deviceId: 'tv1-q03-a' };
const device = deviceSession(address, 'dev-tv1-q03-a');
const dashboard: Session = { role: 'dashboard', username: 'svc-dashboard' };
const prefix = 'onestop/v1/tv/q03/tv1-q03-a';
const rating = encodePayload('evt/rating', EXAMPLES['evt/rating'] as never);
const refusal = (v: ReturnType<typeof inspect>) => (v.ok ? null : { reason: v.reason, detail: v.detail });

describe('door, at its edges', () => {
  it('takes a payload of exactly the maximum size to the next check, and names the size above it', () => {
    const max = Buffer.alloc(MAX_PAYLOAD_BYTES, 0x20);
    expect(refusal(inspect(device, `${prefix}/evt/rating`, max))?.reason).toBe('malformed');
    const over = Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20);
    expect(refusal(inspect(device, `${prefix}/evt/rating`, over))).toEqual({
      reason: 'oversized',
      detail: `${MAX_PAYLOAD_BYTES + 1} bytes > ${MAX_PAYLOAD_BYTES}`,
    });
  });

  it('calls a malformed topic under the root foreign, and only a bad channel unknown', () => {
    const short = refusal(inspect(device, 'onestop/v1/tv/q03', rating));
    expect(short?.reason).toBe('foreign_topic');
    expect(short?.detail).toMatch(/^topic must start with/);
    // An unknown channel outside the root is a foreign topic, not an unknown channel.
    expect(refusal(inspect(device, 'other/v1/tv/q03/tv1-q03-a/evt/x', rating))?.reason).toBe('foreign_topic');
    expect(refusal(inspect(device, `${prefix}/evt/x`, rating))).toEqual({
      reason: 'unknown_channel',
      detail: "unknown channel 'evt/x'",
    });
  });

  it('names who may not publish what', () => {
    expect(refusal(inspect(dashboard, `${prefix}/evt/rating`, rating))).toEqual({
      reason: 'wrong_direction',
      detail: `dashboard may not publish ${prefix}/evt/rating`,
    });
  });

  it("lets a dead session's Last Will through only on device channels", () => {
    const offline = encodePayload('status', EXAMPLES.status as never);
    expect(inspect(null, `${prefix}/status`, offline).ok).toBe(true);
    expect(inspect(null, `${prefix}/evt/rating`, rating).ok).toBe(true);
    const ack = encodePayload('ack', EXAMPLES.ack as never);
    expect(refusal(inspect(null, `${prefix}/ack`, ack))).toEqual({
      reason: 'wrong_direction',
      detail: `orphan will on ${prefix}/ack`,
    });
  });

  it('returns the decoded payload and topic of an accepted message, and names a mismatched device', () => {
    const v = inspect(device, `${prefix}/evt/rating`, rating);
    expect(v).toMatchObject({ ok: true, topic: { ...address, channel: 'evt/rating' } });
    expect(v.ok && v.payload).toEqual(EXAMPLES['evt/rating']);
    const other = encodePayload('evt/rating', {
      ...(EXAMPLES['evt/rating'] as object),
      deviceId: 'x',
    } as never);
    expect(refusal(inspect(device, `${prefix}/evt/rating`, other))?.detail).toBe(
      `deviceId: 'x' does not match the topic's '${address.deviceId}'`,
    );
  });
});

describe('token bucket, exactly', () => {
  it('refills at the set rate: half a token is not enough, a whole one is', () => {
    const b = new TokenBucket({ perSecond: 10, burst: 1 });
    const t = Date.now();
    expect(b.take(t)).toBe(true);
    expect(b.take(t + 50)).toBe(false);
    expect(b.take(t + 100)).toBe(true);
    // The refill is counted from the last message, not again from the first.
    expect(b.take(t + 100)).toBe(false);
  });

  it('never holds more than the burst, however long the device was idle', () => {
    const b = new TokenBucket({ perSecond: 100, burst: 3 });
    const later = Date.now() + 3_600_000;
    expect([1, 2, 3, 4].map(() => b.take(later))).toEqual([true, true, true, false]);
  });
});

describe('refusal log, exactly', () => {
  it('logs again once the interval has fully passed', () => {
    const log = new LogThrottle(1_000);
    expect(log.take('d', 0)).toBe(0);
    expect(log.take('d', 999)).toBeNull();
    expect(log.take('d', 1_000)).toBe(1);
    expect(log.take('d', 1_001)).toBeNull();
  });

  it('forgets quiet clients once it holds its cap, so it cannot grow without bound', () => {
    const log = new LogThrottle(1_000, 50_000);
    for (const key of ['a', 'b']) {
      log.take(key, 0);
      log.take(key, 1); // suppressed: remembered as one
    }
    // 50,000 entries in all: nothing is forgotten yet.
    for (let i = 0; i < 49_998; i++) log.take(`k${i}`, 1_000);
    expect(log.take('a', 1_000)).toBe(1);
    // One more: every entry a full interval old is dropped, 'b' with it, so nothing suppressed is
    // reported for it; recent entries are kept and still suppress.
    log.take('k-last', 1_000);
    expect(log.take('b', 1_000)).toBe(0);
    expect(log.take('k1', 1_002)).toBeNull();
  });
});
