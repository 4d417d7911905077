import { officialLevel, type RatingEvent, ratingIndex } from '@onestop/protocol';
import { sql } from 'drizzle-orm';
import type { Executor } from '../db.js';
import { type Judging, judgeFresh } from '../judge/judge.js';
import { batchParam, eventsHead, freshIds, type Placed } from './statement.js';

/**
 * Ratings, the bulk of the traffic: ONE statement inserts the events and the `ratings` rows with
 * their official level and score (derived here from the protocol's one definition of the scales),
 * `pending`; a second judges the fresh ones (attribution and misuse filters, store/src/judge) and
 * adds them to the hour's roll-up under their officer only if they count for that officer. The
 * judging needs the rows stored, as the rules compare each rating with every other press of its
 * device, those of the same batch included. Must run in a transaction, after `prepareJudging`.
 * Returns the IDs of the newly inserted events.
 */
export async function projectRatings(
  db: Executor,
  batch: ReadonlyArray<Placed & { payload: RatingEvent }>,
  judging: Judging,
): Promise<string[]> {
  const json = batchParam(batch, (e) => [
    officialLevel(e.payload.scale, e.payload.level),
    ratingIndex(e.payload.scale, e.payload.level),
  ]);
  const ids = await freshIds(
    db,
    sql`${eventsHead(
      'rating',
      json,
      `"visitId" uuid, "officerId" text, "dossierIds" text[], ticket text, scale text, level smallint,
      source text, reasons text[], "responseMs" integer`,
    )},
rt as (
  insert into ratings (event_id, unit_id, counter_id, device_id, officer_id, visit_id, dossier_ids,
    ticket, scale, level, official, score, source, reasons, response_ms, device_ts, at)
  select "eventId", unit_id, counter_id, "deviceId", "officerId", "visitId",
    coalesce("dossierIds", '{}'), ticket, scale, level, o->>4, (o->>5)::smallint, source,
    coalesce(reasons, '{}'), "responseMs", device_ts, at
  from fresh
  on conflict do nothing
)
select event_id from ins`,
  );
  await judgeFresh(db, ids, judging);
  return ids;
}
