import { VISIT_REACH_MS } from '@onestop/evaluation';
import { sql } from 'drizzle-orm';
import type { Executor } from '../db.js';
import { addContributions, contributionsSql, ratingHourSql, recomputeRollups } from './rollups.js';
import { judgementSql, reachSql, rulesCte, storedRules, type UnitRules } from './rules.js';

/** What judging a batch needs: the rules of every unit in it. */
export interface Judging {
  rules: UnitRules[];
}

/** Ratings of one device placed in `[from_ms, to_ms]` (null: no end). */
export interface JudgeScope {
  device_id: string;
  from_ms: number;
  to_ms: number | null;
}

/** Advisory-lock classes of "judging this device" and "judging this unit" (ASCII 'judg', 'judu'). */
const DEVICE_LOCK_CLASS = 0x6a756467;
const UNIT_LOCK_CLASS = 0x6a756475;

type Rows<T> = { rows: T[] };
const rowsOf = <T>(r: unknown) => (r as Rows<T>).rows;

/**
 * Before a batch is projected, in its transaction: takes the judging locks of each of its units
 * and devices (all in one statement, in one fixed order, so two transactions never wait on each
 * other in a cycle) and reads its units' settings, in one round trip. The locks are what make
 * verdicts and roll-ups independent of arrival order across ingest processes:
 * - per device: a rating and the presence or earlier press it depends on, stored by two
 *   concurrent transactions, would otherwise each be judged without seeing the other;
 * - per unit: what one device's events change reaches beyond the device: an officer's sign-in
 *   at one counter re-judges their ratings at the unit's other counters, and a roll-up recompute
 *   rewrites a (unit, counter, hour) row that a fresh rating of another device of the same
 *   counter adds to; two such transactions in parallel could lose or double a count. Everything
 *   judged or rolled up for a unit is of that unit, so the unit lock covers it. A ward's traffic
 *   (a few hundred ratings a day) is far below what one lane at a time can store.
 */
export async function prepareJudging(
  exec: Executor,
  batch: ReadonlyArray<{ unitId: string; payload: { deviceId: string } }>,
): Promise<Judging> {
  const deviceIds = [...new Set(batch.map((e) => e.payload.deviceId))];
  const unitIds = [...new Set(batch.map((e) => e.unitId))];
  return { rules: await lockAndReadRules(exec, deviceIds, unitIds) };
}

/**
 * Takes the judging lock of each unit (as `prepareJudging` does, in the same order), for work
 * outside an ingest batch that derives figures from a unit's stored rows: it then waits for the
 * batches of those units in flight and sees what they committed.
 */
export async function lockUnits(exec: Executor, unitIds: readonly string[]): Promise<void> {
  if (unitIds.length === 0) return;
  await exec.execute(sql`select count(*) from (
    select pg_advisory_xact_lock(${sql.raw(String(UNIT_LOCK_CLASS))}, k)
    from (select distinct hashtext(u) as k from jsonb_array_elements_text(${JSON.stringify(unitIds)}::jsonb) as x(u) order by k) as keys
  ) as l`);
}

/**
 * `lockUnits` for one unit without waiting: false when another transaction holds it (an ingest
 * batch, or another process deriving the unit), so work that can be done in any order (the
 * per-unit rebuild of dossier outcomes) moves to another unit instead of queueing behind it.
 */
export async function tryLockUnit(exec: Executor, unitId: string): Promise<boolean> {
  const r = await exec.execute(
    sql`select pg_try_advisory_xact_lock(${sql.raw(String(UNIT_LOCK_CLASS))}, hashtext(${unitId})) as locked`,
  );
  return rowsOf<{ locked: boolean }>(r)[0]?.locked === true;
}

async function lockAndReadRules(
  exec: Executor,
  deviceIds: string[],
  unitIds: string[],
): Promise<UnitRules[]> {
  const result = await exec.execute(sql`with locked as (
  select count(*) as n from (
    select pg_advisory_xact_lock(c, k)
    from (
      select distinct c, k from (
        select ${sql.raw(String(UNIT_LOCK_CLASS))} as c, hashtext(u) as k
        from jsonb_array_elements_text(${JSON.stringify(unitIds)}::jsonb) as x(u)
        union all
        select ${sql.raw(String(DEVICE_LOCK_CLASS))}, hashtext(d)
        from jsonb_array_elements_text(${JSON.stringify(deviceIds)}::jsonb) as x(d)
      ) as all_keys
      order by c, k
    ) as keys
  ) as l
)
select u.id, u.settings, locked.n
from locked left join units u on u.id in (select jsonb_array_elements_text(${JSON.stringify(unitIds)}::jsonb))`);
  const stored = new Map(
    rowsOf<{ id: string | null; settings: unknown }>(result).flatMap((r) =>
      r.id ? [[r.id, r.settings]] : [],
    ),
  );
  // A unit with no row yet (devices provisioned before units were registered) has every default.
  return unitIds.map((id) => storedRules(id, stored.get(id) ?? {}));
}

/**
 * Judges the newly stored ratings `eventIds` (placed ones; quarantined stay `pending`) and adds
 * them to their roll-ups, in ONE statement. The rules look only backwards in time, so a fresh
 * rating can change the verdict of stored ones only if it lands before them (a late arrival): the
 * same statement tells, per device, whether any stored rating lies between its first fresh one
 * and the reach of its last, and only then are those judged again. A live rating costs index
 * probes, never a scan.
 */
export async function judgeFresh(
  exec: Executor,
  eventIds: readonly string[],
  judging: Judging,
): Promise<void> {
  if (eventIds.length === 0) return;
  const result = await exec.execute(sql`with ${rulesCte(judging.rules)},
targets as (
  select * from ratings
  where event_id in (select value::uuid from jsonb_array_elements_text(${JSON.stringify(eventIds)}::jsonb))
    and at is not null
),
judged as (${judgementSql}),
upd as (
  update ratings r set attribution = j.attribution, attribution_reason = j.attribution_reason,
    filter_reason = j.filter_reason
  from judged j where r.event_id = j.event_id
  returning r.*
),
contributions as (${contributionsSql(sql`upd`)}),
ru as (${addContributions}),
span as (
  select t.device_id, min(t.at) as from_at, max(t.at + ${reachSql}) as to_at
  from targets t join rules s on s.unit_id = t.unit_id
  group by t.device_id
)
select device_id, (extract(epoch from from_at) * 1000)::bigint as from_ms,
  (extract(epoch from to_at) * 1000)::bigint as to_ms
from span
where exists (
  select 1 from ratings n
  where n.device_id = span.device_id and n.at >= span.from_at and n.at <= span.to_at
    and n.event_id not in (select event_id from targets)
)`);
  const later = rowsOf<{ device_id: string; from_ms: string | number; to_ms: string | number }>(result);
  if (later.length > 0)
    await rejudge(
      exec,
      later.map((l) => ({ device_id: l.device_id, from_ms: Number(l.from_ms), to_ms: Number(l.to_ms) })),
      judging,
    );
}

/**
 * Judges again the placed ratings in `scopes` (late presence, a late earlier press, or ratings not
 * judged yet), stores the verdicts that changed and recomputes the roll-ups of the hours they
 * fall in from `ratings`, exactly. The units of those ratings must have `judging.rules`.
 * Returns how many verdicts changed.
 */
export async function rejudge(
  exec: Executor,
  scopes: readonly JudgeScope[],
  judging: Judging,
): Promise<number> {
  if (scopes.length === 0) return 0;
  const result = await exec.execute(sql`with ${rulesCte(judging.rules)},
scope as (
  select * from jsonb_to_recordset(${JSON.stringify(scopes)}::jsonb) as x(device_id text, from_ms bigint, to_ms bigint)
),
targets as (
  select distinct on (r.event_id) r.* from scope x
  join ratings r on r.device_id = x.device_id and r.at >= to_timestamp(x.from_ms / 1000.0)
    and (x.to_ms is null or r.at <= to_timestamp(x.to_ms / 1000.0))
),
judged as (${judgementSql}),
upd as (
  update ratings r set attribution = j.attribution, attribution_reason = j.attribution_reason,
    filter_reason = j.filter_reason
  from judged j
  where r.event_id = j.event_id
    and (r.attribution, r.attribution_reason, r.filter_reason)
      is distinct from (j.attribution, j.attribution_reason, j.filter_reason)
  returning r.*
)
select unit_id, counter_id, ${ratingHourSql} as hour, count(*) as n from upd as ratings group by 1, 2, 3`);
  const keys = rowsOf<{ unit_id: string; counter_id: string; hour: string | Date; n: string | number }>(
    result,
  );
  await recomputeRollups(exec, keys);
  return keys.reduce((n, k) => n + Number(k.n), 0);
}

/**
 * The ratings a change of an officer's sign-ins may re-judge elsewhere (signed_in_elsewhere): for
 * each session begun at `started_ms` that appeared or vanished, the officer's ratings at the
 * unit's other counters from then on, up to the officer's next sign-in that decides them anyway
 * (at another counter than the rating's, which supersedes it, or on the rating's own device,
 * which then covers it). Returned as device scopes for `rejudge`.
 */
export async function signInScopes(
  exec: Executor,
  sessions: ReadonlyArray<{ unit_id: string; counter_id: string; officer_id: string; started_ms: number }>,
): Promise<JudgeScope[]> {
  if (sessions.length === 0) return [];
  const result = await exec.execute(sql`with changed as (
  select distinct c.unit_id, c.counter_id, c.officer_id, to_timestamp(c.started_ms / 1000.0) as s
  from jsonb_to_recordset(${JSON.stringify(sessions)}::jsonb)
    as c(unit_id text, counter_id text, officer_id text, started_ms bigint)
  where c.officer_id <> ''
)
select r.device_id, (extract(epoch from min(r.at)) * 1000)::bigint as from_ms,
  (extract(epoch from max(r.at)) * 1000)::bigint as to_ms
from changed c
join ratings r on r.officer_id = c.officer_id and r.unit_id = c.unit_id and r.counter_id <> c.counter_id
  and r.at >= c.s
where not exists (
  select 1 from presence_intervals i
  where i.officer_id = c.officer_id and i.kind = 'session' and i.unit_id = c.unit_id
    and i.started_at > c.s and i.started_at <= r.at
    and (i.counter_id <> r.counter_id or i.device_id = r.device_id)
)
group by r.device_id`);
  return rowsOf<{ device_id: string; from_ms: string | number; to_ms: string | number }>(result).map((r) => ({
    device_id: r.device_id,
    from_ms: Number(r.from_ms),
    to_ms: Number(r.to_ms),
  }));
}

/**
 * Judges again the ratings a newly stored visit event may decide (whether they belong to a visit:
 * evaluation judgement.ts): those naming the visit on its device, and the presses within reach
 * after them whose burst count they are part of. `started_ms`: the visit's placed start as the
 * event says it. Live, the start arrives before any rating of the visit (nothing to do) and the
 * end just after its rating (one rating and its reach).
 */
export async function judgeVisits(
  exec: Executor,
  visits: ReadonlyArray<{ device_id: string; visit_id: string; started_ms: number }>,
  judging: Judging,
): Promise<void> {
  if (visits.length === 0) return;
  const result = await exec.execute(sql`with ${rulesCte(judging.rules)},
v as (
  select v.device_id, v.visit_id, to_timestamp(v.started_ms / 1000.0) as s
  from jsonb_to_recordset(${JSON.stringify(visits)}::jsonb) as v(device_id text, visit_id uuid, started_ms bigint)
)
select t.device_id, (extract(epoch from min(t.at)) * 1000)::bigint as from_ms,
  (extract(epoch from max(t.at + ${reachSql})) * 1000)::bigint as to_ms
from v
join ratings t on t.device_id = v.device_id and t.visit_id = v.visit_id
  and t.at between v.s - ${sql.raw(`${VISIT_REACH_MS} * interval '1 millisecond'`)}
    and v.s + ${sql.raw(`${VISIT_REACH_MS} * interval '1 millisecond'`)}
join rules s on s.unit_id = t.unit_id
group by t.device_id`);
  const scopes = rowsOf<{ device_id: string; from_ms: string | number; to_ms: string | number }>(result);
  await rejudge(
    exec,
    scopes.map((r) => ({ device_id: r.device_id, from_ms: Number(r.from_ms), to_ms: Number(r.to_ms) })),
    judging,
  );
}
