/**
 * The `hourly_rollups` upsert, as the last CTE of a projection statement. `increments` is a
 * SELECT (from `fresh`) of one row per new event: `unit_id, counter_id, officer_id, hour`, then
 * the named counters; with `levels`, also `level_key` (`scale:level`, null for a row that adds to
 * no level), whose per-key counts are merged into the `levels` distribution, and `reason_codes`
 * (a text[] per row), counted per code into `reasons`. Rows are summed per
 * key and upserted in key order, which keeps two concurrent ingest transactions from deadlocking.
 */
export function rollupUpsert(counters: readonly string[], increments: string, levels = false): string {
  const sums = counters.map((c) => `sum(${c})`);
  // Reasons per key apart from the levels (a rating has one level but any number of reasons),
  // joined on the key: one upserted row per key still, its one map repeated on each level's row
  // (`min` over its text only picks it: jsonb has no aggregate that would).
  const grouped = levels
    ? `select unit_id, counter_id, officer_id, hour, ${sums.join(', ')},
    coalesce(jsonb_object_agg(level_key, n) filter (where level_key is not null), '{}'::jsonb),
    coalesce(min(per_key.reasons::text)::jsonb, '{}'::jsonb)
  from (
    select unit_id, counter_id, officer_id, hour, level_key, count(*) as n, ${counters
      .map((c) => `sum(${c}) as ${c}`)
      .join(', ')}
    from (${increments}) as inc
    group by 1, 2, 3, 4, 5
  ) as per_level
  left join (
    select unit_id, counter_id, officer_id, hour, jsonb_object_agg(reason, n) as reasons
    from (
      select unit_id, counter_id, officer_id, hour, reason, count(*) as n
      from (${increments}) as inc cross join lateral unnest(inc.reason_codes) as reason
      group by 1, 2, 3, 4, 5
    ) as per_code
    group by 1, 2, 3, 4
  ) as per_key using (unit_id, counter_id, officer_id, hour)`
    : `select unit_id, counter_id, officer_id, hour, ${sums.join(', ')}
  from (${increments}) as inc`;
  const set = counters.map((c) => `${c} = hourly_rollups.${c} + excluded.${c}`);
  if (levels) set.push(`levels = ${mergedCounts('levels')}`, `reasons = ${mergedCounts('reasons')}`);
  return `insert into hourly_rollups (unit_id, counter_id, officer_id, hour, ${counters.join(', ')}${levels ? ', levels, reasons' : ''})
  ${grouped}
  group by 1, 2, 3, 4
  order by 1, 2, 3, 4
  on conflict (unit_id, counter_id, officer_id, hour) do update set ${set.join(', ')}`;
}

/** Adds two count maps (`levels`, `reasons`) key by key. */
const mergedCounts = (column: 'levels' | 'reasons') => `(
    select coalesce(jsonb_object_agg(k, total), '{}'::jsonb)
    from (
      select k, sum(v::int) as total
      from (
        select * from jsonb_each_text(hourly_rollups.${column})
        union all select * from jsonb_each_text(excluded.${column})
      ) as both_sides(k, v)
      group by k
    ) as merged
  )`;
