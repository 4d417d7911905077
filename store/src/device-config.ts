import { CounterSettings, type CounterSettingsInput, describeIssues } from '@onestop/protocol';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import { StoreInputError } from './devices.js';
import { inTransaction, notify } from './notify.js';
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
 * its next version number, and signals `config_changed` in the same transaction: the brokers
 * publish it retained on `config` at once.
 * Where the unit keeps a roster, its officers replace `settings.officers`: names and badges are
 * managed in one place, the roster, not per device.
 */
export async function setDeviceConfig(
  db: Executor,
  input: { deviceId?: string; unitId?: string; settings: CounterSettingsInput | unknown; actor: string },
): Promise<StoredDeviceConfig[]> {
  const settings = parseSettings(input.settings);
  if (!input.deviceId === !input.unitId) throw new StoreInputError('give either a device or a unit');
  return inTransaction(db, (tx) => storeConfigs(tx, { ...input, settings }));
}

async function storeConfigs(
  db: Executor,
  input: { deviceId?: string; unitId?: string; settings: CounterSettings; actor: string },
): Promise<StoredDeviceConfig[]> {
  const { settings } = input;
  const targets = await db
    .select({
      id: devices.id,
      unitId: devices.unitId,
      // What the device said of its keypad at its last (re)connect (`birth.keypadScale`).
      keypadScale: sql<string | null>`${devices.birth}->>'keypadScale'`,
    })
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
  // A keypad's presses carry its own profile's scale whatever the settings say: a screen showing
  // another scale beside it would ask citizens one question and record another. Refused, naming
  // the devices, so that a unit with mixed keypads sets those counters one by one.
  const contradicted = targets.filter((t) => t.keypadScale !== null && t.keypadScale !== settings.scale);
  if (contradicted.length > 0)
    throw new StoreInputError(
      `scale '${settings.scale}' contradicts the keypad of ${contradicted
        .map((t) => `${t.id} (${t.keypadScale})`)
        .join(
          ', ',
        )}: its keys send their own scale's levels; set that scale, or change the keypad and its profile first`,
    );
  // Names and badges decide whom ratings are attributed to: they come from the roster only
  // (empty roster: badges carry officer IDs), never from a settings form.
  // One roster read per unit, not per device (a unit-wide change touches all its counters).
  const rosters = new Map<string, CounterSettings['officers']>();
  for (const t of targets)
    if (!rosters.has(t.unitId)) rosters.set(t.unitId, await rosterSettings(db, t.unitId));
  const out = await writeConfigs(db, targets, (unitId) => ({ ...settings, officers: rosters.get(unitId)! }));
  await db.insert(auditLog).values({
    actor: input.actor,
    action: 'config.set',
    target: input.deviceId ?? `unit:${input.unitId}`,
    details: { versions: out.map((c) => [c.deviceId, c.version]) },
  });
  await notify(
    db,
    'config_changed',
    input.deviceId ? { deviceIds: out.map((c) => c.deviceId) } : { unitId: input.unitId! },
  );
  return out;
}

/**
 * After a roster change: every device of the unit that runs on central settings gets them again
 * with the new roster, as a new version, in ONE statement (no read-modify-write race with a
 * technician saving settings). Devices still on their own file's settings are left alone: a
 * roster must not replace a counter's scale or reasons with defaults. Returns those skipped.
 * Signals `config_changed` for the unit: call it inside the roster change's transaction.
 */
export async function pushRosterToDevices(
  db: Executor,
  unitId: string,
): Promise<{ updated: number; onFileSettings: number }> {
  const roster = await rosterSettings(db, unitId);
  const result = await db.execute(sql`
    update device_configs c
    set settings = jsonb_set(c.settings, '{officers}', ${JSON.stringify(roster)}::jsonb),
      version = c.version + 1, updated_at = now()
    from devices d
    where d.id = c.device_id and d.unit_id = ${unitId} and d.revoked_at is null
    returning c.device_id`);
  const updated = (result as unknown as { rows: unknown[] }).rows.length;
  if (updated > 0) await notify(db, 'config_changed', { unitId });
  const active = await db
    .select({ id: devices.id })
    .from(devices)
    .where(and(isNull(devices.revokedAt), eq(devices.unitId, unitId)));
  return { updated, onFileSettings: active.length - updated };
}

async function writeConfigs(
  db: Executor,
  targets: ReadonlyArray<{ id: string; unitId: string }>,
  settingsFor: (unitId: string) => CounterSettings,
): Promise<StoredDeviceConfig[]> {
  const out: StoredDeviceConfig[] = [];
  for (const { id, unitId } of targets) {
    const settings = settingsFor(unitId);
    const [row] = await db
      .insert(deviceConfigs)
      // The database's clock, not this process's: brokers compare it with their own `now()`.
      .values({ deviceId: id, version: 1, settings, updatedAt: sql`now()` })
      .onConflictDoUpdate({
        target: deviceConfigs.deviceId,
        set: { version: sql`${deviceConfigs.version} + 1`, settings, updatedAt: sql`now()` },
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

/** The database's clock: change watermarks must not mix clocks of different machines. */
export async function databaseNow(db: Executor): Promise<Date> {
  const r = await db.execute(sql`select now() as now`);
  const v = (r as unknown as { rows: Array<{ now: string | Date }> }).rows[0]?.now;
  return v instanceof Date ? v : new Date(String(v));
}

/** Device IDs whose config changed after `since`: what a broker must (re)publish. */
export async function configsChangedSince(db: Executor, since: Date): Promise<string[]> {
  const rows = await db
    .select({ deviceId: deviceConfigs.deviceId })
    .from(deviceConfigs)
    .where(gt(deviceConfigs.updatedAt, since));
  return rows.map((r) => r.deviceId);
}
