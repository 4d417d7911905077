import { CONFIG_SCHEMA_VERSION } from './config-schema.js';

type Doc = Record<string, unknown>;
const isDoc = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Version 1 files (the pilot at Trung Văn, before the device profiles existed) had no
 * `schemaVersion`, a flat `broker: {host, port, tls, username, password}`, `unit/counter/device`
 * at the top level and `keypadProfile` instead of `devices`. Rewrites them into the current
 * shape; fields it does not know are left in place so that validation reports them by name.
 */
function v1ToV2(doc: Doc): Doc {
  const { unit, counter, device, broker, keypadProfile, scannerProfile, badgeProfile, ...rest } = doc;
  const out: Doc = { ...rest, schemaVersion: 2 };
  out.device = { unitId: unit, counterId: counter, deviceId: device };
  if (isDoc(broker)) {
    const { host, port, tls, username, password, ...brokerRest } = broker;
    const scheme = tls === true ? 'mqtts' : 'mqtt';
    out.mqtt = {
      ...brokerRest,
      url: `${scheme}://${String(host)}:${String(port ?? (tls === true ? 8883 : 1883))}`,
      username,
      password,
    };
  } else {
    out.mqtt = broker;
  }
  const ref = (p: unknown) => (typeof p === 'string' ? { profile: p } : null);
  out.devices = { keypad: ref(keypadProfile), scanner: ref(scannerProfile), badge: ref(badgeProfile) };
  return out;
}

const MIGRATIONS: Record<number, (doc: Doc) => Doc> = { 1: v1ToV2 };

/**
 * The oldest device file this code reads (it migrates anything from here up in memory). A
 * release names it as its `minConfigSchema`: a board whose file is at least this old runs it.
 */
export const OLDEST_READABLE_CONFIG_SCHEMA: number = Math.min(
  CONFIG_SCHEMA_VERSION,
  ...Object.keys(MIGRATIONS).map(Number),
);

/** Brings a parsed config document up to the current schema version, one step at a time. */
export function migrateConfig(input: unknown): { doc: unknown; from: number } {
  if (!isDoc(input)) return { doc: input, from: CONFIG_SCHEMA_VERSION };
  const declared = input.schemaVersion;
  let version = declared === undefined ? 1 : declared;
  if (
    typeof version !== 'number' ||
    !Number.isInteger(version) ||
    version > CONFIG_SCHEMA_VERSION ||
    version < 1
  ) {
    return { doc: input, from: CONFIG_SCHEMA_VERSION }; // let the schema name the bad version
  }
  const from = version;
  let doc = input;
  while (version < CONFIG_SCHEMA_VERSION) {
    const step = MIGRATIONS[version];
    if (!step) throw new Error(`no migration from config schemaVersion ${version}`);
    doc = step(doc);
    version++;
  }
  return { doc, from };
}
