import type { PresenceEvent, VisitEvent } from '@onestop/protocol';
import { and, desc, eq, isNull, lte, sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import { presenceIntervals, visits } from './schema.js';

/** Where an event came from: the topic's unit and counter. */
export interface Origin {
  unitId: string;
  counterId: string;
}

/**
 * Start and end of a visit may arrive in either order (a device replays its outbox after a
 * reconnect), and both may be in one batch: merge per visit, then upsert keeping what is known.
 */
export function mergeVisit(
  rows: Map<string, typeof visits.$inferInsert>,
  base: { unitId: string; counterId: string; deviceId: string },
  v: VisitEvent,
): void {
  const prev = rows.get(v.visitId);
  const row: typeof visits.$inferInsert = prev ?? {
    ...base,
    id: v.visitId,
    startedAt: new Date(v.startedAt),
    officerId: null,
    ticket: null,
    trigger: null,
    endedAt: null,
    endReason: null,
    rated: null,
  };
  row.officerId = row.officerId ?? v.officerId;
  row.ticket = row.ticket ?? v.ticket;
  if (v.phase === 'start') {
    row.trigger = v.trigger;
    row.startedAt = new Date(v.startedAt);
  } else {
    row.dossierIds = v.dossierIds;
    row.endedAt = new Date(v.endedAt);
    row.endReason = v.reason;
    row.rated = v.rated;
  }
  rows.set(v.visitId, row);
}

export async function upsertVisits(tx: Executor, rows: (typeof visits.$inferInsert)[]): Promise<void> {
  const keep = (c: 'officerId' | 'ticket' | 'trigger' | 'endedAt' | 'endReason' | 'rated') =>
    sql`coalesce(excluded.${sql.identifier(visits[c].name)}, ${visits[c]})`;
  rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  await tx
    .insert(visits)
    .values(rows)
    .onConflictDoUpdate({
      target: visits.id,
      set: {
        officerId: keep('officerId'),
        ticket: keep('ticket'),
        trigger: keep('trigger'),
        endedAt: keep('endedAt'),
        endReason: keep('endReason'),
        rated: keep('rated'),
        // The start event carries the authoritative start; an end-only row only guessed it.
        startedAt: sql`case when excluded.trigger is not null then excluded.started_at else ${visits.startedAt} end`,
        dossierIds: sql`case when excluded.ended_at is not null then excluded.dossier_ids else ${visits.dossierIds} end`,
      },
    });
}

/**
 * Opens an interval on signed_in/occupied and closes the open one on signed_out/empty. A counter
 * has one officer seat, so opening a new interval of a kind closes any interval left open.
 */
export async function applyPresence(tx: Executor, e: Origin & { payload: PresenceEvent }): Promise<void> {
  const p = e.payload;
  const at = new Date(p.ts);
  const officerId = p.officerId ?? '';
  const opening = p.state === 'signed_in' || p.state === 'occupied';
  const open = and(
    eq(presenceIntervals.deviceId, p.deviceId),
    eq(presenceIntervals.kind, p.kind),
    isNull(presenceIntervals.endedAt),
    lte(presenceIntervals.startedAt, at),
  );
  if (opening) {
    await tx.update(presenceIntervals).set({ endedAt: at, endEventId: p.eventId }).where(open);
    await tx.insert(presenceIntervals).values({
      unitId: e.unitId,
      counterId: e.counterId,
      deviceId: p.deviceId,
      officerId,
      kind: p.kind,
      startedAt: at,
      startEventId: p.eventId,
    });
    return;
  }
  // Closing: the latest open interval (for a session, that officer's); a close with nothing open
  // (its opening was lost or arrives later) stays only in `events`.
  const [target] = await tx
    .select({ id: presenceIntervals.id })
    .from(presenceIntervals)
    .where(p.kind === 'session' ? and(open, eq(presenceIntervals.officerId, officerId)) : open)
    .orderBy(desc(presenceIntervals.startedAt))
    .limit(1);
  if (target) {
    await tx
      .update(presenceIntervals)
      .set({ endedAt: at, endEventId: p.eventId })
      .where(eq(presenceIntervals.id, target.id));
  }
}
