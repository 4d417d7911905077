import type { VisitEvent } from '@onestop/protocol';
import { sql } from 'drizzle-orm';
import type { Executor } from '../db.js';
import { type Judging, judgeVisits } from '../judge/judge.js';
import { rollupUpsert } from './rollup.js';
import { batchParam, eventKey, eventsHead, freshIds, type Placed, placedMsSql } from './statement.js';

/**
 * Visits in ONE statement: the `events` insert, one `visits` row per visit and the hour's visit
 * counts (at the end of a visit). Start and end of a visit may arrive in either order (a device
 * replays its outbox after a reconnect) and both may be in one batch: they are merged per visit
 * (`s` full join `e`), then upserted keeping what is already known. The visit's times are the
 * device's, moved as its event was placed (time/place.ts); a quarantined event (no placed time)
 * is kept in `events` only: it makes no visit and counts in no hour.
 * Whether a rating belongs to a visit is part of its judgement, so the ratings a new visit event
 * may decide are judged again (judgeVisits). Must run in a transaction, after `prepareJudging`.
 */
export async function projectVisits(
  db: Executor,
  batch: ReadonlyArray<Placed & { payload: VisitEvent }>,
  judging: Judging,
): Promise<string[]> {
  const ids = await freshIds(
    db,
    sql`${eventsHead(
      'visit',
      batchParam(batch),
      `phase text, "visitId" uuid, "officerId" text, ticket text, trigger text, "startedAt" bigint,
      "endedAt" bigint, "dossierIds" text[], reason text, rated boolean`,
    )},
s as (
  select distinct on ("visitId") * from fresh where phase = 'start' and at is not null order by "visitId", ord desc
),
e as (
  select distinct on ("visitId") * from fresh where phase = 'end' and at is not null order by "visitId", ord desc
),
vi as (
  insert into visits (id, unit_id, counter_id, device_id, officer_id, ticket, dossier_ids, trigger,
    started_at, ended_at, end_reason, rated)
  select coalesce(s."visitId", e."visitId"), coalesce(s.unit_id, e.unit_id), coalesce(s.counter_id, e.counter_id),
    coalesce(s."deviceId", e."deviceId"), coalesce(s."officerId", e."officerId"), coalesce(s.ticket, e.ticket),
    coalesce(e."dossierIds", '{}'), s.trigger,
    to_timestamp(coalesce(${sql.raw(placedMsSql('"startedAt"', 's'))}, ${sql.raw(placedMsSql('"startedAt"', 'e'))}) / 1000.0),
    to_timestamp(${sql.raw(placedMsSql('"endedAt"', 'e'))} / 1000.0), e.reason, e.rated
  from s full join e on e."visitId" = s."visitId"
  order by 1
  on conflict (id) do update set
    officer_id = coalesce(excluded.officer_id, visits.officer_id),
    ticket = coalesce(excluded.ticket, visits.ticket),
    trigger = coalesce(excluded.trigger, visits.trigger),
    ended_at = coalesce(excluded.ended_at, visits.ended_at),
    end_reason = coalesce(excluded.end_reason, visits.end_reason),
    rated = coalesce(excluded.rated, visits.rated),
    -- The start event carries the authoritative start; an end-only row only guessed it.
    started_at = case when excluded.trigger is not null then excluded.started_at else visits.started_at end,
    dossier_ids = case when excluded.ended_at is not null then excluded.dossier_ids else visits.dossier_ids end
),
ru as (${sql.raw(VISIT_ROLLUP)})
select event_id from ins`,
  );
  const fresh = new Set(ids);
  await judgeVisits(
    db,
    batch.flatMap((e) =>
      e.at !== null && fresh.has(eventKey(e.payload.eventId))
        ? [
            {
              device_id: e.payload.deviceId,
              visit_id: e.payload.visitId,
              // Moved as the event's own time was placed (statement.ts placedMsSql).
              started_ms: e.payload.startedAt - e.payload.ts + e.at,
            },
          ]
        : [],
    ),
    judging,
  );
  return ids;
}

/**
 * What ended visits add to `hourly_rollups`, from a relation `fresh` of end events (`phase`,
 * `at`: the placed end, `hour` of it, `"officerId"` as the device named, `rated`). Exported so
 * that a bulk load (store/src/seed) builds roll-ups by this very definition.
 */
export const VISIT_ROLLUP = rollupUpsert(
  ['visits', 'unrated_visits'],
  `select unit_id, counter_id, coalesce("officerId", '') as officer_id, hour, 1 as visits,
    (not rated)::int as unrated_visits
  from fresh where phase = 'end' and at is not null`,
);
