import type { ExpressionEvent, PresenceEvent, RatingEvent, VisitEvent } from '@onestop/protocol';
import type { Database, Executor } from './db.js';
import {
  type Origin,
  projectExpressions,
  projectPresence,
  projectRatings,
  projectVisits,
} from './projections/index.js';

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
type ByType = { [K in IngestEventType]: OfType<K>[] };

/** Each kind's projection: stores its events exactly once and derives from the new ones only. */
const PROJECT: { [K in IngestEventType]: (exec: Executor, batch: OfType<K>[]) => Promise<string[]> } = {
  rating: projectRatings,
  visit: projectVisits,
  expression: projectExpressions,
  presence: projectPresence,
};

/**
 * Stores a batch of validated events: per kind, one statement that inserts into `events` (its
 * primary key makes redelivery harmless) and projects the newly inserted ones. A batch of one
 * single-statement kind needs no transaction; anything more runs in ONE transaction. The caller
 * acknowledges to devices only after this resolves.
 */
export async function ingestBatch(db: Database, batch: readonly IngestEvent[]): Promise<IngestResult> {
  const unique: IngestEvent[] = [];
  const duplicates: string[] = [];
  const seen = new Set<string>();
  const byType: ByType = { rating: [], visit: [], expression: [], presence: [] };
  for (const e of batch) {
    if (seen.has(e.payload.eventId)) duplicates.push(e.payload.eventId);
    else {
      seen.add(e.payload.eventId);
      unique.push(e);
      (byType[e.type] as IngestEvent[]).push(e);
    }
  }
  if (unique.length === 0) return { inserted: [], duplicates };

  const kinds = (Object.keys(byType) as IngestEventType[]).filter((k) => byType[k].length > 0);
  const store = async (exec: Executor): Promise<IngestResult> => {
    const fresh = new Set<string>();
    for (const k of kinds) {
      for (const id of await (PROJECT[k] as (e: Executor, b: IngestEvent[]) => Promise<string[]>)(
        exec,
        byType[k],
      ))
        fresh.add(id);
    }
    const inserted: IngestEvent[] = [];
    for (const e of unique) {
      if (fresh.has(e.payload.eventId)) inserted.push(e);
      else duplicates.push(e.payload.eventId);
    }
    return { inserted, duplicates };
  };
  if (kinds.length === 1 && kinds[0] !== 'presence') return store(db);
  return db.transaction((tx) => store(tx));
}
