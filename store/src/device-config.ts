import { CounterSettings, type CounterSettingsInput, describeIssues } from '@onestop/protocol';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import { StoreInputError } from './devices.js';
import { auditLog, deviceConfigs, devices, officers } from './schema.js';

export interface StoredDeviceConfig {
  deviceId: string;
  version: number;
  settings: CounterSettings;
  updatedAt: Date;
}

/** Validates before storing: a config that the device would reject must never be published. */
export function parseSettings(input: unknown): CounterSettings {
  const r = CounterSettings.safeParse(input);
  if (!r.success) {
    throw new StoreInputError(`settings: ${describeIssues(r.error).reason}`);
  }
  return r.data;
}

/** The unit's active officers as the `officers` map of counter settings (kiosk names, badges). */
export async function rosterSettings(db: Executor, unitId: string): Promise<CounterSettings['officers']> {
  const rows = await db
    .select({ id: officers.id, name: officers.name, badge: officers.badge })
    .from(officers)
    .where(and(eq(officers.unitId, unitId), isNull(officers.retiredAt)))
    .orderBy(officers.id);
  return Object.fromEntries(rows.map((o) => [o.id, { name: o.name, badge: o.badge }]));
}

/**
 * Stores the desired settings of one device, or of every active device of a unit, each under
 * its next version number. Brokers notice the change and publish it retained on `config`.
 * Where the unit keeps a roster, its officers replace `settings.officers`: names and badges are
 * managed in one place, the roster, not per device.
 */
export async function setDeviceConfig(
  db: Executor,
  input: { deviceId?: string; unitId?: string; settings: CounterSettingsInput | unknown; actor: string },
): Promise<StoredDeviceConfig[]> {
  const settings = parseSettings(input.settings);
  if (!input.deviceId === !input.unitId) throw new StoreInputError('give either a device or a unit');
  const targets = await db
    .select({ id: devices.id, unitId: devices.unitId })
    .from(devices)
    .where(
      and(
        isNull(devices.revokedAt),
        input.deviceId ? eq(devices.id, input.deviceId) : eq(devices.unitId, input.unitId!),
      ),
    );
  if (targets.length === 0)
    throw new StoreInputError(
      input.deviceId ? `no active device '${input.deviceId}'` : `no active devices in unit '${input.unitId}'`,
    );
  const out = await writeConfigs(db, targets, async (unitId) => {
    const roster = await rosterSettings(db, unitId);
    return Object.keys(roster).length > 0 ? { ...settings, officers: roster } : settings;
  });
  await db.insert(auditLog).values({
    actor: input.actor,
    action: 'config.set',
    target: input.deviceId ?? `unit:${input.unitId}`,
    details: { versions: out.map((c) => [c.deviceId, c.version]) },
  });
  return out;
}

/** After a roster change: every active device of the unit gets its settings with the new roster. */
export async function pushRosterToDevices(db: Executor, unitId: string): Promise<StoredDeviceConfig[]> {
  const targets = await db
    .select({ id: devices.id, unitId: devices.unitId })
    .from(devices)
    .where(and(isNull(devices.revokedAt), eq(devices.unitId, unitId)));
  const roster = await rosterSettings(db, unitId);
  const out: StoredDeviceConfig[] = [];
  for (const t of targets) {
    const current = (await getDeviceConfig(db, t.id))?.settings ?? CounterSettings.parse({});
    out.push(...(await writeConfigs(db, [t], async () => ({ ...current, officers: roster }))));
  }
  return out;
}

async function writeConfigs(
  db: Executor,
  targets: ReadonlyArray<{ id: string; unitId: string }>,
  settingsFor: (unitId: string) => Promise<CounterSettings>,
): Promise<StoredDeviceConfig[]> {
  const out: StoredDeviceConfig[] = [];
  for (const { id, unitId } of targets) {
    const settings = await settingsFor(unitId);
    const [row] = await db
      .insert(deviceConfigs)
      .values({ deviceId: id, version: 1, settings, updatedAt: new Date() })
      .onConflictDoUpdate({
        target: deviceConfigs.deviceId,
        set: { version: sql`${deviceConfigs.version} + 1`, settings, updatedAt: new Date() },
      })
      .returning();
    if (row) out.push({ ...row, settings });
  }
  return out;
}

export async function getDeviceConfig(db: Executor, deviceId: string): Promise<StoredDeviceConfig | null> {
  const [row] = await db.select().from(deviceConfigs).where(eq(deviceConfigs.deviceId, deviceId)).limit(1);
  return row ? { ...row, settings: parseSettings(row.settings) } : null;
}

/** Device IDs whose config changed after `since`: what a broker must (re)publish. */
export async function configsChangedSince(db: Executor, since: Date): Promise<string[]> {
  const rows = await db
    .select({ deviceId: deviceConfigs.deviceId })
    .from(deviceConfigs)
    .where(gt(deviceConfigs.updatedAt, since));
  return rows.map((r) => r.deviceId);
}
