import {
  CounterSettings,
  type CounterSettingsInput,
  describeIssues,
  settingsOnWire,
} from '@onestop/protocol';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import { StoreInputError } from './devices.js';
import { inTransaction, notify } from './notify.js';
import { auditLog, counterConfigs, devices, officers } from './schema.js';

export interface StoredDeviceConfig {
  deviceId: string;
  /** Settings belong to the counter: every board attached to it gets the same. */
  unitId: string;
  counterId: string;
  version: number;
  settings: CounterSettings;
  updatedAt: Date;
}

export interface StoredCounterConfig {
  unitId: string;
  counterId: string;
  version: number;
  settings: CounterSettings;
  updatedAt: Date;
}

/**
 * A board that runs its counter: not revoked, not replaced (a replaced one only drains its
 * outbox). The one definition of "the counter's live board" for settings, commands and alerts.
 */
export const activeDevice = () => and(isNull(devices.revokedAt), isNull(devices.replacedBy));

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
  // A device names its counter: the settings are the counter's, so every live board of that
  // counter gets them (the named one first, as callers read it).
  const named = input.deviceId
    ? (
        await db
          .select({ unitId: devices.unitId, counterId: devices.counterId })
          .from(devices)
          .where(and(activeDevice(), eq(devices.id, input.deviceId)))
      )[0]
    : undefined;
  const targets = (
    input.deviceId && !named
      ? []
      : await db
          .select({
            id: devices.id,
            unitId: devices.unitId,
            counterId: devices.counterId,
            // What the device said of its keypad at its last (re)connect (`birth.keypadScale`).
            keypadScale: sql<string | null>`${devices.birth}->>'keypadScale'`,
          })
          .from(devices)
          .where(
            and(
              activeDevice(),
              named
                ? and(eq(devices.unitId, named.unitId), eq(devices.counterId, named.counterId))
                : eq(devices.unitId, input.unitId!),
            ),
          )
          .orderBy(devices.id)
  ).sort((a, b) => Number(b.id === input.deviceId) - Number(a.id === input.deviceId));
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
    details: {
      versions: out.map((c) => [c.deviceId, c.version]),
      counters: countersOf(out).map((c) => c.counterId),
    },
  });
  await notify(
    db,
    'config_changed',
    input.deviceId ? { deviceIds: out.map((c) => c.deviceId) } : { unitId: input.unitId! },
  );
  return out;
}

/**
 * After a roster change: every counter of the unit that runs on central settings gets them again
 * with the new roster, as a new version, in ONE statement (no read-modify-write race with a
 * technician saving settings). Counters still on their board's own file settings are left alone:
 * a roster must not replace a counter's scale or reasons with defaults. Returns those skipped.
 * Signals `config_changed` for the unit: call it inside the roster change's transaction.
 */
export async function pushRosterToDevices(
  db: Executor,
  unitId: string,
): Promise<{ updated: number; onFileSettings: number }> {
  const roster = await rosterSettings(db, unitId);
  const result = await db.execute(sql`
    update counter_configs c
    set settings = jsonb_set(c.settings, '{officers}', ${JSON.stringify(roster)}::jsonb),
      version = c.version + 1, updated_at = now()
    where c.unit_id = ${unitId}
    returning c.counter_id`);
  const updated = (result as unknown as { rows: unknown[] }).rows.length;
  if (updated > 0) await notify(db, 'config_changed', { unitId });
  // Counters with a live board and no stored settings: their boards run on their own files.
  const [onFile] = await db
    .select({ n: sql<number>`count(distinct ${devices.counterId})::int` })
    .from(devices)
    .leftJoin(
      counterConfigs,
      and(eq(counterConfigs.unitId, devices.unitId), eq(counterConfigs.counterId, devices.counterId)),
    )
    .where(and(activeDevice(), eq(devices.unitId, unitId), isNull(counterConfigs.version)));
  return { updated, onFileSettings: onFile?.n ?? 0 };
}

/** Counters of `targets`, each once, in the order first met. */
function countersOf<T extends { unitId: string; counterId: string }>(targets: readonly T[]): T[] {
  const seen = new Map<string, T>();
  for (const t of targets) {
    const key = `${t.unitId}\u0000${t.counterId}`;
    if (!seen.has(key)) seen.set(key, t);
  }
  return [...seen.values()];
}

/** One new version per counter of `targets`; one row per board, each with its counter's version. */
async function writeConfigs(
  db: Executor,
  targets: ReadonlyArray<{ id: string; unitId: string; counterId: string }>,
  settingsFor: (unitId: string) => CounterSettings,
): Promise<StoredDeviceConfig[]> {
  const stored = new Map<string, StoredCounterConfig>();
  for (const { unitId, counterId } of countersOf(targets)) {
    const settings = settingsFor(unitId);
    // Stored sparse, as they go on the wire: a broker of an older release reading this row parses
    // it strictly, and would refuse a setting it does not know even at its default. Readers
    // parse with the defaults (parseSettings), so they see exactly these settings.
    const sparse = settingsOnWire(settings);
    const [row] = await db
      .insert(counterConfigs)
      // The database's clock, not this process's: brokers compare it with their own `now()`.
      .values({ unitId, counterId, version: 1, settings: sparse, updatedAt: sql`now()` })
      .onConflictDoUpdate({
        target: [counterConfigs.unitId, counterConfigs.counterId],
        set: { version: sql`${counterConfigs.version} + 1`, settings: sparse, updatedAt: sql`now()` },
      })
      .returning();
    if (row) stored.set(`${unitId}\u0000${counterId}`, { ...row, settings });
  }
  return targets.flatMap((t) => {
    const c = stored.get(`${t.unitId}\u0000${t.counterId}`);
    return c ? [{ deviceId: t.id, ...c }] : [];
  });
}

/** The settings of a device's counter (whichever board runs it), or null when none are stored. */
export async function getDeviceConfig(db: Executor, deviceId: string): Promise<StoredDeviceConfig | null> {
  const [row] = await db
    .select({ deviceId: devices.id, config: counterConfigs })
    .from(devices)
    .innerJoin(
      counterConfigs,
      and(eq(counterConfigs.unitId, devices.unitId), eq(counterConfigs.counterId, devices.counterId)),
    )
    .where(eq(devices.id, deviceId))
    .limit(1);
  return row ? { deviceId: row.deviceId, ...row.config, settings: parseSettings(row.config.settings) } : null;
}

/** The settings of one counter, or null when its boards run on their own files. */
export async function getCounterConfig(
  db: Executor,
  unitId: string,
  counterId: string,
): Promise<StoredCounterConfig | null> {
  const [row] = await db
    .select()
    .from(counterConfigs)
    .where(and(eq(counterConfigs.unitId, unitId), eq(counterConfigs.counterId, counterId)))
    .limit(1);
  return row ? { ...row, settings: parseSettings(row.settings) } : null;
}

/** The database's clock: change watermarks must not mix clocks of different machines. */
export async function databaseNow(db: Executor): Promise<Date> {
  const r = await db.execute(sql`select now() as now`);
  const v = (r as unknown as { rows: Array<{ now: string | Date }> }).rows[0]?.now;
  return v instanceof Date ? v : new Date(String(v));
}

/** Live boards of the counters whose config changed after `since`: what a broker must (re)publish. */
export async function configsChangedSince(db: Executor, since: Date): Promise<string[]> {
  const rows = await db
    .select({ deviceId: devices.id })
    .from(counterConfigs)
    .innerJoin(
      devices,
      and(eq(counterConfigs.unitId, devices.unitId), eq(counterConfigs.counterId, devices.counterId)),
    )
    .where(and(gt(counterConfigs.updatedAt, since), activeDevice()))
    .orderBy(devices.id);
  return rows.map((r) => r.deviceId);
}
