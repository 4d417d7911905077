import { sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import { officers, units } from './schema.js';

/** Units and officers are reference data: create or rename, never delete (history points at them). */
export async function upsertUnit(
  db: Executor,
  u: { id: string; name: string; province?: string },
): Promise<void> {
  await db
    .insert(units)
    .values({ id: u.id, name: u.name, province: u.province ?? '' })
    .onConflictDoUpdate({ target: units.id, set: { name: u.name, province: sql`excluded.province` } });
}

export async function upsertOfficer(
  db: Executor,
  o: { id: string; unitId: string; name: string },
): Promise<void> {
  await db
    .insert(officers)
    .values(o)
    .onConflictDoUpdate({ target: officers.id, set: { name: o.name, unitId: o.unitId } });
}
