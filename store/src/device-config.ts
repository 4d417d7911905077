import { CounterSettings, type CounterSettingsInput, describeIssues } from '@onestop/protocol';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import { StoreInputError } from './devices.js';
import { auditLog, deviceConfigs, devices } from './schema.js';

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

/**
 * Stores the desired settings of one device, or of every active device of a unit, each under
 * its next version number. Brokers notice the change and publish it retained on `config`.
 */
export async function setDeviceConfig(
  db: Executor,
  input: { deviceId?: string; unitId?: string; settings: CounterSettingsInput | unknown; actor: string },
): Promise<StoredDeviceConfig[]> {
  const settings = parseSettings(input.settings);
  if (!input.deviceId === !input.unitId) throw new StoreInputError('give either a device or a unit');
  const targets = await db
    .select({ id: devices.id })
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
  const out: StoredDeviceConfig[] = [];
  for (const { id } of targets) {
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
  await db.insert(auditLog).values({
    actor: input.actor,
    action: 'config.set',
    target: input.deviceId ?? `unit:${input.unitId}`,
    details: { versions: out.map((c) => [c.deviceId, c.version]) },
  });
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
