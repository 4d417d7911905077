import type { DeviceProfile } from './profile-schema.js';

const hex4 = (n: number) => n.toString(16).padStart(4, '0');

/**
 * udev rules that let the agent's group open the profiled USB devices without root: the hidraw
 * node (shared reading) and the USB device node (libusb, which detaches the kernel keyboard
 * driver so presses and scans do not leak into other programs). One pair per vendor/product.
 */
export function udevRules(profiles: readonly DeviceProfile[], group = 'onestop'): string {
  const seen = new Map<string, string[]>();
  for (const p of profiles) {
    const key = `${hex4(p.match.vendorId)}:${hex4(p.match.productId)}`;
    seen.set(key, [...(seen.get(key) ?? []), p.name]);
  }
  const lines = [
    '# onestop-counter: USB rating keypads, barcode scanners and badge readers (generated from',
    '# firmware-config/profiles by `npm run udev-rules -w @onestop/firmware-config`).',
    `# Install: copy to /etc/udev/rules.d/, add the agent's user to group '${group}',`,
    '# then `udevadm control --reload && udevadm trigger`.',
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
