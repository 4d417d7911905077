import mqemitter from 'mqemitter';
import { describe, expect, it } from 'vitest';
import { boundedHandOn } from './bounded-hand-on.js';

/**
 * A slot held (a stalled delivery) while `n` messages queue behind a concurrency of 1, then
 * released: every queued message is handed on from the release, as a broker's backlog is.
 */
function backlog(wrap: boolean, n: number) {
  const mq = mqemitter({ concurrency: 1 });
  if (wrap) boundedHandOn(mq);
  const seen: number[] = [];
  let release: () => void = () => {};
  mq.on('evt/#', (m, done) => {
    if (m.i === 0) release = done;
    else {
      seen.push(m.i as number);
      done();
    }
  });
  for (let i = 0; i <= n; i++) mq.emit({ topic: `evt/${i % 7}`, i });
  return { mq, seen, release: () => release() };
}

describe('the broker bus handing on a backlog', () => {
  it("overflows mqemitter's stack without the bound (what took serve down)", () => {
    const { release } = backlog(false, 50_000);
    expect(release).toThrow(RangeError);
  });

  it('hands on every queued message, in order, and the bus keeps working', async () => {
    const { mq, seen, release } = backlog(true, 50_000);
    release();
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(50_000);
    expect(seen).toEqual(Array.from({ length: 50_000 }, (_, i) => i + 1));
    mq.emit({ topic: 'evt/late', i: 50_001 });
    await expect.poll(() => seen.at(-1)).toBe(50_001);
    expect(mq.current).toBe(0);
  });
});
