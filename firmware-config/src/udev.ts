import type { DeviceProfile } from './profile-schema.js';
import { listProfiles, loadProfile } from './profiles.js';

const hex4 = (n: number) => n.toString(16).padStart(4, '0');

/** `vvvv:pppp` as lsusb and sysfs spell a USB device. */
export const usbId = (m: { vendorId: number; productId: number }): string =>
  `${hex4(m.vendorId)}:${hex4(m.productId)}`;

/**
 * udev rules that let the agent's group open the profiled USB devices without root: the hidraw
 * node (shared reading) and the USB device node (libusb, which detaches the kernel keyboard
 * driver so presses and scans do not leak into other programs). One pair per vendor/product.
 */
export function udevRules(profiles: readonly DeviceProfile[], group = 'onestop'): string {
  const seen = new Map<string, string[]>();
  for (const p of profiles) {
    const key = usbId(p.match);
    seen.set(key, [...(seen.get(key) ?? []), p.name]);
  }
  const lines = [
    '# onestop-counter: USB rating keypads, barcode scanners and badge readers, generated from the',
    "# device profiles (built-in and the device file's profileDirs) by `onestop agent install`,",
    `# which also adds the agent's user to group '${group}' and reloads udev. Do not edit by hand.`,
  ];
  for (const [key, names] of [...seen].sort(([a], [b]) => a.localeCompare(b))) {
    const [vendor, product] = key.split(':');
    lines.push(
      '',
      `# ${names.sort().join(', ')}`,
      `KERNEL=="hidraw*", ATTRS{idVendor}=="${vendor}", ATTRS{idProduct}=="${product}", MODE="0660", GROUP="${group}"`,
      `SUBSYSTEM=="usb", ATTRS{idVendor}=="${vendor}", ATTRS{idProduct}=="${product}", MODE="0660", GROUP="${group}"`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The rules for a board: every profile in the folders its device file names (devices.profileDirs)
 * and the built-in ones, a local file overriding a built-in one of the same name — so that a
 * keypad swapped for another profiled model works without reinstalling. The one generator behind
 * `onestop agent install`, `onestop agent doctor` and the committed copy in firmware-config/udev.
 */
export function udevRulesForProfileDirs(profileDirs: readonly string[] = [], group = 'onestop'): string {
  return udevRules(
    listProfiles(profileDirs).map((n) => loadProfile(n, profileDirs)),
    group,
  );
}
