import { describe, expect, it } from 'vitest';
import { change } from './change.js';

const text = async (h: ReturnType<typeof change>) => (await h).toString().replace(/<[^>]+>/g, '');

describe('change since the previous period', () => {
  it('signs the difference, rounded only for display', async () => {
    expect(await text(change(8, 5))).toBe('+3');
    expect(await text(change(5, 8))).toBe('−3');
    expect(await text(change(4, 4))).toBe('±0');
    expect(await text(change(66.66, 75, 1, ' pts'))).toBe('−8.3 pts');
    // A difference that rounds to nothing is no change, not "−0.0".
    expect(await text(change(75.01, 75.04, 1))).toBe('±0.0');
  });

  it('shows no change when either period has no value', async () => {
    expect(await text(change(null, 5))).toBe('–');
    expect(await text(change(5, null))).toBe('–');
  });
});
