import type { DeviceProfile, DeviceRole } from '@onestop/firmware-config';

const ROLES: readonly DeviceRole[] = ['keypad', 'scanner', 'badge'];

export interface DetectedDevices {
  /** The one profile of each role that fits a plugged device. */
  chosen: Partial<Record<DeviceRole, string>>;
  /** Roles where several profiles fit: the technician names one (`--keypad P`). */
  ambiguous: Array<{ role: DeviceRole; profiles: string[] }>;
}

/**
 * Which keypad, scanner and badge reader profiles to write, from the profiles that fit the HID
 * devices plugged in (`onestop hid list`'s matching): a role is filled only when exactly one
 * profile of it fits, never guessed among several.
 */
export function chooseProfiles(
  plugged: ReadonlyArray<{ profiles: readonly string[] }>,
  known: readonly Pick<DeviceProfile, 'name' | 'role'>[],
): DetectedDevices {
  const roleOf = new Map(known.map((p) => [p.name, p.role]));
  const fitting = new Map<DeviceRole, Set<string>>(ROLES.map((r) => [r, new Set()]));
  for (const device of plugged)
    for (const name of device.profiles) {
      const role = roleOf.get(name);
      if (role) fitting.get(role)!.add(name);
    }
  const out: DetectedDevices = { chosen: {}, ambiguous: [] };
  for (const role of ROLES) {
    const names = [...fitting.get(role)!].sort();
    if (names.length === 1) out.chosen[role] = names[0]!;
    else if (names.length > 1) out.ambiguous.push({ role, profiles: names });
  }
  return out;
}

/** The plugged devices' fitting profiles, through hidraw; null where the board cannot list them. */
export async function detectDevices(): Promise<DetectedDevices | null> {
  const [edge, fw] = await Promise.all([import('@onestop/edge-agent'), import('@onestop/firmware-config')]);
  const known = fw.listProfiles([]).map((n) => fw.loadProfile(n, []));
  try {
    const backend = await edge.loadNodeHidBackend({ grab: false });
    return chooseProfiles(await edge.listHidDevices(backend, known), known);
  } catch {
    return null;
  }
}
