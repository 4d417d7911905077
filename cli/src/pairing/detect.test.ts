import { describe, expect, it } from 'vitest';
import { chooseProfiles } from './detect.js';

const KNOWN = [
  { name: 'generic-keypad4-fkeys', role: 'keypad' },
  { name: 'generic-keypad4-digits', role: 'keypad' },
  { name: 'generic-scanner-wedge', role: 'scanner' },
  { name: 'generic-badge-rfid125', role: 'badge' },
] as const;

describe('profiles chosen from the plugged devices', () => {
  it('fills each role that exactly one profile fits, and none other', () => {
    const r = chooseProfiles(
      [
        { profiles: ['generic-keypad4-fkeys'] },
        // The same keypad's second interface: the same profile, counted once.
        { profiles: ['generic-keypad4-fkeys'] },
        { profiles: ['generic-scanner-wedge'] },
        { profiles: [] },
      ],
      KNOWN,
    );
    expect(r).toEqual({
      chosen: { keypad: 'generic-keypad4-fkeys', scanner: 'generic-scanner-wedge' },
      ambiguous: [],
    });
  });

  it('never guesses between two keypads, and ignores unknown names', () => {
    const r = chooseProfiles(
      [{ profiles: ['generic-keypad4-fkeys'] }, { profiles: ['generic-keypad4-digits', 'mystery'] }],
      KNOWN,
    );
    expect(r.chosen).toEqual({});
    expect(r.ambiguous).toEqual([
      { role: 'keypad', profiles: ['generic-keypad4-digits', 'generic-keypad4-fkeys'] },
    ]);
  });
});
