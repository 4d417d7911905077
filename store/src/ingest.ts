import type { ExpressionEvent, PresenceEvent, RatingEvent, VisitEvent } from '@onestop/protocol';
import { sql } from 'drizzle-orm';
import type { Database, Executor } from './db.js';
import { refreshDossierOutcomes } from './dossier-outcomes.js';
import { type Judging, prepareJudging } from './judge/judge.js';
import {
  eventKey,
  type Origin,
  projectExpressions,
  projectPresence,
  projectRatings,
  projectVisits,
} from './projections/index.js';
import { type PlacedEvent, placeTimes } from './time/place.js';

export type { Origin } from './projections/index.js';

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

type OfType<K extends IngestEventType> = Extract<IngestEvent, { type: K }>;
type ByType = { [K in IngestEventType]: Placed<K>[] };

/** Each kind's projection: stores its events exactly once and derives from the new ones only. */
type Placed<K extends IngestEventType> = OfType<K> & Pick<PlacedEvent, 'at' | 'timeSource'>;
const PROJECT: {
  [K in IngestEventType]: (exec: Executor, batch: Placed<K>[], judging: Judging) => Promise<string[]>;
} = {
  rating: projectRatings,
  visit: projectVisits,
  expression: projectExpressions,
  presence: projectPresence,
};

/**
 * Stores a batch of validated events: per kind, one statement that inserts into `events` (its
 * primary key makes redelivery harmless) and projects the newly inserted ones; ratings and
 * presence and visits judge ratings (store/src/judge). A batch of expressions alone needs no
 * transaction; anything else runs in ONE transaction. The caller acknowledges to devices only
 * after this resolves.
 */
export async function ingestBatch(db: Database, batch: readonly IngestEvent[]): Promise<IngestResult> {
  const unique: IngestEvent[] = [];
  const duplicates: string[] = [];
  const seen = new Set<string>();
  for (const e of batch) {
    if (seen.has(eventKey(e.payload.eventId))) duplicates.push(e.payload.eventId);
    else {
      seen.add(eventKey(e.payload.eventId));
      unique.push(e);
    }
  }
  if (unique.length === 0) return { inserted: [], duplicates };
  const stored = await storedAlready(db, unique);
  const isStored = (e: IngestEvent) => stored.has(eventKey(e.payload.eventId));
  // Placed with the redeliveries beside them, as before the probe: for a device that never sent a
  // birth, the batch's newest boot (a stored event's, maybe) says which boot is live (time/live.ts).
  const placedTogether = [...unique];
  if (stored.size > 0) {
    // Redeliveries first (in the order given), then repeats within the batch, then any event a
    // concurrent lane stored between this probe and the insert.
    duplicates.unshift(...unique.filter(isStored).map((e) => e.payload.eventId));
    unique.splice(0, unique.length, ...unique.filter((e) => !isStored(e)));
    if (unique.length === 0) return { inserted: [], duplicates };
  }

  const receivedAtMs = Date.now();
  const kindsIn = new Set(unique.map((e) => e.type));
  const store = async (exec: Executor): Promise<IngestResult> => {
    // Presence first: a rating is judged against the sessions known once its batch is stored.
    const byType: ByType = { presence: [], visit: [], rating: [], expression: [] };
    for (const e of await placeTimes(exec, placedTogether, receivedAtMs))
      if (!isStored(e)) (byType[e.type] as PlacedEvent[]).push(e);
    // Ratings are judged against presence, visits and each other: their units and devices are locked first.
    const judged = unique.filter((e) => e.type !== 'expression');
    const judging = judged.length > 0 ? await prepareJudging(exec, judged) : { rules: [] };
    const fresh = new Set<string>();
    for (const k of Object.keys(byType) as IngestEventType[]) {
      if (byType[k].length === 0) continue;
      for (const id of await (PROJECT[k] as (e: Executor, b: PlacedEvent[], j: Judging) => Promise<string[]>)(
        exec,
        byType[k],
        judging,
      ))
        fresh.add(id);
    }
    // The Decision 766 outcomes of the dossiers this batch touched, under the units' locks taken above.
    if (judged.length > 0)
      await refreshDossierOutcomes(exec, { units: [...new Set(judged.map((e) => e.unitId))] });
    const inserted: IngestEvent[] = [];
    for (const e of unique) {
      if (fresh.has(eventKey(e.payload.eventId))) inserted.push(e);
      else duplicates.push(e.payload.eventId);
    }
    return { inserted, duplicates };
  };
  if (kindsIn.size === 1 && kindsIn.has('expression')) return store(db);
  return db.transaction((tx) => store(tx));
}

/**
 * The batch's events already in `events` (never deleted), read in one index probe before any
 * lock is taken. A redelivery then costs that probe, not a judging transaction under its units'
 * locks: after a broker or ingest restart most of what arrives is re-sent, and when every re-sent
 * event cost as much as a new one the backlog grew faster than it drained. Only a shortcut: an
 * event stored by another lane after this read is still caught by the insert's primary key.
 */
async function storedAlready(db: Database, batch: readonly IngestEvent[]): Promise<Set<string>> {
  const ids = batch.map((e) => e.payload.eventId);
  const result = await db.execute(sql`select event_id::text as id from events
    where event_id in (select value::uuid from jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`);
  return new Set((result as unknown as { rows: { id: string }[] }).rows.map((r) => eventKey(r.id)));
}
