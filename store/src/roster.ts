import { OfficerId, UnitId } from '@onestop/protocol';
import { type AnyColumn, and, eq, isNull, ne, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from './db.js';
import { pushRosterToDevices } from './device-config.js';
import { StoreInputError } from './devices.js';
import { inTransaction } from './notify.js';
import { auditLog, officers, units } from './schema.js';

/**
 * Joins the officer a row names only when that officer is on the row's own unit's roster: a
 * leader never learns the name of another unit's officer from a device or a form that named them.
 */
export function rosterOfficer(officerId: AnyColumn, unitId: AnyColumn): SQL {
  return and(eq(officers.id, officerId), eq(officers.unitId, unitId)) as SQL;
}

const OfficerInput = z.strictObject({
  unitId: UnitId,
  officerId: OfficerId,
  name: z.string().trim().min(1, 'name is required').max(80),
  badge: z
    .string()
    .trim()
    .max(64)
    .nullable()
    .optional()
    .transform((b) => (b === undefined ? undefined : b || null)),
});

/**
 * A badge already on another officer of the unit. Its fields let a page word the refusal without
 * them for a viewer who may not see badges (the city): the message itself names both.
 */
export class BadgeClashError extends StoreInputError {
  constructor(
    readonly badge: string,
    readonly officerId: string,
  ) {
    super(`badge '${badge}' already belongs to '${officerId}'`);
  }
}

export interface RosterEntry {
  id: string;
  name: string;
  badge: string | null;
}

// Vietnamese alphabetical order (Đ after D, tones after the bare letter), not byte order.
const byName = new Intl.Collator('vi', { sensitivity: 'base' });

export async function unitRoster(db: Executor, unitId: string): Promise<RosterEntry[]> {
  const rows = await db
    .select({ id: officers.id, name: officers.name, badge: officers.badge })
    .from(officers)
    .where(and(eq(officers.unitId, unitId), isNull(officers.retiredAt)));
  return rows.sort((a, b) => byName.compare(a.name, b.name) || a.id.localeCompare(b.id));
}

/**
 * Adds or updates an officer on the unit's roster, then sends the new roster to the unit's
 * counters (kiosk names, badge → officer). Officer IDs are global: one person, one record,
 * so moving an officer to another unit is an explicit retire-and-add, never an accident.
 */
export async function saveOfficer(
  db: Executor,
  input: {
    unitId: string;
    officerId: string;
    name: string;
    /** Absent: the officer keeps the badge they have (none when new); null or '': no badge. */
    badge?: string | null;
    actor: string;
    /**
     * Take over an officer retired from another unit (a transfer). Only the city or an admin at
     * the console may: otherwise a ward could pull another ward's officer, and their record, in.
     */
    transferFromOtherUnit?: boolean;
  },
): Promise<RosterEntry & { countersUpdated: number; countersOnFileSettings: number }> {
  const parsed = OfficerInput.safeParse({
    unitId: input.unitId,
    officerId: input.officerId,
    name: input.name,
    badge: input.badge,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StoreInputError(`${issue?.path.join('.')}: ${issue?.message}`);
  }
  const o = parsed.data;
  // The roster change and the counters' new settings (and their signal) commit together.
  return inTransaction(db, (tx) => storeOfficer(tx, o, input));
}

async function storeOfficer(
  db: Executor,
  given: z.infer<typeof OfficerInput>,
  input: { actor: string; transferFromOtherUnit?: boolean },
): Promise<RosterEntry & { countersUpdated: number; countersOnFileSettings: number }> {
  const [existing] = await db.select().from(officers).where(eq(officers.id, given.officerId)).limit(1);
  const o = { ...given, badge: given.badge === undefined ? (existing?.badge ?? null) : given.badge };
  if (existing && existing.unitId !== o.unitId) {
    if (existing.retiredAt === null)
      throw new StoreInputError(`officer '${o.officerId}' is on the roster of '${existing.unitId}'`);
    if (!input.transferFromOtherUnit)
      throw new StoreInputError(
        `officer '${o.officerId}' belonged to '${existing.unitId}': a transfer needs the city's account`,
      );
  }
  if (o.badge) {
    const [clash] = await db
      .select({ id: officers.id })
      .from(officers)
      .where(
        and(
          eq(officers.unitId, o.unitId),
          eq(officers.badge, o.badge),
          isNull(officers.retiredAt),
          ne(officers.id, o.officerId),
        ),
      )
      .limit(1);
    if (clash) throw new BadgeClashError(o.badge, clash.id);
  }
  await db.insert(units).values({ id: o.unitId, name: o.unitId }).onConflictDoNothing();
  await db
    .insert(officers)
    .values({ id: o.officerId, unitId: o.unitId, name: o.name, badge: o.badge })
    .onConflictDoUpdate({
      target: officers.id,
      set: { unitId: o.unitId, name: o.name, badge: o.badge, retiredAt: null },
    });
  await db.insert(auditLog).values({
    actor: input.actor,
    action: existing ? 'officer.update' : 'officer.add',
    target: o.officerId,
    details: { unitId: o.unitId, name: o.name, badge: o.badge },
  });
  const pushed = await pushRosterToDevices(db, o.unitId);
  return {
    id: o.officerId,
    name: o.name,
    badge: o.badge,
    countersUpdated: pushed.updated,
    countersOnFileSettings: pushed.onFileSettings,
  };
}

/** Takes an officer off the roster (left the unit); their history stays attributed to them. */
export async function retireOfficer(db: Executor, officerId: string, actor: string): Promise<boolean> {
  return inTransaction(db, async (tx) => {
    const rows = await tx
      .update(officers)
      .set({ retiredAt: new Date() })
      .where(and(eq(officers.id, officerId), isNull(officers.retiredAt)))
      .returning({ unitId: officers.unitId });
    const row = rows[0];
    if (!row) return false;
    await tx.insert(auditLog).values({ actor, action: 'officer.retire', target: officerId });
    await pushRosterToDevices(tx, row.unitId);
    return true;
  });
}
