import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../db.js';
import { events } from '../schema.js';

/** An event whose time could not be placed: stored, counted nowhere, shown to technicians. */
export interface QuarantinedEvent {
  eventId: string;
  unitId: string;
  counterId: string;
  deviceId: string;
  type: string;
  /** What the device's clock claimed. */
  deviceTs: Date;
  receivedAt: Date;
}

/** The latest quarantined events, newest first; `unitId` narrows to one ward's devices. */
export async function quarantinedEvents(
  db: Executor,
  opts: { unitId: string | null; limit: number },
): Promise<QuarantinedEvent[]> {
  return db
    .select({
      eventId: events.eventId,
      unitId: events.unitId,
      counterId: events.counterId,
      deviceId: events.deviceId,
      type: events.type,
      deviceTs: events.deviceTs,
      receivedAt: events.receivedAt,
    })
    .from(events)
    .where(and(isNull(events.at), opts.unitId ? eq(events.unitId, opts.unitId) : undefined))
    .orderBy(desc(events.receivedAt), desc(events.eventId))
    .limit(opts.limit);
}

/**
 * How many events of each device are quarantined (devices with none are absent). `deviceIds`
 * narrows to the devices a page lists (the partial index `events_quarantined_idx` answers it).
 */
export async function quarantineCounts(
  db: Executor,
  unitId: string | null,
  deviceIds?: readonly string[],
): Promise<Map<string, number>> {
  if (deviceIds?.length === 0) return new Map();
  const rows = await db
    .select({ deviceId: events.deviceId, n: sql<number>`count(*)::int` })
    .from(events)
    .where(
      and(
        isNull(events.at),
        unitId ? eq(events.unitId, unitId) : undefined,
        deviceIds ? inArray(events.deviceId, [...deviceIds]) : undefined,
      ),
    )
    .groupBy(events.deviceId);
  return new Map(rows.map((r) => [r.deviceId, Number(r.n)]));
}
