/**
 * The `hourly_rollups` upsert, as the last CTE of a projection statement. `increments` is a
 * SELECT (from `fresh`) of one row per new event: `unit_id, counter_id, officer_id, hour`, then
 * the named counters; with `levels`, also `level_key` (`scale:level`, null for a row that adds to
 * no level), whose per-key counts are merged into the `levels` distribution. Rows are summed per
 * key and upserted in key order, which keeps two concurrent ingest transactions from deadlocking.
 */
export function rollupUpsert(counters: readonly string[], increments: string, levels = false): string {
  const sums = counters.map((c) => `sum(${c})`);
  const grouped = levels
    ? `select unit_id, counter_id, officer_id, hour, ${sums.join(', ')},
    coalesce(jsonb_object_agg(level_key, n) filter (where level_key is not null), '{}'::jsonb)
  from (
    select unit_id, counter_id, officer_id, hour, level_key, count(*) as n, ${counters
      .map((c) => `sum(${c}) as ${c}`)
      .join(', ')}
    from (${increments}) as inc
    group by 1, 2, 3, 4, 5
  ) as per_level`
    : `select unit_id, counter_id, officer_id, hour, ${sums.join(', ')}
  from (${increments}) as inc`;
  const set = counters.map((c) => `${c} = hourly_rollups.${c} + excluded.${c}`);
  if (levels) set.push(`levels = ${MERGE_LEVELS}`);
  return `insert into hourly_rollups (unit_id, counter_id, officer_id, hour, ${counters.join(', ')}${levels ? ', levels' : ''})
  ${grouped}
  group by 1, 2, 3, 4
  order by 1, 2, 3, 4
  on conflict (unit_id, counter_id, officer_id, hour) do update set ${set.join(', ')}`;
}

/** Adds two `levels` distributions key by key. */
const MERGE_LEVELS = `(
    select coalesce(jsonb_object_agg(k, total), '{}'::jsonb)
    from (
      select k, sum(v::int) as total
      from (
        select * from jsonb_each_text(hourly_rollups.levels)
        union all select * from jsonb_each_text(excluded.levels)
      ) as both_sides(k, v)
      group by k
    ) as merged
  )`;
