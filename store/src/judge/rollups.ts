import { type SQL, sql } from 'drizzle-orm';
import { countsForOfficer } from '../counted.js';
import type { Executor } from '../db.js';
import { rollupUpsert } from '../projections/rollup.js';
import { hourBucketSql } from '../projections/vietnam-time-sql.js';

/** The roll-up hour of a stored rating's placed time, as `eventsHead` computes it at insert. */
export const ratingHourSql = hourBucketSql(sql`(extract(epoch from ratings.at) * 1000)::bigint`);

/**
 * What each judged, placed rating of `relation` (ratings columns, e.g. a CTE of updated rows)
 * adds to `hourly_rollups`: a rating that counts for its officer (`countsForOfficer`) adds to the
 * officer's row the rating columns and its level; any other adds 1 to `filtered` (a misuse filter
 * caught it) or else `unverified`, on the `officer_id = ''` row. Its reason codes (`reason_codes`)
 * count on the same row unless a misuse filter caught it (`ratesTheUnit`: an unverified rating
 * still rates the unit). Pending (not yet judged) and quarantined ratings add nothing.
 */
export function contributionsSql(relation: SQL): SQL {
  return sql`select unit_id, counter_id, hour, case when counted then officer_id else '' end as officer_id,
    case when counted then scale || ':' || level end as level_key,
    case when filter_reason is null then reasons else '{}'::text[] end as reason_codes,
    counted::int as ratings,
    (counted and official = 'very_satisfied')::int as very_satisfied,
    (counted and official = 'satisfied')::int as satisfied,
    (counted and official = 'unsatisfied')::int as unsatisfied,
    case when counted then score else 0 end as score_sum,
    (not counted and filter_reason is null)::int as unverified,
    (filter_reason is not null)::int as filtered
  from (
    select ratings.*, ${ratingHourSql} as hour, ${countsForOfficer()} as counted
    from ${relation} as ratings
    where ratings.at is not null and ratings.attribution <> 'pending'
  ) as judged`;
}

const COUNTERS = [
  'ratings',
  'very_satisfied',
  'satisfied',
  'unsatisfied',
  'score_sum',
  'unverified',
  'filtered',
] as const;

/**
 * Adds the contributions of newly judged ratings (never counted before) to their roll-ups: the
 * cheap path of fresh ratings, as the last CTE of a statement that defines `contributions`.
 */
export const addContributions = sql.raw(rollupUpsert(COUNTERS, 'select * from contributions', true));

/**
 * Sets the rating columns of the given (unit, counter, hour) roll-up keys to exactly what
 * `ratings` holds, every officer row of those keys included (a row whose ratings moved away drops
 * to 0). Used after verdicts of already counted ratings changed: recomputing is exact where
 * adjusting by differences would depend on what was counted before. Other columns (visits,
 * expressions) are left alone. Rows are written in key order, as every roll-up upsert is.
 */
export async function recomputeRollups(
  exec: Executor,
  keys: ReadonlyArray<{ unit_id: string; counter_id: string; hour: string | Date }>,
): Promise<void> {
  if (keys.length === 0) return;
  await exec.execute(sql`with keys as (
  select distinct k.unit_id, k.counter_id, k.hour
  from jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) as k(unit_id text, counter_id text, hour timestamptz)
),
scope as (
  select r.* from keys k
  join ratings r on r.unit_id = k.unit_id and r.counter_id = k.counter_id
    and r.at >= k.hour and r.at < k.hour + interval '1 hour'
),
contributions as (${contributionsSql(sql`scope`)}),
per_reason as (
  select unit_id, counter_id, officer_id, hour, jsonb_object_agg(reason, n) as reasons
  from (
    select unit_id, counter_id, officer_id, hour, reason, count(*) as n
    from contributions cross join lateral unnest(reason_codes) as reason group by 1, 2, 3, 4, 5
  ) as per_code group by 1, 2, 3, 4
),
per_level as (
  select unit_id, counter_id, officer_id, hour, level_key, count(*) as n,
    ${sql.raw(COUNTERS.map((c) => `sum(${c}) as ${c}`).join(', '))}
  from contributions group by 1, 2, 3, 4, 5
),
tally as (
  select unit_id, counter_id, officer_id, hour, ${sql.raw(COUNTERS.map((c) => `sum(${c}) as ${c}`).join(', '))},
    coalesce(jsonb_object_agg(level_key, n) filter (where level_key is not null), '{}'::jsonb) as levels
  from per_level group by 1, 2, 3, 4
),
tallied as (
  select t.*, coalesce(r.reasons, '{}'::jsonb) as reasons
  from tally t left join per_reason r using (unit_id, counter_id, officer_id, hour)
),
existing as (
  select h.unit_id, h.counter_id, h.officer_id, h.hour
  from hourly_rollups h join keys k on h.unit_id = k.unit_id and h.counter_id = k.counter_id and h.hour = k.hour
)
insert into hourly_rollups (unit_id, counter_id, officer_id, hour, ${sql.raw(COUNTERS.join(', '))}, levels, reasons)
select unit_id, counter_id, officer_id, hour, ${sql.raw(COUNTERS.map((c) => `coalesce(t.${c}, 0)`).join(', '))},
  coalesce(t.levels, '{}'::jsonb), coalesce(t.reasons, '{}'::jsonb)
from tallied t full join existing e using (unit_id, counter_id, officer_id, hour)
order by 1, 2, 3, 4
on conflict (unit_id, counter_id, officer_id, hour) do update set
  ${sql.raw(COUNTERS.map((c) => `${c} = excluded.${c}`).join(', '))}, levels = excluded.levels,
  reasons = excluded.reasons`);
}
