import { and, asc, eq, gte, sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import { inTransaction } from './notify.js';
import { deviceTelemetry } from './schema.js';

/** Two weeks at one row a minute: ~20,000 rows per device, enough to see a pattern come back. */
export const TELEMETRY_KEEP_DAYS = 14;

export type TelemetryPoint = typeof deviceTelemetry.$inferSelect;

/** A device's telemetry minutes from `since`, oldest first. */
export async function telemetryHistory(
  db: Executor,
  deviceId: string,
  since: Date,
): Promise<TelemetryPoint[]> {
  return db
    .select()
    .from(deviceTelemetry)
    .where(and(eq(deviceTelemetry.deviceId, deviceId), gte(deviceTelemetry.minute, since)))
    .orderBy(asc(deviceTelemetry.minute));
}

/** The prune's advisory lock class ('tprn'): processes sharing a database prune one at a time. */
export const TELEMETRY_PRUNE_LOCK_CLASS = 0x7470726e;

/**
 * Deletes the minutes older than `keepDays` (by the database's clock); returns how many, or null
 * when another process sharing the database is pruning now (it does the same work). Counted in
 * the database: a backlog of months must not come back to this process row by row.
 */
export async function pruneTelemetryHistory(
  db: Executor,
  keepDays = TELEMETRY_KEEP_DAYS,
): Promise<number | null> {
  return inTransaction(db, async (tx) => {
    const lock = await tx.execute(
      sql`select pg_try_advisory_xact_lock(${sql.raw(String(TELEMETRY_PRUNE_LOCK_CLASS))}, 0) as locked`,
    );
    if ((lock as unknown as { rows: Array<{ locked: boolean }> }).rows[0]?.locked !== true) return null;
    const gone = await tx.execute(sql`
      with gone as (
        delete from ${deviceTelemetry}
        where ${deviceTelemetry.minute} < now() - ${`${keepDays} days`}::interval
        returning 1)
      select count(*)::int as n from gone`);
    return Number((gone as unknown as { rows: Array<{ n: number }> }).rows[0]?.n ?? 0);
  });
}

/** Telemetry pruned by whichever broker's timer fires first: once a quarter of an hour. */
export const TELEMETRY_PRUNE_EVERY_MS = 15 * 60_000;
