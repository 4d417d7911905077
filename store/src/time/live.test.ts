import { describe, expect, it } from 'vitest';
import { liveFlags } from './live.js';

const OLD = '0193a0c2-0000-7000-8000-00000000000a';
const NEW = '0193a0c2-0000-7000-8000-00000000000b';
const ev = (bootId: string, seq: number, deviceId = 'd1') => ({ deviceId, bootId, seq });

describe('liveFlags', () => {
  it('takes the boot of the birth message as live, an older boot as a replay', () => {
    const devices = new Map([['d1', { currentBootId: NEW, currentMaxSeq: 40 }]]);
    expect(liveFlags([ev(OLD, 10), ev(NEW, 41)], devices)).toEqual([false, true]);
  });

  it('takes a boot numbered after everything stored of the recorded boot as live (birth not yet written)', () => {
    const devices = new Map([['d1', { currentBootId: OLD, currentMaxSeq: 40 }]]);
    expect(liveFlags([ev(OLD, 40), ev(NEW, 41)], devices)).toEqual([true, true]);
    // Nothing stored of the recorded boot: nothing to compare with, so only that boot is live.
    const unknown = new Map([['d1', { currentBootId: OLD, currentMaxSeq: null }]]);
    expect(liveFlags([ev(NEW, 41)], unknown)).toEqual([false]);
  });

  it('without any recorded boot, takes the batch newest boot of each device as live', () => {
    const flags = liveFlags([ev(OLD, 3), ev(NEW, 9), ev(OLD, 4), ev(OLD, 1, 'd2')], new Map());
    expect(flags).toEqual([false, true, false, true]);
  });
});
