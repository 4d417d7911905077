import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { keypadKeyMap, listProfiles, loadProfile, parseDeviceProfile, resolveKeyName } from './index.js';

describe('device profiles', () => {
  it('ships valid keypad, scanner and badge profiles', () => {
    const names = listProfiles();
    expect(names).toEqual(
      expect.arrayContaining([
        'generic-keypad3',
        'generic-keypad4-fkeys',
        'generic-keypad4-digits',
        'generic-keypad5',
      ]),
    );
    for (const n of names) expect(() => loadProfile(n)).not.toThrow();
  });

  it('resolves key names to HID usages', () => {
    const p = loadProfile('generic-keypad4-fkeys');
    if (p.role !== 'keypad') throw new Error('expected a keypad');
    expect(p.match.vendorId).toBe(0x1a2c);
    expect([...keypadKeyMap(p)]).toEqual([
      [0x3a, 4],
      [0x3b, 3],
      [0x3c, 2],
      [0x3d, 1],
    ]);
    expect(resolveKeyName('kp_1')).toBe(0x59);
    expect(resolveKeyName('0x3A')).toBe(0x3a);
    expect(resolveKeyName('HYPER')).toBeNull();
  });

  it('lets a technician add a keypad with a JSON file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'profiles-'));
    const mine = {
      schemaVersion: 1,
      name: 'ward-keypad',
      description: 'Our keypad',
      role: 'keypad',
      match: { vendorId: '04d9', productId: 4660 },
      scale: 'keypad3',
      keys: { A: 3, B: 2, C: 1 },
    };
    writeFileSync(join(dir, 'ward-keypad.json'), JSON.stringify(mine));
    const p = loadProfile('ward-keypad', [dir]);
    expect(p.match).toMatchObject({ vendorId: 0x04d9, productId: 4660, interface: null });
    expect(listProfiles([dir])).toContain('ward-keypad');
  });

  it('rejects a bad profile naming every problem', () => {
    const bad = {
      schemaVersion: 1,
      name: 'bad',
      description: 'x',
      role: 'keypad',
      match: { vendorId: 'zz', productId: 1, colour: 'red' },
      scale: 'keypad4',
      keys: { F1: 4, F2: 3, NOPE: 2, F4: 7 },
    };
    expect(() => parseDeviceProfile(bad)).toThrow(/match\.vendorId/);
    const fixedIds = { ...bad, match: { vendorId: 1, productId: 1 } };
    let msg = '';
    try {
      parseDeviceProfile(fixedIds);
    } catch (e) {
      msg = (e as Error).message;
    }
    expect(msg).toContain("keys.NOPE: unknown key name 'NOPE'");
    expect(msg).toContain('keys.F4: level 7 is above keypad4');
    expect(msg).toContain('no key gives level 1 of keypad4');
  });

  it('refuses unknown names with the list of known ones', () => {
    expect(() => loadProfile('no-such-keypad')).toThrow(/known: .*generic-keypad3/);
    expect(() => loadProfile('../etc/passwd')).toThrow(/slug/);
  });
});
