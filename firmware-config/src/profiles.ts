import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigFileError, listIssues } from './issues.js';
import { DeviceProfile, PROFILE_NAME } from './profile-schema.js';

/** Profiles shipped with the agent; a technician may add a directory of their own. */
export const BUILTIN_PROFILES_DIR = fileURLToPath(new URL('../profiles', import.meta.url));

export function parseDeviceProfile(data: unknown, source = 'profile'): DeviceProfile {
  const r = DeviceProfile.safeParse(data);
  if (!r.success) throw new ConfigFileError(source, listIssues(r.error));
  return r.data;
}

export function loadProfileFile(file: string): DeviceProfile {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigFileError(file, [
      { path: '(root)', message: `cannot read JSON: ${(e as Error).message}` },
    ]);
  }
  const profile = parseDeviceProfile(data, file);
  const expected = file.replace(/^.*[\\/]/, '').replace(/\.json$/, '');
  if (profile.name !== expected) {
    throw new ConfigFileError(file, [{ path: 'name', message: `must equal the file name '${expected}'` }]);
  }
  return profile;
}

/** Looks in the extra directories first so that a local file overrides a built-in one. */
export function loadProfile(name: string, dirs: readonly string[] = []): DeviceProfile {
  if (!PROFILE_NAME.test(name)) throw new Error(`profile name '${name}' is not a lower-case slug`);
  for (const dir of [...dirs, BUILTIN_PROFILES_DIR]) {
    const file = join(dir, `${name}.json`);
    if (existsSync(file)) return loadProfileFile(file);
  }
  throw new Error(`no device profile '${name}' (known: ${listProfiles(dirs).join(', ')})`);
}

export function listProfiles(dirs: readonly string[] = []): string[] {
  const names = new Set<string>();
  for (const dir of [...dirs, BUILTIN_PROFILES_DIR]) {
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (f.endsWith('.json')) names.add(f.slice(0, -5));
  }
  return [...names].sort();
}
