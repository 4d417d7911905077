import { describe, expect, it } from 'vitest';
import { CounterSettings, settingsOnWire } from './payloads/settings.js';
import { encodeConfig } from './validate.js';

const KEYS = Object.keys(CounterSettings.shape) as (keyof CounterSettings)[];

describe('settings on the wire', () => {
  it('parse back to exactly the settings sent', () => {
    const changed = CounterSettings.parse({
      scale: 'keypad3',
      undoWindowMs: 0,
      officers: { 'cb-lan': { name: 'Nguyễn Thị Lan' } },
    });
    for (const s of [CounterSettings.parse({}), changed])
      expect(CounterSettings.parse(settingsOnWire(s))).toEqual(s);
    expect(Object.keys(settingsOnWire(changed)).sort()).toEqual(['officers', 'scale', 'undoWindowMs']);
  });

  // A board whose agent predates any one setting (its schema lacks that key, strictly) still
  // takes a config that leaves that setting at its default.
  it.each(KEYS)('are taken by an agent that does not know %s, while it stays at its default', (key) => {
    const older = CounterSettings.omit({ [key]: true } as Partial<Record<keyof CounterSettings, true>>);
    const wire = JSON.parse(
      encodeConfig({
        v: 1,
        version: 3,
        ts: 1_764_000_000_000,
        settings: CounterSettings.parse({ scale: key === 'scale' ? 'keypad4' : 'keypad5' }),
      }).toString(),
    );
    expect(older.safeParse(wire.settings).success).toBe(true);
  });
});
