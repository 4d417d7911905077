import { describe, expect, it } from 'vitest';
import { LogThrottle } from './log-throttle.js';

describe('LogThrottle', () => {
  it('logs a key once per interval with the count kept quiet, and at once after a reset', () => {
    const t = new LogThrottle(1_000);
    expect(t.take('a', 0)).toBe(0);
    expect(t.take('a', 500)).toBeNull();
    expect(t.take('b', 500)).toBe(0);
    expect(t.take('a', 1_000)).toBe(1);
    t.reset('a');
    expect(t.take('a', 1_001)).toBe(0);
  });

  it('stays within its bound under a flood of distinct keys', () => {
    const t = new LogThrottle(60_000, 100);
    for (let i = 0; i < 10_000; i++) t.take(`k${i}`, i);
    expect(t.size).toBeLessThanOrEqual(100);
  });
});
