import { duplexPair } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Admission } from './admission.js';
import { DeviceBudgets } from './budget.js';
import { FlapDetector } from './flapping.js';
import {
  PacketGuard,
  type PacketRefusal,
  POST_AUTH_MAX_PACKET,
  PRE_AUTH_MAX_PACKET,
} from './packet-guard.js';

/** A guard on one end of an in-memory pair; the test plays the peer on the other end. */
function guarded() {
  const [inner, peer] = duplexPair();
  const refusals: PacketRefusal[] = [];
  const guard = new PacketGuard(inner, (r) => refusals.push(r));
  const received: Buffer[] = [];
  guard.on('data', (b: Buffer) => received.push(b));
  guard.on('error', () => {});
  const send = async (...chunks: number[][]) => {
    for (const c of chunks) {
      peer.write(Buffer.from(c));
      await new Promise((r) => setImmediate(r));
    }
  };
  return { guard, peer, refusals, received, send };
}

describe('packet guard', () => {
  it('passes packets through unchanged, headers split across chunks', async () => {
    const g = guarded();
    // PINGREQ (length 0), then a 200-byte packet whose 2-byte length arrives in two chunks.
    const body = Array.from({ length: 200 }, (_, i) => i % 256);
    await g.send([0xc0, 0x00, 0x30], [0xc8], [0x01, ...body.slice(0, 50)], body.slice(50), [0xc0, 0x00]);
    expect(g.refusals).toEqual([]);
    expect(Buffer.concat(g.received)).toEqual(
      Buffer.from([0xc0, 0x00, 0x30, 0xc8, 0x01, ...body, 0xc0, 0x00]),
    );
  });

  it('refuses a declared length over the limit before its last length byte', async () => {
    const g = guarded();
    // 0xff 0xff ...: at least 16,383 after two bytes, already over 8 KiB; the rest never comes.
    await g.send([0x10, 0xff, 0xff]);
    expect(g.refusals).toEqual([{ reason: 'oversized', detail: expect.stringContaining('at least') }]);
    expect(g.guard.destroyed).toBe(true);
    expect(g.received).toEqual([]);
  });

  it('refuses a remaining length longer than four bytes', async () => {
    const g = guarded();
    g.guard.authenticated();
    await g.send([0x30, 0x80, 0x80, 0x80, 0x80]);
    expect(g.refusals.map((r) => r.reason)).toEqual(['malformed']);
  });

  it('allows the larger limit only after authentication', async () => {
    const len = PRE_AUTH_MAX_PACKET + 1;
    const header = [0x30, (len % 128) | 0x80, Math.floor(len / 128)];
    const before = guarded();
    await before.send(header);
    expect(before.refusals.map((r) => r.reason)).toEqual(['oversized']);
    const after = guarded();
    after.guard.authenticated();
    await after.send(header);
    expect(after.refusals).toEqual([]);
    expect(len).toBeLessThan(POST_AUTH_MAX_PACKET);
  });

  it('hands writes to the socket and ends with it', async () => {
    const g = guarded();
    const out: Buffer[] = [];
    g.peer.on('data', (b: Buffer) => out.push(b));
    g.guard.write(Buffer.from([0x20, 0x02, 0x00, 0x00]));
    await new Promise((r) => setImmediate(r));
    expect(Buffer.concat(out)).toEqual(Buffer.from([0x20, 0x02, 0x00, 0x00]));
    const ended = new Promise((r) => g.guard.once('end', r));
    g.peer.end();
    await ended;
  });
});

describe('device budgets', () => {
  it('counts messages and bytes per device, charges a refused message to neither, forgets full budgets', () => {
    const b = new DeviceBudgets({ perSecond: 1, burst: 2, bytesPerSecond: 100, burstBytes: 150 }, 60_000, 0);
    expect(b.spend('a', 100, 0).ok).toBe(true);
    // Bytes refused: the message is given back.
    expect(b.spend('a', 100, 0)).toEqual({ ok: false, detail: 'over 100 bytes/s' });
    expect(b.spend('a', 10, 0).ok).toBe(true);
    expect(b.spend('a', 10, 0)).toEqual({ ok: false, detail: 'over 1 messages/s' });
    expect(b.spend('b', 10, 0).ok).toBe(true);
    expect(b.spend('a', 10, 1_000).ok).toBe(true);
    expect(b.size).toBe(2);
    b.sweep(10_000);
    expect(b.size).toBe(0);
  });
});

describe('flap detector', () => {
  it('bans after too many connects in a window, and the ban expires', () => {
    const f = new FlapDetector({ maxConnects: 2, windowMs: 1_000, banMs: 5_000 });
    expect(f.connect('d', 0).banned).toBe(false);
    expect(f.connect('d', 10).banned).toBe(false);
    expect(f.connect('d', 20)).toEqual({ banned: true, justNow: true, untilMs: 5_020 });
    expect(f.banned('d', 4_000)).toBe(true);
    expect(f.connect('d', 4_000)).toEqual({ banned: true, justNow: false, untilMs: 5_020 });
    expect(f.banned('d', 5_020)).toBe(false);
    expect(f.connect('d', 5_020).banned).toBe(false);
    // A new window: the old connects no longer count.
    expect(f.connect('e', 0).banned).toBe(false);
    expect(f.connect('e', 2_000).banned).toBe(false);
    expect(f.connect('e', 2_001).banned).toBe(false);
  });

  it('keeps memory bounded when keys keep changing', () => {
    const f = new FlapDetector({ maxConnects: 5, windowMs: 60_000, banMs: 60_000 }, 100);
    for (let i = 0; i < 1_000; i++) f.connect(`10.0.${i >> 8}.${i & 255}`, i);
    expect(f.size).toBeLessThanOrEqual(100);
  });
});

describe('admission', () => {
  const conn = () => duplexPair()[0];

  it('limits connections per address, except loopback peers (a local proxy), and in total', () => {
    const refused: string[] = [];
    const a = new Admission({ total: 4, perAddress: 1 }, null, (addr, reason) =>
      refused.push(`${addr} ${reason}`),
    );
    expect(a.admit(conn(), '10.0.0.1')).not.toBeNull();
    expect(a.admit(conn(), '10.0.0.1')).toBeNull();
    expect(a.admit(conn(), '127.0.0.1')).not.toBeNull();
    expect(a.admit(conn(), '::ffff:127.0.0.1')).not.toBeNull();
    expect(a.admit(conn(), '10.0.0.2')).not.toBeNull();
    expect(a.admit(conn(), '127.0.0.1')).toBeNull();
    expect(refused).toEqual(['10.0.0.1 connection_limit', '127.0.0.1 connection_limit']);
    expect(a.connections).toBe(4);
  });

  it('gives loopback no exemption when told so, and frees a place when a connection closes', async () => {
    const a = new Admission({ total: 10, perAddress: 1, loopbackExempt: false }, null, () => {});
    const first = conn();
    expect(a.admit(first, '127.0.0.1')).not.toBeNull();
    expect(a.admit(conn(), '127.0.0.1')).toBeNull();
    first.destroy();
    await new Promise((r) => setImmediate(r));
    expect(a.admit(conn(), '127.0.0.1')).not.toBeNull();
  });
});
