import { describe, expect, it } from 'vitest';
import { GroupCommit } from './group-commit.js';
import { CommitLanes } from './lanes.js';
import { isolatePoison } from './poison.js';

describe('group commit', () => {
  it('batches what arrives while a commit runs, and retries a failed commit without losing items', async () => {
    const batches: number[][] = [];
    let fail = 1;
    const gc = new GroupCommit<number>(
      async (b) => {
        await new Promise((r) => setTimeout(r, 20));
        if (fail-- > 0) throw new Error('db down');
        batches.push(b);
      },
      () => {},
      100,
      1,
    );
    gc.push(0);
    await new Promise((r) => setTimeout(r, 5));
    for (let i = 1; i <= 250; i++) gc.push(i);
    await gc.flush();
    expect(batches.flat()).toEqual(Array.from({ length: 251 }, (_, i) => i));
    expect(Math.max(...batches.map((b) => b.length))).toBe(100);
    expect(batches.length).toBeLessThanOrEqual(4);
  });

  it('keeps one key in one lane, in order', async () => {
    const seen = new Map<string, number[]>();
    const lanes = Array.from(
      { length: 3 },
      (_, lane) =>
        new GroupCommit<{ k: string; n: number; lane?: number }>(
          async (b) => {
            for (const x of b) {
              const list = seen.get(x.k) ?? [];
              list.push(x.n * 10 + lane);
              seen.set(x.k, list);
            }
          },
          () => {},
          10,
          1,
        ),
    );
    const cl = new CommitLanes(lanes, (x) => x.k);
    for (let n = 0; n < 50; n++) for (const k of ['a', 'b', 'c', 'd']) cl.push({ k, n });
    await cl.flush();
    for (const list of seen.values()) {
      expect(new Set(list.map((v) => v % 10)).size).toBe(1);
      expect(list.map((v) => Math.floor(v / 10))).toEqual(Array.from({ length: 50 }, (_, i) => i));
    }
  });
});

describe('poison isolation', () => {
  it('skips only the event the database refuses, and retries everything when the database is down', async () => {
    const stored: number[] = [];
    const poisoned: number[] = [];
    let up = true;
    const commit = isolatePoison<number>(
      async (b) => {
        if (!up) throw new Error('connection refused');
        if (b.includes(13)) throw new Error('constraint');
        stored.push(...b);
      },
      async () => up,
      async (item) => {
        poisoned.push(item);
      },
    );
    await commit(Array.from({ length: 20 }, (_, i) => i));
    expect(poisoned).toEqual([13]);
    expect(stored.sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i).filter((i) => i !== 13),
    );
    up = false;
    await expect(commit([1, 2, 3])).rejects.toThrow('connection refused');
  });

  it('retries a transient error unsplit, and a failing dead letter fails the batch', async () => {
    const poisoned: number[] = [];
    let tries = 0;
    const transient = isolatePoison<number>(
      async () => {
        tries++;
        throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
      },
      async () => true,
      async (item) => {
        poisoned.push(item);
      },
      (err) => (err as { code?: string }).code === '40P01',
    );
    await expect(transient([1, 2, 3, 4])).rejects.toThrow('deadlock');
    expect({ tries, poisoned }).toEqual({ tries: 1, poisoned: [] });

    const unstorable = isolatePoison<number>(
      async (b) => {
        if (b.includes(2)) throw new Error('constraint');
      },
      async () => true,
      async () => {
        throw new Error('dead letter not stored');
      },
    );
    // Not swallowed: the group commit retries the batch, and nothing is acknowledged meanwhile.
    await expect(unstorable([1, 2, 3])).rejects.toThrow('dead letter not stored');
  });
});
