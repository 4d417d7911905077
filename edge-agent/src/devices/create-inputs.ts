import { type AgentConfig, type DeviceProfile, loadProfile } from '@onestop/firmware-config';
import type { Logger } from 'pino';
import { loadNodeHidBackend } from './hid-backend.js';
import { type ConfiguredDevice, HidCounterInputs } from './hid-inputs.js';
import type { CounterInputs } from './inputs.js';
import { VirtualHidBackend, VirtualHidDevice } from './virtual-hid.js';

function configured(config: AgentConfig): ConfiguredDevice[] {
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
  const devices = configured(config);
  if (devices.length === 0)
    return new HidCounterInputs(
      [],
      { devices: async () => [], open: () => Promise.reject(new Error('none')) },
      { logger },
    );
  return new HidCounterInputs(devices, await loadNodeHidBackend({ grab: config.devices.grab }), { logger });
}

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
