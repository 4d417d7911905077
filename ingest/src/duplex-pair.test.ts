import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { duplexPair } from './duplex-pair.js';

describe('duplexPair', () => {
  it('carries bytes both ways, in order, with backpressure', async () => {
    const [a, b] = duplexPair();
    const got: Buffer[] = [];
    b.on('data', (c: Buffer) => got.push(c));
    let writes = 0;
    for (let i = 0; i < 1_000; i++) if (a.write(Buffer.alloc(1_024, i % 256))) writes++;
    // The peer's reader is flowing, so every write completes; nothing is lost or reordered.
    await new Promise<void>((r) => a.write(Buffer.from([7]), () => r()));
    const all = Buffer.concat(got);
    expect(all.length).toBe(1_000 * 1_024 + 1);
    expect(all[1_024 * 999]).toBe(999 % 256);
    expect(writes).toBeGreaterThan(0);

    const back = once(a, 'data');
    b.write('pong');
    expect(String((await back)[0])).toBe('pong');
  });

  it('holds writes while the peer does not read', async () => {
    const [a, b] = duplexPair();
    let done = false;
    a.write(Buffer.alloc(64 * 1_024), () => (done = true));
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(false);
    b.read();
    b.resume();
    await new Promise((r) => setImmediate(r));
    expect(done).toBe(true);
  });

  it('ends and closes the peer when one end is destroyed, like a dropped connection', async () => {
    const [a, b] = duplexPair();
    b.resume();
    const closed = once(b, 'close');
    a.destroy();
    await closed;
    expect(b.destroyed).toBe(true);
  });
});
