import { officialLevel, type RatingEvent, ratingIndex } from '@onestop/protocol';
import { sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import type { Origin } from './ingest-visits-presence.js';

/**
 * The hot path of ingest, ratings, in ONE statement (one round trip, one parse, one plan): the
 * `events` insert (its primary key makes redelivery harmless), the `ratings` rows and the
 * `hourly_rollups` increments (counts, official levels, and the per-level distribution) for the
 * newly inserted events only, through data-modifying CTEs.
 * The batch travels as one JSON parameter of `[[unit, counter, official, score], payload]` pairs:
 * the payload is stored as it is in `events.payload` and its columns are read by
 * `jsonb_to_record` (C code, arrays included), so no value is sent twice. Roll-up rows are
 * upserted in key order, which keeps two concurrent ingest transactions from deadlocking.
 * Returns the IDs of the newly inserted events.
 */
export async function insertRatings(
  db: Executor,
  batch: ReadonlyArray<Origin & { payload: RatingEvent }>,
): Promise<string[]> {
  if (batch.length === 0) return [];
  const json = JSON.stringify(
    batch.map((e) => {
      const r = e.payload;
      return [[e.unitId, e.counterId, officialLevel(r.scale, r.level), ratingIndex(r.scale, r.level)], r];
    }),
  );
  const result = await db.execute(sql`
with r as (
  select p.*, o->>0 as unit_id, o->>1 as counter_id, o->>2 as official, (o->>3)::smallint as score,
    x->1 as payload, to_timestamp(p.ts / 1000.0) as device_ts,
    to_timestamp((p.ts / 3600000) * 3600) as hour
  from jsonb_array_elements(${json}::jsonb) as x,
    lateral (select x->0 as o) as oo,
    jsonb_to_record(x->1) as p("eventId" uuid, "deviceId" text, "bootId" uuid, seq bigint, ts bigint,
      "visitId" uuid, "officerId" text, "dossierIds" text[], ticket text, scale text, level smallint,
      source text, reasons text[], "responseMs" integer)
),
ins as (
  insert into events (event_id, type, unit_id, counter_id, device_id, boot_id, seq, device_ts, payload)
  select "eventId", 'rating', unit_id, counter_id, "deviceId", "bootId", seq, device_ts, payload from r
  on conflict do nothing
  returning event_id
),
fresh as (select r.* from r join ins on ins.event_id = r."eventId"),
rt as (
  insert into ratings (event_id, unit_id, counter_id, device_id, officer_id, visit_id, dossier_ids,
    ticket, scale, level, official, score, source, reasons, response_ms, device_ts)
  select "eventId", unit_id, counter_id, "deviceId", "officerId", "visitId",
    coalesce("dossierIds", '{}'), ticket, scale, level, official, score, source,
    coalesce(reasons, '{}'), "responseMs", device_ts
  from fresh
  on conflict do nothing
),
per_level as (
  select unit_id, counter_id, coalesce("officerId", '') as officer_id, hour, scale || ':' || level as k,
    count(*) as n, count(*) filter (where official = 'very_satisfied') as vs,
    count(*) filter (where official = 'satisfied') as s, count(*) filter (where official = 'unsatisfied') as u,
    sum(score) as score_sum
  from fresh
  group by 1, 2, 3, 4, 5
),
ru as (
  insert into hourly_rollups (unit_id, counter_id, officer_id, hour, ratings, very_satisfied,
    satisfied, unsatisfied, score_sum, levels)
  select unit_id, counter_id, officer_id, hour, sum(n), sum(vs), sum(s), sum(u), sum(score_sum),
    jsonb_object_agg(k, n)
  from per_level
  group by 1, 2, 3, 4
  order by 1, 2, 3, 4
  on conflict (unit_id, counter_id, officer_id, hour) do update set
    ratings = hourly_rollups.ratings + excluded.ratings,
    very_satisfied = hourly_rollups.very_satisfied + excluded.very_satisfied,
    satisfied = hourly_rollups.satisfied + excluded.satisfied,
    unsatisfied = hourly_rollups.unsatisfied + excluded.unsatisfied,
    score_sum = hourly_rollups.score_sum + excluded.score_sum,
    levels = (
      select coalesce(jsonb_object_agg(k, total), '{}'::jsonb)
      from (
        select k, sum(v::int) as total
        from (
          select * from jsonb_each_text(hourly_rollups.levels)
          union all select * from jsonb_each_text(excluded.levels)
        ) as both_sides(k, v)
        group by k
      ) as merged
    )
)
select event_id from ins`);
  // node-postgres and PGlite both return `{ rows }`.
  const rows = (result as unknown as { rows: Array<{ event_id: string }> }).rows;
  return rows.map((row) => row.event_id);
}
