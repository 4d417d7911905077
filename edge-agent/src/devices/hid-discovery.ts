import type { DeviceProfile, DeviceRef, DeviceRole } from '@onestop/firmware-config';
import type { HidBackend, HidDeviceInfo } from './hid-backend.js';
import { matchesDevice } from './hid-inputs.js';

/** One HID interface as a technician sees it, with what this agent would do with it. */
export interface HidListing {
  vendorId: string;
  productId: string;
  manufacturer: string | null;
  product: string | null;
  serialNumber: string | null;
  interface: number;
  usagePage: number | null;
  usage: number | null;
  path: string | null;
  /** Known profiles (built-in and the config's directories) whose `match` fits this interface. */
  profiles: string[];
  /** Roles of the device file (keypad, scanner, badge) that would open this interface. */
  configuredAs: DeviceRole[];
}

/** Hex as printed by `lsusb` and written in profiles: 4 digits, lower case. */
export const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;

export async function listHidDevices(
  backend: HidBackend,
  known: readonly DeviceProfile[],
  configured: ReadonlyArray<{ ref: DeviceRef; profile: DeviceProfile }> = [],
): Promise<HidListing[]> {
  const infos = await backend.devices();
  return infos.map((info) => ({
    vendorId: hex4(info.vendorId),
    productId: hex4(info.productId),
    manufacturer: info.manufacturer ?? null,
    product: info.product ?? null,
    serialNumber: info.serialNumber || null,
    interface: info.interface,
    usagePage: info.usagePage ?? null,
    usage: info.usage ?? null,
    path: info.path ?? null,
    profiles: known
      .filter((profile) => matchesDevice(info, { ref: { profile: profile.name }, profile }))
      .map((p) => p.name),
    configuredAs: configured.filter((c) => matchesDevice(info, c)).map((c) => c.profile.role),
  }));
}

/** A fault the technician fixes at the device (not plugged in, no key pressed, not a keypad). */
export class HidDeviceError extends Error {
  override name = 'HidDeviceError';
}

/** A device as the technician names it on the command line: `VID:PID` (hex) or a HID path. */
export type DeviceSelector = { vendorId: number; productId: number } | { path: string };

export function parseDeviceSelector(text: string): DeviceSelector {
  const m = /^(?:0x)?([0-9a-f]{1,4}):(?:0x)?([0-9a-f]{1,4})$/i.exec(text.trim());
  if (m) return { vendorId: Number.parseInt(m[1]!, 16), productId: Number.parseInt(m[2]!, 16) };
  // Paths contain ':' too (libusb "1-1.2:1.0"), so anything that is not two hex IDs is a path.
  return { path: text };
}

/**
 * The interface of the chosen device to read. A composite keypad exposes several (keyboard,
 * consumer control, vendor): the boot keyboard one (usage page 1, usage 6) carries the keys.
 */
export function pickInterface(infos: readonly HidDeviceInfo[], sel: DeviceSelector): HidDeviceInfo {
  if ('path' in sel) {
    const hit = infos.find((i) => i.path === sel.path);
    if (!hit) throw new HidDeviceError(`no HID device at ${sel.path} (see \`onestop hid list\`)`);
    return hit;
  }
  const same = infos.filter(
    (i) => i.vendorId === sel.vendorId && i.productId === sel.productId && i.path !== undefined,
  );
  if (same.length === 0)
    throw new HidDeviceError(
      `no HID device ${hex4(sel.vendorId)}:${hex4(sel.productId)} is plugged in (see \`onestop hid list\`)`,
    );
  return same.find((i) => i.usagePage === 1 && i.usage === 6) ?? same[0]!;
}
