import { migrateUnitSettings, UnitSettings, type UnitSettingsInput } from '@onestop/evaluation';
import { describeIssues } from '@onestop/protocol';
import { eq } from 'drizzle-orm';
import type { Executor } from '../db.js';
import { StoreInputError } from '../devices.js';
import { inTransaction } from '../notify.js';
import { auditLog, units } from '../schema.js';

/** Validates (after migrating an older version) or throws a StoreInputError naming the field. */
export function parseUnitSettingsInput(input: unknown): UnitSettings {
  const r = UnitSettings.safeParse(migrateUnitSettings(input ?? {}).doc);
  if (!r.success) throw new StoreInputError(`settings: ${describeIssues(r.error).reason}`);
  return r.data;
}

/**
 * A unit's evaluation settings, every default filled in; a unit with no row (or `{}`) has all the
 * defaults. A stored document that no longer validates is reported, not silently replaced.
 */
export async function getUnitSettings(db: Executor, unitId: string): Promise<UnitSettings> {
  const [row] = await db
    .select({ settings: units.settings })
    .from(units)
    .where(eq(units.id, unitId))
    .limit(1);
  return parseUnitSettingsInput(row?.settings ?? {});
}

/**
 * Validates and stores a unit's evaluation settings as a complete document of the current
 * version, with an audit-log entry of who changed what from what, in one transaction. They judge
 * ratings from then on; verdicts already stored stand until something re-judges them (a late
 * event), so changing a threshold never silently rewrites a past period.
 */
export async function setUnitSettings(
  db: Executor,
  input: { unitId: string; settings: UnitSettingsInput | unknown; actor: string },
): Promise<UnitSettings> {
  const settings = parseUnitSettingsInput(input.settings);
  return inTransaction(db, async (tx) => {
    const before = await getUnitSettings(tx, input.unitId).catch(() => null);
    await tx
      .insert(units)
      .values({ id: input.unitId, name: input.unitId, settings })
      .onConflictDoUpdate({ target: units.id, set: { settings } });
    await tx.insert(auditLog).values({
      actor: input.actor,
      action: 'unit.settings',
      target: input.unitId,
      details: { before, after: settings },
    });
    return settings;
  });
}

/**
 * Stores settings for a unit that has none yet (`{}`), e.g. the demo wards of the simulator;
 * a unit whose settings someone chose keeps them. Returns whether it stored them.
 */
export async function initUnitSettings(
  db: Executor,
  input: { unitId: string; settings: UnitSettingsInput; actor: string },
): Promise<boolean> {
  const [row] = await db
    .select({ settings: units.settings })
    .from(units)
    .where(eq(units.id, input.unitId))
    .limit(1);
  if (row && Object.keys(row.settings).length > 0) return false;
  await setUnitSettings(db, input);
  return true;
}
