import { and, asc, eq, gte, lt, sql } from 'drizzle-orm';
import type { Executor } from './db.js';
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

/** Deletes the minutes older than `keepDays` (by the database's clock); returns how many. */
export async function pruneTelemetryHistory(db: Executor, keepDays = TELEMETRY_KEEP_DAYS): Promise<number> {
  const gone = await db
    .delete(deviceTelemetry)
    .where(lt(deviceTelemetry.minute, sql`now() - ${`${keepDays} days`}::interval`))
    .returning({ deviceId: deviceTelemetry.deviceId });
  return gone.length;
}
