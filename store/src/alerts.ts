import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import { alerts } from './schema.js';

/** One alert condition of one device, as the broker sees it change. */
export interface AlertChange {
  deviceId: string;
  kind: string;
  /** Open (or keep open) the alert with this message; `null` resolves it. */
  message: string | null;
}

/**
 * Applies a batch of alert changes in two set-based statements: open what is new (the partial
 * unique index keeps one open alert per device and kind, so repeats are no-ops) and resolve what
 * cleared. The unit comes from the devices table, so a device cannot raise alerts elsewhere, and
 * a revoked or replaced device none at all (its going offline as it is cut off, or a draining
 * board's state, is no fault to fix).
 */
export async function applyAlertChanges(db: Executor, all: readonly AlertChange[]): Promise<void> {
  // Only the last change per device and kind counts: a device that dropped, came back and dropped
  // again within one batch must end with its alert open, whatever the order of the statements.
  const last = new Map<string, AlertChange>();
  for (const c of all) last.set(`${c.deviceId}\u0000${c.kind}`, c);
  const changes = [...last.values()];
  const rows = (list: readonly AlertChange[]) =>
    JSON.stringify(list.map((c) => ({ device_id: c.deviceId, kind: c.kind, message: c.message })));
  const open = changes.filter((c) => c.message !== null);
  const cleared = changes.filter((c) => c.message === null);
  if (open.length > 0)
    await db.execute(sql`
      insert into alerts (unit_id, device_id, kind, message)
      select d.unit_id, v.device_id, v.kind, v.message
      from jsonb_to_recordset(${rows(open)}::jsonb) as v(device_id text, kind text, message text)
      join devices d on d.id = v.device_id and d.revoked_at is null and d.replaced_by is null
      on conflict (device_id, kind) where resolved_at is null do nothing`);
  if (cleared.length > 0)
    await db.execute(sql`
      update alerts a set resolved_at = now()
      from jsonb_to_recordset(${rows(cleared)}::jsonb) as v(device_id text, kind text)
      where a.device_id = v.device_id and a.kind = v.kind and a.resolved_at is null`);
}

export interface OpenAlert {
  id: number;
  unitId: string;
  deviceId: string | null;
  kind: string;
  message: string;
  createdAt: Date;
}

/** Open alerts, newest first; `unitId` narrows to one ward's devices. */
export async function openAlerts(db: Executor, unitId: string | null, limit = 200): Promise<OpenAlert[]> {
  return db
    .select({
      id: alerts.id,
      unitId: alerts.unitId,
      deviceId: alerts.deviceId,
      kind: alerts.kind,
      message: alerts.message,
      createdAt: alerts.createdAt,
    })
    .from(alerts)
    .where(and(isNull(alerts.resolvedAt), unitId ? eq(alerts.unitId, unitId) : undefined))
    .orderBy(desc(alerts.createdAt), desc(alerts.id))
    .limit(limit);
}

/** Open alerts per kind, for the `onestop_device_alerts_open` gauge. */
export async function openAlertCounts(db: Executor): Promise<Array<{ kind: string; n: number }>> {
  return db
    .select({ kind: alerts.kind, n: sql<number>`count(*)::int` })
    .from(alerts)
    .where(isNull(alerts.resolvedAt))
    .groupBy(alerts.kind);
}
