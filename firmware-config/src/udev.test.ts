import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listProfiles, loadProfile } from './profiles.js';
import { udevRules } from './udev.js';

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
