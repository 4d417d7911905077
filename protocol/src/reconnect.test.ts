import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay, keepReconnecting, type LinkStatus, RECONNECT_BACKOFF } from './reconnect.js';

class FakeClient extends EventEmitter {
  reconnects = 0;
  readonly incomingStore = { name: 'in' };
  readonly outgoingStore = { name: 'out' };
  reconnect(opts?: { incomingStore?: unknown; outgoingStore?: unknown }) {
    // The stores in flight are handed back, never replaced by empty ones.
    expect(opts).toEqual({ incomingStore: this.incomingStore, outgoingStore: this.outgoingStore });
    this.reconnects++;
  }
  refuse(code: number) {
    this.emit('error', Object.assign(new Error(`Connection refused: ${code}`), { code }));
    this.emit('close');
  }
}

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap, jitter only shortening it', () => {
    const p = RECONNECT_BACKOFF;
    expect(backoffDelay(0, p, () => 1)).toBe(p.initialMs);
    expect(backoffDelay(1, p, () => 1)).toBe(p.initialMs * 2);
    expect(backoffDelay(40, p, () => 1)).toBe(p.maxMs);
    expect(backoffDelay(40, p, () => 0)).toBe(p.maxMs * (1 - p.jitter));
    for (let a = 0; a < 20; a++) {
      const d = backoffDelay(a, p);
      expect(d).toBeGreaterThanOrEqual(Math.min(p.maxMs, p.initialMs * 2 ** a) * (1 - p.jitter) - 1);
      expect(d).toBeLessThanOrEqual(p.maxMs);
    }
  });
});

describe('keepReconnecting', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('retries after every refusal with growing delays, says why, and resets once connected', () => {
    const client = new FakeClient();
    const seen: LinkStatus[] = [];
    const link = keepReconnecting(client, { random: () => 1, onStatus: (s) => seen.push(s) });
    for (const code of [3, 4, 5]) client.refuse(code);
    // A close while a retry is pending (the refused socket closing twice) schedules nothing new.
    expect(client.reconnects).toBe(0);
    expect(link.status()).toMatchObject({ state: 'reconnecting', attempt: 0, refusedCode: 3 });
    expect((link.status() as { reason: string }).reason).toBe('refused: server unavailable');
    vi.advanceTimersByTime(RECONNECT_BACKOFF.initialMs);
    expect(client.reconnects).toBe(1);
    client.refuse(4);
    expect(link.status()).toMatchObject({
      attempt: 1,
      refusedCode: 4,
      reason: 'refused: bad user name or password',
    });
    vi.advanceTimersByTime(RECONNECT_BACKOFF.initialMs * 2 - 1);
    expect(client.reconnects).toBe(1);
    vi.advanceTimersByTime(1);
    expect(client.reconnects).toBe(2);
    client.emit('connect');
    expect(link.status().state).toBe('connected');
    // Dropped at once after being accepted: the backoff goes on growing.
    client.emit('close');
    expect(link.status()).toMatchObject({ state: 'reconnecting', attempt: 2, reason: 'connection closed' });
    vi.advanceTimersByTime(RECONNECT_BACKOFF.initialMs * 4);
    expect(client.reconnects).toBe(3);
    // A connection that lasted starts the backoff again from the first delay.
    client.emit('connect');
    vi.advanceTimersByTime(10_000);
    client.emit('close');
    expect(link.status()).toMatchObject({ state: 'reconnecting', attempt: 0, reason: 'connection closed' });
    link.stop();
    vi.advanceTimersByTime(RECONNECT_BACKOFF.maxMs);
    expect(client.reconnects).toBe(3);
    expect(seen.at(-1)).toEqual({ state: 'stopped' });
  });
});
