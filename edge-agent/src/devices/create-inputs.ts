import { type AgentConfig, type DeviceProfile, type DeviceRole, loadProfile } from '@onestop/firmware-config';
import type { Logger } from 'pino';
import { loadNodeHidBackend } from './hid-backend.js';
import { type ConfiguredDevice, HidCounterInputs } from './hid-inputs.js';
import type { CounterInputs } from './inputs.js';
import { VirtualHidBackend, VirtualHidDevice } from './virtual-hid.js';

/** The device file's keypad, scanner and badge with their profiles, checked for the right role. */
export function configuredDevices(config: AgentConfig): ConfiguredDevice[] {
  const out: ConfiguredDevice[] = [];
  for (const role of ['keypad', 'scanner', 'badge'] as const) {
    const ref = config.devices[role];
    if (!ref) continue;
    const profile = loadProfile(ref.profile, config.devices.profileDirs);
    if (profile.role !== role)
      throw new Error(`devices.${role}: profile '${ref.profile}' is for a ${profile.role}`);
    out.push({ ref, profile });
  }
  return out;
}

/** Real USB devices from the config file (node-hid loaded lazily, only if any are configured). */
export async function createHidInputs(config: AgentConfig, logger: Logger): Promise<CounterInputs> {
  const devices = configuredDevices(config);
  if (devices.length === 0)
    return new HidCounterInputs(
      [],
      { devices: async () => [], open: () => Promise.reject(new Error('none')) },
      { logger },
    );
  // A device pinned by its hidraw path can only be found through hidraw: grabbing (libusb) uses
  // other paths, so it would silently never match.
  const pinned = devices.some((d) => d.ref.path !== undefined);
  if (config.devices.grab && pinned)
    logger.warn('devices.grab is off: a device is pinned by its hidraw path, which only hidraw can open');
  const backend = await loadNodeHidBackend({
    grab: config.devices.grab && !pinned,
    onFallback: (reason) =>
      logger.error(
        { reason },
        'cannot grab the USB devices (install firmware-config/udev rules); sharing them',
      ),
  });
  return new HidCounterInputs(devices, backend, { logger });
}

/** The devices the simulator plays, and what stands in for a role a file leaves empty. */
export const DEFAULT_VIRTUAL_PROFILES = {
  keypad: 'generic-keypad4-fkeys',
  scanner: 'generic-scanner-wedge',
  badge: 'generic-badge-rfid125',
} as const satisfies Record<DeviceRole, string>;

export interface VirtualInputs {
  inputs: HidCounterInputs;
  keypad: VirtualHidDevice | null;
  scanner: VirtualHidDevice | null;
  badge: VirtualHidDevice | null;
}

/** Virtual devices for tests and the simulator; same decoder and hot-plug logic as real ones. */
export function createVirtualInputs(
  profiles: {
    keypad?: string | DeviceProfile | null;
    scanner?: string | DeviceProfile | null;
    badge?: string | DeviceProfile | null;
  },
  logger: Logger,
  opts: { pollMs?: number } = {},
): VirtualInputs {
  const make = (p: string | DeviceProfile | null | undefined) =>
    p ? new VirtualHidDevice(typeof p === 'string' ? loadProfile(p) : p) : null;
  const keypad = make(profiles.keypad);
  const scanner = make(profiles.scanner);
  const badge = make(profiles.badge);
  const all = [keypad, scanner, badge].filter((d): d is VirtualHidDevice => d !== null);
  const devices = all.map((d) => ({ ref: { profile: d.profile.name }, profile: d.profile }));
  const inputs = new HidCounterInputs(devices, new VirtualHidBackend(all), {
    logger,
    virtual: true,
    pollMs: opts.pollMs ?? 500,
  });
  return { inputs, keypad, scanner, badge };
}
