import { againstTarget, type Figure } from '@onestop/evaluation';
import { type Executor, getUnitSettings, parseUnitSettingsInput } from '@onestop/store';

/** The satisfied-share target a unit's own pages judge against (`UnitSettings.targets`). */
export async function unitTarget(db: Executor, unitId: string): Promise<number> {
  return (await getUnitSettings(db, unitId)).targets.satisfiedShare;
}

/**
 * The same target from a unit row already read (the unit gate's `c.var.unit`), parsed by the same
 * rule as `getUnitSettings`: a page that has the row pays no second read for it.
 */
export function targetOf(unit: { settings: unknown }): number {
  return parseUnitSettingsInput(unit.settings ?? {}).targets.satisfiedShare;
}

/** Rows of a unit's page with their satisfied share coloured against the unit's own target. */
export function againstUnitTarget<R extends { satisfiedShare: Figure }>(
  rows: readonly R[],
  target: number,
): R[] {
  return rows.map((r) => ({ ...r, satisfiedShare: againstTarget(r.satisfiedShare, target) }));
}
