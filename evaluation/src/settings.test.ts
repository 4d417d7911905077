import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { SATISFIED_SHARE_TARGET } from './formulas/shares.js';
import { clockMinutes, migrateUnitSettings, parseUnitSettings, UNIT_SETTINGS_VERSION } from './settings.js';

describe('unit settings', () => {
  it('reads {} (what migration 0008 stored) as every default, at the current version', () => {
    const s = parseUnitSettings({});
    expect(s.version).toBe(UNIT_SETTINGS_VERSION);
    expect(Object.values(s.openingHours)).toEqual(Array(7).fill({ open: '06:00', close: '22:00' }));
    expect(s.rapidRepeat).toEqual({ windowSeconds: 10 });
    expect(s.burst).toEqual({ maxPresses: 10, windowMinutes: 10 });
    expect(parseUnitSettings(null)).toEqual(s);
  });

  it('migrates an unversioned document, keeping its fields and defaulting the rest', () => {
    const doc = { openingHours: { sun: null }, burst: { maxPresses: 3 } };
    expect(migrateUnitSettings(doc)).toEqual({ doc: { ...doc, version: 2 }, from: 0 });
    const s = parseUnitSettings(doc);
    expect(s.openingHours.sun).toBeNull();
    expect(s.openingHours.sat).toEqual({ open: '06:00', close: '22:00' });
    expect(s.burst).toEqual({ maxPresses: 3, windowMinutes: 10 });
  });

  it('names what it cannot read: a future version, a bad clock, an unknown field', () => {
    const issue = (doc: unknown) => {
      try {
        parseUnitSettings(doc);
        return null;
      } catch (err) {
        return err instanceof ZodError ? err.issues[0] : err;
      }
    };
    expect(issue({ version: 3 })).toMatchObject({ path: ['version'] });
    expect(issue({ openingHours: { mon: { open: '7:00', close: '17:00' } } })).toMatchObject({
      path: ['openingHours', 'mon', 'open'],
    });
    expect(issue({ openingHours: { mon: { open: '17:00', close: '17:00' } } })).toMatchObject({
      message: 'close must be after open',
    });
    expect(issue({ rapid: 5 })).toMatchObject({ code: 'unrecognized_keys' });
  });

  it('carries the satisfied-share target, defaulting to the project target, between one half and 1', () => {
    expect(parseUnitSettings({}).targets).toEqual({ satisfiedShare: SATISFIED_SHARE_TARGET });
    // A version-1 document (before targets) keeps its fields and takes the default target.
    const v1 = parseUnitSettings({ version: 1, burst: { maxPresses: 4 } });
    expect(v1).toMatchObject({ version: 2, burst: { maxPresses: 4 }, targets: { satisfiedShare: 0.8 } });
    expect(parseUnitSettings({ targets: { satisfiedShare: 0.9 } }).targets.satisfiedShare).toBe(0.9);
    for (const bad of [0.49, 1.01, '0.9'])
      expect(() => parseUnitSettings({ targets: { satisfiedShare: bad } })).toThrow(ZodError);
  });

  it('reads clocks as minutes after midnight, 24:00 included', () => {
    expect([clockMinutes('00:00'), clockMinutes('06:30'), clockMinutes('24:00')]).toEqual([0, 390, 1440]);
  });
});
