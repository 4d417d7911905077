import { randomBytes } from 'node:crypto';
import { eq, type SQL, sql } from 'drizzle-orm';
import pg from 'pg';
import { type Executor, openStore, type Store } from './db.js';
import { inVietnamSql } from './projections/vietnam-time-sql.js';
import { deviceBoots, devices } from './schema.js';

/**
 * The same suites run on both back ends. PostgreSQL is expected at TEST_POSTGRES_URL (default:
 * this machine's trust-auth server); each call gets a fresh throw-away database. Set
 * ONESTOP_TEST_POSTGRES=off only on a machine that truly has no PostgreSQL: CI never does.
 */
export const TEST_POSTGRES_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const STORE_BACKENDS: Array<'pglite' | 'postgres'> =
  process.env.ONESTOP_TEST_POSTGRES === 'off' ? ['pglite'] : ['pglite', 'postgres'];

export interface TestStore extends Store {
  /** Connection string of the throw-away database (postgres only), for child processes. */
  url: string | null;
}

/** `upkeep: false`: PGlite without its table upkeep (see DatabaseOptions.upkeep). */
export async function openTestStore(
  kind: 'pglite' | 'postgres',
  o: { upkeep?: boolean } = {},
): Promise<TestStore> {
  if (kind === 'pglite')
    return { ...(await openStore({ kind: 'pglite', dataDir: null, upkeep: o.upkeep })), url: null };
  const name = `onestop_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(TEST_POSTGRES_URL);
  url.pathname = `/${name}`;
  const store = await openStore({ kind: 'postgres', url: url.toString() });
  return {
    ...store,
    url: url.toString(),
    async close() {
      await store.close();
      const c = new pg.Client({ connectionString: TEST_POSTGRES_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * What the centre knows of a device that has been working for a while: provisioned at
 * `provisionedAt`, and its boot `bootId` begun at `bootedAtMs`, as placement learns it from events
 * received live (time/place.ts). For suites on a real clock that cannot send live events in the
 * past, yet send events of the past (a sign-in an hour ago), which the centre then places by the
 * device clock as it would have had it heard the boot live.
 */
export async function knownDevice(
  db: Executor,
  deviceId: string,
  known: { provisionedAt: number; bootId: string; bootedAtMs: number },
): Promise<void> {
  await db
    .update(devices)
    .set({ createdAt: new Date(known.provisionedAt) })
    .where(eq(devices.id, deviceId));
  await db
    .insert(deviceBoots)
    .values({ deviceId, bootId: known.bootId, bootedAtMs: known.bootedAtMs, clockOffsetMs: 0 })
    .onConflictDoNothing();
}

const SUMMED = [
  'ratings',
  'very_satisfied',
  'satisfied',
  'unsatisfied',
  'score_sum',
  'unverified',
  'filtered',
  'visits',
  'unrated_visits',
  'expressions',
] as const;
/** Sums of doubles: adding and taking back a change may leave a rounding residue. */
const SUMMED_FLOATS = ['expression_index_sum', 'expression_index_sq_sum'] as const;

/** An hourly count map (`levels`, `reasons`) merged per (unit, counter, officer, Vietnam date). */
function countsPerDay(column: 'levels' | 'reasons'): SQL {
  return sql`select unit_id, counter_id, officer_id, day, jsonb_object_agg(k, total) as ${sql.raw(column)}
    from (
      select h.unit_id, h.counter_id, h.officer_id, ${inVietnamSql(sql`h.hour`)}::date as day, l.k, sum(l.v::int) as total
      from hourly_rollups h cross join lateral jsonb_each_text(h.${sql.raw(column)}) as l(k, v)
      group by 1, 2, 3, 4, 5
    ) as per_key
    where total <> 0 group by 1, 2, 3, 4`;
}

/**
 * Every (unit, counter, officer, Vietnam date) whose `daily_rollups` row differs from its
 * `hourly_rollups` rows summed (levels and reasons merged key by key, `hours` their count; a day row present
 * without hours or missing with hours shows too), other figures of an absent row counting as zeros: empty
 * when the days are in step with the hours, and `unit_daily_rollups` with the days. The date comes from protocol's time zone through
 * `inVietnamSql`, not from the migration's text, so a trigger on another zone would show here.
 */
export async function dailyRollupDrift(db: Executor): Promise<unknown[]> {
  const zeroOr = (side: string) => SUMMED.map((c) => `coalesce(${side}.${c}, 0)`).join(', ');
  const result = (await db.execute(sql`
    with levels as (${countsPerDay('levels')}),
    reasons as (${countsPerDay('reasons')}),
    sums as (
      select h.unit_id, h.counter_id, h.officer_id, ${inVietnamSql(sql`h.hour`)}::date as day, count(*)::int as hours,
        ${sql.raw([...SUMMED, ...SUMMED_FLOATS].map((c) => `sum(h.${c}) as ${c}`).join(', '))}
      from hourly_rollups h group by 1, 2, 3, 4
    ),
    hourly as (
      select s.*, coalesce(l.levels, '{}'::jsonb) as levels, coalesce(r.reasons, '{}'::jsonb) as reasons
      from sums s left join levels l using (unit_id, counter_id, officer_id, day)
        left join reasons r using (unit_id, counter_id, officer_id, day)
    )
    select h.unit_id as h_unit, d.unit_id as d_unit, h.counter_id, h.officer_id, h.day as h_day, d.day as d_day,
      row_to_json(h.*) as hourly, row_to_json(d.*) as daily
    from hourly h full join daily_rollups d using (unit_id, counter_id, officer_id, day)
    where row(h.hours, ${sql.raw(zeroOr('h'))}, coalesce(h.levels, '{}'::jsonb), coalesce(h.reasons, '{}'::jsonb))
      is distinct from row(d.hours, ${sql.raw(zeroOr('d'))}, coalesce(d.levels, '{}'::jsonb), coalesce(d.reasons, '{}'::jsonb))
      ${sql.raw(
        SUMMED_FLOATS.map(
          (c) => `or abs(coalesce(h.${c}, 0) - coalesce(d.${c}, 0)) > 1e-9 * (1 + abs(coalesce(h.${c}, 0)))`,
        ).join(' '),
      )}`)) as unknown as {
    rows: unknown[];
  };
  // One level up: each unit's day equals its daily rows summed (`days` their count); one more,
  // each unit's week its unit days summed.
  const units = await levelDrift(db, {
    lower: 'daily_rollups',
    upper: 'unit_daily_rollups',
    key: 'day',
    of: 'day',
    count: 'days',
  });
  const weeks = await levelDrift(db, {
    lower: 'unit_daily_rollups',
    upper: 'unit_weekly_rollups',
    key: 'week',
    of: 'iso_week_start(day)',
    count: 'days',
  });
  return [...result.rows, ...units, ...weeks, ...(await monthlyDrift(db))];
}

/**
 * Every (unit, counter, officer, month) whose `monthly_rollups` row differs from the hourly rows
 * of its Vietnam calendar month summed (`days` the dates they fall on), and every (unit, month,
 * weekday) whose `unit_month_hours` cells differ from the counted ratings of those hours: straight
 * from `hourly_rollups`, not from the days the triggers read, with the month and weekday from
 * protocol's time zone.
 */
async function monthlyDrift(db: Executor): Promise<unknown[]> {
  const local = inVietnamSql(sql`h.hour`);
  const key = sql`h.unit_id, h.counter_id, h.officer_id, date_trunc('month', ${local})::date`;
  const countsPerMonth = (column: 'levels' | 'reasons') =>
    sql`select unit_id, counter_id, officer_id, month, jsonb_object_agg(k, total) as ${sql.raw(column)}
    from (
      select ${key} as month, l.k, sum(l.v::int) as total
      from hourly_rollups h cross join lateral jsonb_each_text(h.${sql.raw(column)}) as l(k, v)
      group by 1, 2, 3, 4, 5
    ) as per_key
    where total <> 0 group by 1, 2, 3, 4`;
  const zeroOr = (side: string) => SUMMED.map((c) => `coalesce(${side}.${c}, 0)`).join(', ');
  const months = (await db.execute(sql`
    with levels as (${countsPerMonth('levels')}),
    reasons as (${countsPerMonth('reasons')}),
    sums as (
      select ${key} as month, count(distinct ${local}::date)::int as days,
        ${sql.raw([...SUMMED, ...SUMMED_FLOATS].map((c) => `sum(h.${c}) as ${c}`).join(', '))}
      from hourly_rollups h group by 1, 2, 3, 4
    ),
    hourly as (
      select s.*, coalesce(l.levels, '{}'::jsonb) as levels, coalesce(r.reasons, '{}'::jsonb) as reasons
      from sums s left join levels l using (unit_id, counter_id, officer_id, month)
        left join reasons r using (unit_id, counter_id, officer_id, month)
    )
    select row_to_json(h.*) as hourly, row_to_json(m.*) as monthly
    from hourly h full join monthly_rollups m using (unit_id, counter_id, officer_id, month)
    where row(h.days, ${sql.raw(zeroOr('h'))}, coalesce(h.levels, '{}'::jsonb), coalesce(h.reasons, '{}'::jsonb))
      is distinct from row(m.days, ${sql.raw(zeroOr('m'))}, coalesce(m.levels, '{}'::jsonb), coalesce(m.reasons, '{}'::jsonb))
      ${sql.raw(
        SUMMED_FLOATS.map(
          (c) => `or abs(coalesce(h.${c}, 0) - coalesce(m.${c}, 0)) > 1e-9 * (1 + abs(coalesce(h.${c}, 0)))`,
        ).join(' '),
      )}`)) as unknown as { rows: unknown[] };
  const cells = Array.from({ length: 24 }, (_, i) => `h${String(i).padStart(2, '0')}`);
  const hours = (await db.execute(sql`
    with counted as (
      select h.unit_id, date_trunc('month', ${local})::date as month,
        extract(isodow from ${local})::int as weekday, extract(hour from ${local})::int as hour,
        sum(h.very_satisfied + h.satisfied + h.unsatisfied)::int as n
      from hourly_rollups h group by 1, 2, 3, 4
    ),
    cells as (
      select unit_id, month, weekday, ${sql.raw(
        cells.map((c, i) => `coalesce(sum(n) filter (where hour = ${i}), 0)::int as ${c}`).join(', '),
      )}
      from counted group by 1, 2, 3
    )
    select row_to_json(c.*) as hourly, row_to_json(m.*) as monthly
    from cells c full join unit_month_hours m using (unit_id, month, weekday)
    where row(${sql.raw(cells.map((c) => `coalesce(c.${c}, 0)`).join(', '))})
      is distinct from row(${sql.raw(cells.map((c) => `coalesce(m.${c}, 0)`).join(', '))})`)) as unknown as {
    rows: unknown[];
  };
  // The days the months sum, straight from the hours too (a day with no counted rating may have
  // no row, or a row of zeros).
  const perHour = cells.map(
    (c, i) =>
      sql`coalesce(sum(h.very_satisfied + h.satisfied + h.unsatisfied) filter (where extract(hour from ${local})::int = ${sql.raw(String(i))}), 0)::int as ${sql.raw(c)}`,
  );
  const days = (await db.execute(sql`
    with cells as (
      select h.unit_id, (${local})::date as day, ${sql.join(perHour, sql`, `)}
      from hourly_rollups h group by 1, 2
    )
    select row_to_json(c.*) as hourly, row_to_json(d.*) as daily
    from cells c full join unit_day_hours d using (unit_id, day)
    where row(${sql.raw(cells.map((c) => `coalesce(c.${c}, 0)`).join(', '))})
      is distinct from row(${sql.raw(cells.map((c) => `coalesce(d.${c}, 0)`).join(', '))})`)) as unknown as {
    rows: unknown[];
  };
  return [...months.rows, ...hours.rows, ...days.rows];
}

/** Rows of `upper` that differ from `lower` summed per unit and `of` (named `key` in `upper`). */
async function levelDrift(
  db: Executor,
  l: { lower: string; upper: string; key: string; of: string; count: string },
): Promise<unknown[]> {
  const zeroOr = (side: string) => SUMMED.map((c) => `coalesce(${side}.${c}, 0)`).join(', ');
  const lower = sql.raw(l.lower);
  const of = sql.raw(l.of);
  const key = sql.raw(l.key);
  const count = sql.raw(l.count);
  const result = (await db.execute(sql`
    with sums as (
      select unit_id, ${of} as ${key}, count(*)::int as ${count}, ${sql.raw([...SUMMED, ...SUMMED_FLOATS].map((c) => `sum(${c}) as ${c}`).join(', '))}
      from ${lower} group by 1, 2
    ),
    per_code as (
      select d.unit_id, ${sql.raw(l.of.replace('day', 'd.day'))} as ${key}, r.k, sum(r.v::int) as total
      from ${lower} d cross join lateral jsonb_each_text(d.reasons) as r(k, v) group by 1, 2, 3
    ),
    reasons as (
      select unit_id, ${key}, jsonb_object_agg(k, total) as reasons from per_code where total <> 0 group by 1, 2
    ),
    per_unit as (
      select s.*, coalesce(r.reasons, '{}'::jsonb) as reasons from sums s left join reasons r using (unit_id, ${key})
    )
    select p.unit_id as p_unit, u.unit_id as u_unit, p.${key} as p_${key}, u.${key} as u_${key},
      row_to_json(p.*) as lower, row_to_json(u.*) as upper, ${l.upper}::text as level
    from per_unit p full join ${sql.raw(l.upper)} u using (unit_id, ${key})
    where row(p.${count}, ${sql.raw(zeroOr('p'))}, coalesce(p.reasons, '{}'::jsonb))
      is distinct from row(u.${count}, ${sql.raw(zeroOr('u'))}, coalesce(u.reasons, '{}'::jsonb))
      ${sql.raw(
        SUMMED_FLOATS.map(
          (c) => `or abs(coalesce(p.${c}, 0) - coalesce(u.${c}, 0)) > 1e-9 * (1 + abs(coalesce(p.${c}, 0)))`,
        ).join(' '),
      )}`)) as unknown as { rows: unknown[] };
  return result.rows;
}

/**
 * The plans of what `read` executes (each statement EXPLAINed instead of run, answering no rows),
 * with sequential scans priced out: the text names every index and table the reads would use, so
 * a plan test can show a report never goes back to raw rows.
 */
export async function planOf(
  db: Store['db'],
  read: (explaining: Executor) => Promise<unknown>,
): Promise<string> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_seqscan = off`);
    let text = '';
    const explaining = {
      async execute(q: SQL) {
        const r = (await tx.execute(sql`explain ${q}`)) as unknown as { rows: Array<Record<string, string>> };
        text += r.rows.map((x) => Object.values(x)[0]).join('\n');
        return { rows: [] };
      },
    } as unknown as Executor;
    await read(explaining);
    return text;
  });
}
