import { describe, expect, it } from 'vitest';
import { BoundedMap } from './bounded-map.js';

describe('BoundedMap', () => {
  it('drops expired entries first, then the least recently written, never exceeding its cap', () => {
    const m = new BoundedMap<number>(3, (until, now) => until <= now);
    m.set('a', 10, 0);
    m.set('b', 100, 0);
    m.set('c', 100, 0);
    m.set('a', 100, 5); // rewritten: now the newest
    m.set('d', 100, 20); // full: nothing expired at the front ('b'), so the oldest write goes
    expect([m.get('a'), m.get('b'), m.get('c'), m.get('d')]).toEqual([100, undefined, 100, 100]);
    m.set('e', 100, 200); // everything expired: the sweep empties the front
    expect(m.size).toBeLessThanOrEqual(3);
    expect(m.get('e')).toBe(100);
  });
});
