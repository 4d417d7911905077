import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_PROFILES_DIR, listProfiles, loadProfile } from './profiles.js';
import { udevRules, udevRulesForProfileDirs } from './udev.js';

describe('udev rules for the profiled USB devices', () => {
  const profiles = listProfiles().map((n) => loadProfile(n));

  it('covers every built-in profile for hidraw and libusb access', () => {
    const rules = udevRules(profiles);
    for (const p of profiles) {
      const vid = p.match.vendorId.toString(16).padStart(4, '0');
      const pid = p.match.productId.toString(16).padStart(4, '0');
      expect(rules).toContain(`KERNEL=="hidraw*", ATTRS{idVendor}=="${vid}", ATTRS{idProduct}=="${pid}"`);
      expect(rules).toContain(`SUBSYSTEM=="usb", ATTRS{idVendor}=="${vid}", ATTRS{idProduct}=="${pid}"`);
    }
  });

  it('matches the committed rules file (run `npm run udev-rules -w @onestop/firmware-config`)', () => {
    const committed = readFileSync(new URL('../udev/99-onestop-counter.rules', import.meta.url), 'utf8');
    expect(committed).toBe(udevRules(profiles));
  });
});

describe('udev rules for a board', () => {
  const withProfile = (name: string, vendorId: number, productId: number): string => {
    const dir = mkdtempSync(join(tmpdir(), 'onestop-profiles-'));
    const base = JSON.parse(readFileSync(join(BUILTIN_PROFILES_DIR, 'generic-keypad3.json'), 'utf8'));
    writeFileSync(
      join(dir, `${name}.json`),
      JSON.stringify({ ...base, name, match: { ...base.match, vendorId, productId } }),
    );
    return dir;
  };

  it("covers the profiles in the device file's own folders", () => {
    const dir = withProfile('ward-keypad', 0x2a2b, 0x0c0d);
    try {
      const rules = udevRulesForProfileDirs([dir]);
      expect(rules).toContain('# ward-keypad');
      expect(rules).toContain('KERNEL=="hidraw*", ATTRS{idVendor}=="2a2b", ATTRS{idProduct}=="0c0d"');
      // The built-in ones stay: a keypad swapped for another known model must still open.
      expect(rules).toContain('ATTRS{idVendor}=="1a2c", ATTRS{idProduct}=="0e23"');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('lets a local profile override a built-in one of the same name', () => {
    const dir = withProfile('generic-keypad3', 0x1234, 0x5678);
    try {
      const rules = udevRulesForProfileDirs([dir]);
      expect(rules).toContain('ATTRS{idVendor}=="1234", ATTRS{idProduct}=="5678"');
      expect(rules).not.toContain('ATTRS{idProduct}=="0e23"');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('is the committed file when no folder is named', () => {
    expect(udevRulesForProfileDirs([])).toBe(udevRules(listProfiles().map((n) => loadProfile(n))));
  });
});
