import type { ExpressionEvent, PresenceEvent, RatingEvent, VisitEvent } from '@onestop/protocol';
import { sql } from 'drizzle-orm';
import { bulkInsert } from './bulk.js';
import type { Database, Executor } from './db.js';
import { insertRatings } from './ingest-ratings.js';
import { applyPresence, mergeVisit, type Origin, upsertVisits } from './ingest-visits-presence.js';
import { events, expressionSummaries, hourlyRollups, type visits } from './schema.js';

export type IngestEvent =
  | (Origin & { type: 'rating'; payload: RatingEvent })
  | (Origin & { type: 'visit'; payload: VisitEvent })
  | (Origin & { type: 'presence'; payload: PresenceEvent })
  | (Origin & { type: 'expression'; payload: ExpressionEvent });

export type IngestEventType = IngestEvent['type'];

export interface IngestResult {
  /** Newly stored events, in the order given. */
  inserted: IngestEvent[];
  /** Event IDs that were already stored (or repeated within the batch): acknowledged again, not re-counted. */
  duplicates: string[];
}

const HOUR_MS = 3_600_000;
/** The hour bucket of a device timestamp; Vietnam is UTC+7, a whole-hour offset, so UTC buckets line up. */
const hourOf = (ms: number) => new Date(Math.floor(ms / HOUR_MS) * HOUR_MS);

/**
 * Stores a batch of validated events in ONE transaction: the events table first (its primary key
 * makes redelivery harmless), then the derived tables for the newly inserted ones only. The caller
 * acknowledges to devices only after this resolves.
 */
export async function ingestBatch(db: Database, batch: readonly IngestEvent[]): Promise<IngestResult> {
  const unique: IngestEvent[] = [];
  const duplicates: string[] = [];
  const seen = new Set<string>();
  for (const e of batch) {
    if (seen.has(e.payload.eventId)) duplicates.push(e.payload.eventId);
    else {
      seen.add(e.payload.eventId);
      unique.push(e);
    }
  }
  if (unique.length === 0) return { inserted: [], duplicates };

  // Ratings, the bulk of the traffic, go in one statement; on their own they need no transaction.
  const ratingEvents: Array<IngestEvent & { type: 'rating' }> = [];
  const others: IngestEvent[] = [];
  for (const e of unique) {
    if (e.type === 'rating') ratingEvents.push(e);
    else others.push(e);
  }
  const store = async (exec: Executor): Promise<IngestResult> => {
    const fresh = new Set(await insertRatings(exec, ratingEvents));
    if (others.length > 0) {
      const rows = await bulkInsert(
        exec,
        events,
        others.map((e) => ({
          eventId: e.payload.eventId,
          type: e.type,
          unitId: e.unitId,
          counterId: e.counterId,
          deviceId: e.payload.deviceId,
          bootId: e.payload.bootId,
          seq: e.payload.seq,
          deviceTs: new Date(e.payload.ts),
          payload: e.payload,
        })),
        { onConflictDoNothing: true, returning: 'event_id' },
      );
      for (const r of rows) fresh.add(r.event_id as string);
    }
    const inserted: IngestEvent[] = [];
    const insertedOthers: IngestEvent[] = [];
    for (const e of unique) {
      if (!fresh.has(e.payload.eventId)) duplicates.push(e.payload.eventId);
      else {
        inserted.push(e);
        if (e.type !== 'rating') insertedOthers.push(e);
      }
    }
    if (insertedOthers.length > 0) await fanOut(exec, insertedOthers);
    return { inserted, duplicates };
  };
  if (others.length === 0) return store(db);
  return db.transaction((tx) => store(tx));
}

async function fanOut(tx: Executor, inserted: IngestEvent[]): Promise<void> {
  const rollups = new RollupAccumulator();
  const exprRows: (typeof expressionSummaries.$inferInsert)[] = [];
  const visitRows = new Map<string, typeof visits.$inferInsert>();
  const presence: Array<Origin & { payload: PresenceEvent }> = [];

  for (const e of inserted) {
    const p = e.payload;
    const base = { unitId: e.unitId, counterId: e.counterId, deviceId: p.deviceId };
    if (e.type === 'rating') continue; // stored by insertRatings
    if (e.type === 'expression') {
      const x = e.payload;
      exprRows.push({
        ...base,
        eventId: x.eventId,
        officerId: x.officerId,
        visitId: x.visitId,
        startedAt: new Date(x.startedAt),
        endedAt: new Date(x.endedAt),
        frames: x.frames,
        exitFrames: x.exitFrames,
        mean: x.mean,
        exit: x.exit,
        satisfactionIndex: x.satisfactionIndex,
        confidence: x.confidence,
      });
      const i = x.satisfactionIndex;
      rollups.add(e, x.officerId, x.ts, {
        expressions: 1,
        expressionIndexSum: i,
        expressionIndexSqSum: i * i,
      });
    } else if (e.type === 'visit') {
      mergeVisit(visitRows, base, e.payload);
      if (e.payload.phase === 'end') {
        rollups.add(e, e.payload.officerId, e.payload.ts, {
          visits: 1,
          unratedVisits: e.payload.rated ? 0 : 1,
        });
      }
    } else {
      presence.push(e);
    }
  }

  await bulkInsert(tx, expressionSummaries, exprRows, { onConflictDoNothing: true });
  if (visitRows.size > 0) await upsertVisits(tx, [...visitRows.values()]);
  // In device order, so that a sign-in and sign-out in the same batch pair up.
  presence.sort((a, b) => a.payload.ts - b.payload.ts || a.payload.seq - b.payload.seq);
  for (const e of presence) await applyPresence(tx, e);
  await rollups.flush(tx);
}

type RollupCounts = Partial<Pick<typeof hourlyRollups.$inferInsert, (typeof ROLLUP_COUNTERS)[number]>>;
const ROLLUP_COUNTERS = [
  'ratings',
  'verySatisfied',
  'satisfied',
  'unsatisfied',
  'scoreSum',
  'visits',
  'unratedVisits',
  'expressions',
  'expressionIndexSum',
  'expressionIndexSqSum',
] as const;

/** Sums a batch's increments per (unit, counter, officer, hour) so each row is upserted once. */
class RollupAccumulator {
  private readonly rows = new Map<string, typeof hourlyRollups.$inferInsert>();

  add(o: Origin, officerId: string | null, ts: number, inc: RollupCounts): void {
    const hour = hourOf(ts);
    const key = `${o.unitId}\u0000${o.counterId}\u0000${officerId ?? ''}\u0000${hour.getTime()}`;
    let row = this.rows.get(key);
    if (!row) {
      row = { unitId: o.unitId, counterId: o.counterId, officerId: officerId ?? '', hour };
      this.rows.set(key, row);
    }
    for (const c of ROLLUP_COUNTERS) row[c] = (row[c] ?? 0) + (inc[c] ?? 0);
  }

  async flush(tx: Executor): Promise<void> {
    if (this.rows.size === 0) return;
    // A fixed key order keeps two concurrent ingest transactions from deadlocking on these rows.
    const sorted = [...this.rows.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, r]) => r);
    const set = Object.fromEntries(
      ROLLUP_COUNTERS.map((c) => {
        const name = hourlyRollups[c].name;
        return [c, sql`${hourlyRollups[c]} + excluded.${sql.identifier(name)}`];
      }),
    );
    await tx
      .insert(hourlyRollups)
      .values(sorted)
      .onConflictDoUpdate({
        target: [hourlyRollups.unitId, hourlyRollups.counterId, hourlyRollups.officerId, hourlyRollups.hour],
        set,
      });
  }
}
