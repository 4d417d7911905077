import { officialLevel, type RatingEvent, ratingIndex } from '@onestop/protocol';
import { sql } from 'drizzle-orm';
import type { Executor } from '../db.js';
import { rollupUpsert } from './rollup.js';
import { batchParam, eventsHead, freshIds, type Placed } from './statement.js';

/**
 * Ratings, the bulk of the traffic, in ONE statement (one round trip, one parse, one plan): the
 * `events` insert, the `ratings` rows with their official level and score (derived here from the
 * protocol's one definition of the scales), and the hour's counts and per-level distribution.
 * Returns the IDs of the newly inserted events.
 */
export function projectRatings(db: Executor, batch: ReadonlyArray<Placed & { payload: RatingEvent }>) {
  const json = batchParam(batch, (e) => [
    officialLevel(e.payload.scale, e.payload.level),
    ratingIndex(e.payload.scale, e.payload.level),
  ]);
  return freshIds(
    db,
    sql`${eventsHead(
      'rating',
      json,
      `"visitId" uuid, "officerId" text, "dossierIds" text[], ticket text, scale text, level smallint,
      source text, reasons text[], "responseMs" integer`,
    )},
rt as (
  insert into ratings (event_id, unit_id, counter_id, device_id, officer_id, visit_id, dossier_ids,
    ticket, scale, level, official, score, source, reasons, response_ms, device_ts, at, attribution)
  select "eventId", unit_id, counter_id, "deviceId", "officerId", "visitId",
    coalesce("dossierIds", '{}'), ticket, scale, level, o->>4, (o->>5)::smallint, source,
    coalesce(reasons, '{}'), "responseMs", device_ts, at, 'verified'
  from fresh
  on conflict do nothing
),
ru as (${sql.raw(ROLLUP)})
select event_id from ins`,
  );
}

const ROLLUP = rollupUpsert(
  ['ratings', 'very_satisfied', 'satisfied', 'unsatisfied', 'score_sum'],
  `select unit_id, counter_id, coalesce("officerId", '') as officer_id, hour, scale || ':' || level as level_key,
    1 as ratings, (o->>4 = 'very_satisfied')::int as very_satisfied, (o->>4 = 'satisfied')::int as satisfied,
    (o->>4 = 'unsatisfied')::int as unsatisfied, (o->>5)::int as score_sum
  from fresh`,
  true,
);
