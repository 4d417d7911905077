import type { ExpressionEvent } from '@onestop/protocol';
import { sql } from 'drizzle-orm';
import type { Executor } from '../db.js';
import { attributionSql } from '../judge/rules.js';
import { rollupUpsert } from './rollup.js';
import { batchParam, eventsHead, freshIds, type Placed, placedMsSql } from './statement.js';

/**
 * Camera expression summaries in ONE statement: the `events` insert, the `expression_summaries`
 * rows (derived numbers only), and the hour's count with the index sums that give its uncertainty.
 * Times are the device's, moved as the event was placed (time/place.ts); a quarantined summary
 * (no placed time) is kept in `events` only.
 *
 * The officer is the one the device names only if the centre verifies them as it verifies a
 * rating's officer (judge attributionSql: on the unit's roster, their session on that device
 * covering the summary's placed end, not signed in elsewhere since); otherwise the summary is
 * stored under no officer (null, and the `''` roll-up row). The device's claim stays in `events`.
 * Attributed once, at ingest: presence arriving later does not move a summary (unlike ratings).
 * The device's running models (`birth.models`) are stored with it, so that a leader can tell
 * which model produced each estimate (issue 14).
 */
export function projectExpressions(
  db: Executor,
  batch: ReadonlyArray<Placed & { payload: ExpressionEvent }>,
) {
  return freshIds(
    db,
    sql`${eventsHead(
      'expression',
      batchParam(batch),
      `"visitId" uuid, "officerId" text, "startedAt" bigint, "endedAt" bigint, frames integer,
      "exitFrames" integer, mean jsonb, exit jsonb, "satisfactionIndex" double precision, confidence double precision`,
    )},
attributed as (
  select t.event_id, case when attr.reason is null then t.officer_id end as officer_id
  from (
    select "eventId" as event_id, unit_id, counter_id, "deviceId" as device_id, "officerId" as officer_id,
      to_timestamp(${sql.raw(placedMsSql('"endedAt"'))} / 1000.0) as at
    from fresh where at is not null
  ) as t
  ${attributionSql}
),
placed as (
  select f.*, a.officer_id as verified_officer_id from fresh f join attributed a on a.event_id = f."eventId"
),
es as (
  insert into expression_summaries (event_id, unit_id, counter_id, device_id, officer_id, visit_id,
    started_at, ended_at, frames, exit_frames, mean, exit, satisfaction_index, confidence, models)
  select "eventId", unit_id, counter_id, "deviceId", verified_officer_id, "visitId",
    to_timestamp(${sql.raw(placedMsSql('"startedAt"'))} / 1000.0), to_timestamp(${sql.raw(placedMsSql('"endedAt"'))} / 1000.0),
    frames, "exitFrames", mean, exit, "satisfactionIndex", confidence,
    -- The models of the boot that made the estimate, from its birth; another boot's (an update
    -- since, a replayed outbox) would name the wrong model, so then none.
    (select d.birth->'models' from devices d where d.id = placed."deviceId" and lower(d.birth->>'bootId') = placed."bootId"::text)
  from placed
  on conflict do nothing
),
ru as (${sql.raw(EXPRESSION_ROLLUP)})
select event_id from ins`,
  );
}

/**
 * What attributed summaries add to `hourly_rollups`, from a relation `placed` (`hour` of the
 * placed event, `verified_officer_id`, `"satisfactionIndex"`). Exported so that a bulk load
 * (store/src/seed) builds roll-ups by this very definition.
 */
export const EXPRESSION_ROLLUP = rollupUpsert(
  ['expressions', 'expression_index_sum', 'expression_index_sq_sum'],
  `select unit_id, counter_id, coalesce(verified_officer_id, '') as officer_id, hour, 1 as expressions,
    "satisfactionIndex" as expression_index_sum, "satisfactionIndex" * "satisfactionIndex" as expression_index_sq_sum
  from placed`,
);
