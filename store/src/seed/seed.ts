import {
  DEFAULT_REASONS,
  officialLevel,
  type RatingScale,
  ratingIndex,
  SCALE_LEVELS,
  VIETNAM_TIME_ZONE,
} from '@onestop/protocol';
import { type SQL, sql } from 'drizzle-orm';
import { bulkInsert } from '../bulk.js';
import { generatePassword, hashGeneratedSecret } from '../credentials.js';
import type { Database, Executor } from '../db.js';
import { StoreInputError } from '../devices.js';
import { refreshDossierOutcomes } from '../dossier-outcomes.js';
import { addContributions, contributionsSql } from '../judge/rollups.js';
import { deferCoarserLevels, STATEMENT_LEVELS } from '../projections/coarser-rollup.js';
import { EXPRESSION_ROLLUP } from '../projections/expressions.js';
import { hourBucketSql } from '../projections/vietnam-time-sql.js';
import { VISIT_ROLLUP } from '../projections/visits.js';
import { counters, devices, officers, units } from '../schema.js';
import { vacuumChurnedTables } from '../upkeep.js';
import { officerName, unitName } from './names.js';

/** How big a city to seed and which one: the same options give the same rows, to the byte. */
export interface SeedOptions {
  seed: number;
  units: number;
  counters: number;
  /** About this many ratings (the generator aims at it; the total is printed). */
  ratings: number;
  days: number;
  /** The last day seeded, a Vietnam date `YYYY-MM-DD`. */
  end: string;
}

/** A year of a Hanoi-like city (126 wards and communes after the 2025 merger). */
export const CITY_SCALE = { units: 126, counters: 1000, ratings: 3_000_000, days: 365 } as const;
/** A few thousand ratings: CI and tests. */
export const SMALL_SCALE = { units: 6, counters: 18, ratings: 4_000, days: 30 } as const;

/** Wards whose ratings slip over the last `SLIP_DAYS` days: what the city page must make visible. */
export const SLIPPING_UNITS = 6;
export const SLIP_DAYS = 20;
/** Shares of visits left unrated, of ratings naming no officer, of presses repeated within seconds. */
const UNRATED_SHARE = 0.1;
const NO_OFFICER_SHARE = 0.03;
const REPEAT_SHARE = 0.01;
/** Devices with a camera (expression summaries). */
const CAMERA_SHARE = 0.2;
/** At most this many visits in one session: keeps presses well apart (the rapid-repeat window). */
const MAX_PER_SESSION = 100;

export type SeedProgress = (step: string, detail: string) => void;

export interface SeedTotals {
  units: number;
  counters: number;
  officers: number;
  presence: number;
  visits: number;
  ratings: number;
  uncounted: number;
  expressions: number;
  comments: number;
  rollups: number;
}

/** A small deterministic PRNG (mulberry32) for the handful of choices made in TypeScript. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A number written into the statement: parameters would leave its type to guessing. */
const num = (n: number) => sql.raw(String(n));
const pad = (n: number, width: number) => String(n).padStart(width, '0');
type Rows<T> = { rows: T[] };
const rowsOf = <T>(r: unknown) => (r as Rows<T>).rows;

/**
 * Fills an empty database with a city: units, counters with devices, officers on rosters, their
 * sessions (Vietnam working hours, some Saturday mornings), visits, ratings, camera summaries and
 * comments, then the roll-ups. Rows are generated inside the database (INSERT … SELECT over
 * generate_series, pseudo-randomness from `hashtextextended` of each row's key and the seed), one
 * unit per transaction, never through the ingest.
 *
 * Nothing derived is defined twice: the official level and score come from protocol's
 * `officialLevel`/`ratingIndex`; every rating is made so that the judge (store/src/judge) decides
 * what is stored: a rated visit's press inside its officer's session is `verified` and unfiltered,
 * a press naming nobody is `unverified`/`no_officer`, a second press seconds later is caught as
 * `rapid_repeat` (the judge test re-judges a seed and finds nothing to change); the roll-ups are
 * built by the ingest's own roll-up statements (`contributionsSql`, `VISIT_ROLLUP`,
 * `EXPRESSION_ROLLUP`) over the stored rows.
 */
export async function seedCity(
  db: Database,
  o: SeedOptions,
  progress: SeedProgress = () => {},
): Promise<SeedTotals> {
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 1_000_000)
    throw new StoreInputError('--seed: a whole number 0–1000000');
  for (const [name, v, min] of [
    ['units', o.units, 1],
    ['counters', o.counters, o.units],
    ['ratings', o.ratings, 0],
    ['days', o.days, 1],
  ] as const)
    if (!Number.isInteger(v) || v < min)
      throw new StoreInputError(`--${name}: a whole number ≥ ${min}, got ${v}`);
  if (o.units > 999 || o.counters > 99 * o.units)
    throw new StoreInputError('--units at most 999, --counters at most 99 per unit');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(o.end))
    throw new StoreInputError(`--end: a date YYYY-MM-DD, got '${o.end}'`);
  // One transaction: a seed interrupted (an error, Ctrl-C, a killed process) leaves the database
  // as it found it, empty and with every index, so it can simply be run again.
  const totals = await db.transaction(async (tx) => {
    const [existing] = rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from units`));
    if ((existing?.n ?? 0) > 0)
      throw new StoreInputError('seed needs an empty database: this one already has units');
    return fill(tx, o, progress);
  });
  // The dossiers the bulk load listed (millions of pairs at city scale) are derived now, a large
  // unit per transaction as an opening centre would in the background: the database is complete
  // and fast when this returns, not minutes into the first page that reads dossier figures.
  const started = Date.now();
  const dossiers = await refreshDossierOutcomes(db);
  progress('dossiers', `${dossiers} derived (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  await vacuumChurnedTables(db);
  await db.execute(sql`analyze`);
  progress('done', 'vacuumed and analysed');
  return totals;
}

async function fill(db: Executor, o: SeedOptions, progress: SeedProgress): Promise<SeedTotals> {
  const rand = prng(o.seed);
  const started = Date.now();
  const step = (name: string, detail: string) =>
    progress(name, `${detail} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

  // The directory: small, built in TypeScript.
  const unitRows = Array.from({ length: o.units }, (_, i) => ({
    id: `u${pad(i + 1, 3)}`,
    name: unitName(i),
    province: 'Hà Nội',
  }));
  const perUnit = unitRows.map(
    (_, i) => Math.floor(o.counters / o.units) + (i < o.counters % o.units ? 1 : 0),
  );
  const counterRows = unitRows.flatMap((u, i) =>
    Array.from({ length: perUnit[i] ?? 0 }, (_, c) => ({
      unitId: u.id,
      id: `q${pad(c + 1, 2)}`,
      name: `Quầy ${c + 1}`,
    })),
  );
  // One hash for every seeded device: its password is thrown away, so no seeded device can connect.
  const passwordHash = hashGeneratedSecret(generatePassword());
  const endAt = new Date(`${o.end}T17:00:00+07:00`);
  const deviceRows = counterRows.map((c) => ({
    id: `${c.unitId}-${c.id}`,
    unitId: c.unitId,
    counterId: c.id,
    username: `${c.unitId}-${c.id}`,
    passwordHash,
    status: 'online',
    lastSeenAt: endAt,
  }));
  const officerRows = [
    ...counterRows.map((c) => ({
      id: `${c.unitId}-cb${c.id.slice(1)}`,
      unitId: c.unitId,
      name: officerName(Math.floor(rand() * 1e6)),
    })),
    // A deputy per unit: on the roster, never signed in (a roster is more than who works today).
    ...unitRows.map((u) => ({
      id: `${u.id}-pho`,
      unitId: u.id,
      name: officerName(Math.floor(rand() * 1e6)),
    })),
  ];
  const slipping = [...unitRows]
    .sort(() => rand() - 0.5)
    .slice(0, Math.min(SLIPPING_UNITS, Math.floor(o.units / 2)))
    .map((u) => u.id);
  const saturday = unitRows.filter(() => rand() < 0.35).map((u) => u.id);
  await bulkInsert(db, units, unitRows);
  await bulkInsert(db, counters, counterRows);
  await bulkInsert(db, devices, deviceRows);
  await bulkInsert(db, officers, officerRows);
  step(
    'directory',
    `${unitRows.length} units, ${counterRows.length} counters and devices, ${officerRows.length} officers`,
  );

  const g = new Generator(o, slipping, saturday);
  await db.execute(g.presence());
  const [hours] = rowsOf<{ h: number; n: number }>(
    await db.execute(sql`select coalesce(sum(extract(epoch from ended_at - started_at)), 0)::float8 / 3600 as h,
      count(*)::int as n from presence_intervals`),
  );
  step('presence', `${hours?.n ?? 0} sessions, ${Math.round(hours?.h ?? 0)} officer-hours`);
  // Visits per signed-in hour that give about `o.ratings` ratings.
  const perHour =
    (hours?.h ?? 0) > 0 ? o.ratings / ((hours?.h ?? 1) * (1 - UNRATED_SHARE) * (1 + REPEAT_SHARE)) : 0;

  // Bulk loads into tables without their secondary indexes, rebuilt afterwards from the very
  // definitions the migrations created (pg_indexes): several times faster than growing them row
  // by row, and the schema is still defined once.
  // The per-unit indexes stay: each step below reads one unit's rows.
  const rebuild = await dropSecondaryIndexes(
    db,
    ['ratings', 'visits', 'expression_summaries', 'comments'],
    ['ratings_unit_at_idx', 'visits_unit_started_idx', 'expr_unit_ended_idx'],
  );
  // The levels above the hours are summed once at the end: kept row by row, each day, week or
  // month row would be updated once per hour row under it inside this one transaction, every
  // update walking the versions the ones before it left (a unit's week: thousands; minutes per
  // unit, see coarserRollupBackfill). In feeding order: the days first, the months from them.
  const coarser = await deferCoarserLevels(db, STATEMENT_LEVELS);
  for (const [i, u] of unitRows.entries()) {
    await db.execute(g.visitsAndRatings(u.id, perHour));
    await db.execute(g.comments(u.id));
    await buildRollups(db, u.id);
    if (i % 10 === 9 || i === unitRows.length - 1) {
      const [n] = rowsOf<{ n: number }>(await db.execute(sql`select count(*)::int as n from ratings`));
      step('units', `${i + 1}/${unitRows.length} units, ${n?.n ?? 0} ratings`);
    }
  }
  await coarser();
  step('days, weeks and months', 'summed');
  await rebuild();
  step('indexes', 'rebuilt');
  const [t] = rowsOf<Omit<SeedTotals, 'units' | 'counters' | 'officers'>>(
    await db.execute(sql`select
      (select count(*)::int from presence_intervals) as presence,
      (select count(*)::int from visits) as visits,
      (select count(*)::int from ratings) as ratings,
      (select count(*)::int from ratings where attribution <> 'verified' or filter_reason is not null) as uncounted,
      (select count(*)::int from expression_summaries) as expressions,
      (select count(*)::int from comments) as comments,
      (select count(*)::int from hourly_rollups) as rollups`),
  );
  if (!t) throw new Error('seed: no totals');
  return { units: unitRows.length, counters: counterRows.length, officers: officerRows.length, ...t };
}

/**
 * Drops the indexes of `tables` other than their primary keys and returns what recreates them
 * from the definitions PostgreSQL recorded (`pg_indexes.indexdef`).
 */
async function dropSecondaryIndexes(
  db: Executor,
  tables: readonly string[],
  keep: readonly string[],
): Promise<() => Promise<void>> {
  const defs = rowsOf<{ name: string; def: string }>(
    await db.execute(sql`select i.indexname as name, i.indexdef as def from pg_indexes i
      join pg_class c on c.relname = i.indexname
      left join pg_constraint k on k.conindid = c.oid
      where i.schemaname = current_schema() and i.tablename in (select jsonb_array_elements_text(${JSON.stringify(tables)}::jsonb))
        and k.oid is null`),
  ).filter((d) => !keep.includes(d.name));
  for (const d of defs) await db.execute(sql.raw(`drop index "${d.name}"`));
  return async () => {
    for (const d of defs) await db.execute(sql.raw(d.def));
  };
}

/**
 * The roll-ups of one unit's seeded rows, by the ingest's own statements: ratings through
 * `contributionsSql` + `addContributions` (what judging adds), visits through `VISIT_ROLLUP` over
 * their end (the end event's hour), summaries through `EXPRESSION_ROLLUP`.
 */
export async function buildRollups(exec: Executor, unitId: string): Promise<void> {
  await exec.execute(
    sql`with contributions as (${contributionsSql(sql`(select * from ratings where unit_id = ${unitId})`)}) ${addContributions}`,
  );
  const ms = (c: string) => sql.raw(`(extract(epoch from ${c}) * 1000)::bigint`);
  await exec.execute(sql`with fresh as (
  select unit_id, counter_id, officer_id as "officerId", ${hourBucketSql(ms('ended_at'))} as hour, rated,
    'end' as phase, ended_at as at
  from visits where unit_id = ${unitId} and ended_at is not null
) ${sql.raw(VISIT_ROLLUP)}`);
  await exec.execute(sql`with placed as (
  select unit_id, counter_id, officer_id as verified_officer_id, ${hourBucketSql(ms('ended_at'))} as hour,
    satisfaction_index::float8 as "satisfactionIndex"
  from expression_summaries where unit_id = ${unitId}
) ${sql.raw(EXPRESSION_ROLLUP)}`);
}

/** The generating statements; every random draw is `rnd(key, salt)` of the row's own key. */
class Generator {
  constructor(
    private readonly o: SeedOptions,
    private readonly slipping: readonly string[],
    private readonly saturday: readonly string[],
  ) {}

  /** A uniform draw in [0, 1) from a row key and a salt: the same key and seed, the same draw. */
  private rnd(key: SQL, salt: number): SQL {
    return sql`((hashtextextended(${key}, ${sql.raw(String(this.o.seed * 97 + salt))}) & 2147483647)::float8 / 2147483648.0)`;
  }

  /** A UUIDv7-shaped ID: the time's ms in front (as a device's IDs are), the rest from the key. */
  private uuid7(at: SQL, key: SQL): SQL {
    return sql`(lpad(to_hex((extract(epoch from ${at}) * 1000)::bigint), 12, '0') || '7' || substr(md5(${key}), 1, 3) || '8' || substr(md5(${key}), 4, 15))::uuid`;
  }

  private local(at: string): SQL {
    return sql.raw(`(${at} at time zone '${VIETNAM_TIME_ZONE}')`);
  }

  /**
   * Every officer's sessions at their counter: Monday–Friday 07:30–11:30 and 13:30–17:00 Vietnam
   * time (a few minutes either way), Saturday mornings at some units, some days absent.
   */
  presence(): SQL {
    const day = sql`(d.day::text || ':' || v.id)`;
    return sql`insert into presence_intervals (unit_id, counter_id, device_id, officer_id, kind, started_at, ended_at,
    start_event_id, end_event_id)
  select s.unit_id, s.counter_id, s.device_id, s.officer_id, 'session', s.started_at, s.ended_at,
    ${this.uuid7(sql`s.started_at`, sql`s.key`)}, ${this.uuid7(sql`s.ended_at`, sql`s.key || ':end'`)}
  from (
    select v.unit_id, v.counter_id, v.id as device_id, v.unit_id || '-cb' || substr(v.counter_id, 2) as officer_id,
      v.id || '@' || d.day::text || t.part as key,
      ((d.day + t.opens) at time zone '${sql.raw(VIETNAM_TIME_ZONE)}')
        + (${this.rnd(sql`${day} || t.part`, 1)} * 15 - 5) * interval '1 minute' as started_at,
      ((d.day + t.closes) at time zone '${sql.raw(VIETNAM_TIME_ZONE)}')
        + (${this.rnd(sql`${day} || t.part`, 2)} * 20 - 5) * interval '1 minute' as ended_at
    from devices v
    cross join lateral (select ${this.o.end}::date - n as day from generate_series(0, ${this.o.days - 1}::int) as n) as d
    cross join (values ('am', time '07:30', time '11:30'), ('pm', time '13:30', time '17:00')) as t(part, opens, closes)
    where (extract(isodow from d.day) <= 5
        or (extract(isodow from d.day) = 6 and t.part = 'am'
          and v.unit_id in (select jsonb_array_elements_text(${JSON.stringify(this.saturday)}::jsonb))))
      and ${this.rnd(day, 3)} >= 0.04
  ) as s
  order by s.device_id, s.started_at`;
  }

  /**
   * One unit's visits and ratings: each session split into `k` slots (more in the morning, on
   * Mondays, at busier units), one visit per slot ending seconds before its rating. Levels: a
   * unit's and an officer's own standing, slipping units sliding over the last days.
   */
  visitsAndRatings(unitId: string, perHour: number): SQL {
    const key = sql`sl.key`;
    const levels = levelTable();
    const reasons = DEFAULT_REASONS.map((r) => r.code);
    return sql`with levels (scale, official, levels, score) as (values ${sql.join(
      levels.map(
        (l) =>
          sql`(${l.scale}, ${l.official}, ${sql.raw(`array[${l.levels.join(',')}]::int[]`)}, ${l.score}::int)`,
      ),
      sql`, `,
    )}),
sess as (
  select i.*, extract(epoch from i.ended_at - i.started_at) as len_s,
    ${this.local('i.started_at')}::date as day,
    extract(hour from ${this.local('i.started_at')})::int as start_hour,
    i.device_id || '@' || (extract(epoch from i.started_at))::bigint as skey,
    (array['keypad3', 'keypad4', 'keypad5', 'stars5'])[1 + floor(${this.rnd(sql`i.device_id`, 4)} * 4)::int] as scale
  from presence_intervals i
  where i.device_id in (select id from devices where unit_id = ${unitId}) and i.kind = 'session'
),
sized as (
  select s.*, least(${num(MAX_PER_SESSION)}, floor(${num(perHour)} * s.len_s / 3600
      * case when s.start_hour < 12 then 1.25 else 0.7 end
      * case extract(isodow from s.day) when 1 then 1.2 when 5 then 0.85 else 1 end
      * (0.6 + 0.8 * ${this.rnd(sql`s.unit_id`, 5)}) * (0.6 + 0.8 * ${this.rnd(sql`s.skey`, 6)})
      + ${this.rnd(sql`s.skey`, 7)}))::int as k
  from sess s
),
sl as (
  select s.unit_id, s.counter_id, s.device_id, s.officer_id, s.scale, s.day, s.start_hour, g.i, s.k,
    s.len_s / s.k as spacing, s.skey || '#' || g.i as key,
    s.started_at + ((g.i - 1) + 0.1 + 0.8 * ${this.rnd(sql`s.skey || '#' || g.i`, 8)}) * s.len_s / s.k * interval '1 second' as at,
    greatest(0, least(1, (s.day - (${this.o.end}::date - ${num(SLIP_DAYS)}))::float8 / ${num(SLIP_DAYS)}))
      * (s.unit_id in (select jsonb_array_elements_text(${JSON.stringify(this.slipping)}::jsonb)))::int as slip
  from sized s cross join generate_series(1, s.k) as g(i)
  where s.k > 0
),
drawn as (
  select sl.*, ${this.rnd(key, 9)} >= ${num(UNRATED_SHARE)} as rated,
    ${this.rnd(key, 10)} < ${num(NO_OFFICER_SHARE)} as nobody,
    ${this.rnd(key, 11)} < ${num(REPEAT_SHARE)} as repeated,
    ${this.rnd(key, 12)} as u_level, ${this.rnd(key, 13)} as u_pick, ${this.rnd(key, 14)} as u_visit,
    0.02 + 0.06 * (1 - ${this.rnd(sql`sl.unit_id`, 15)}) + 0.03 * (1 - ${this.rnd(sql`sl.officer_id`, 16)})
      + 0.25 * sl.slip + case when sl.start_hour >= 12 then 0.01 else 0 end as p_unsat,
    greatest(0.1, 0.45 + 0.3 * ${this.rnd(sql`sl.unit_id`, 15)} + 0.1 * ${this.rnd(sql`sl.officer_id`, 16)} - 0.3 * sl.slip) as p_very
  from sl
),
classed as (
  select d.*, case when d.u_level < d.p_unsat then 'unsatisfied' when d.u_level < d.p_unsat + d.p_very
      then 'very_satisfied' else 'satisfied' end as official,
    ${this.uuid7(sql`d.at`, sql`'v' || d.key`)} as visit_id,
    case when d.nobody then null else d.officer_id end as named,
    d.at - (0.3 + 0.4 * d.u_visit) * d.spacing * interval '1 second' as visit_started,
    case when d.rated then d.at - (3 + 20 * d.u_visit) * interval '1 second' else d.at end as visit_ended
  from drawn d
),
rated as (
  select c.*, l.levels[1 + floor(c.u_pick * array_length(l.levels, 1))::int] as level, l.score,
    case when ${this.rnd(sql`c.key`, 17)} < 0.92
      then array['H26.' || c.unit_id || '-' || to_char(c.day, 'YYMMDD') || '-' || c.counter_id || '-'
        || lpad(c.start_hour::text, 2, '0') || lpad(c.i::text, 3, '0')]
      else '{}'::text[] end as dossier_ids,
    upper(c.counter_id) || '-' || lpad(c.start_hour::text, 2, '0') || lpad(c.i::text, 3, '0') as ticket
  from classed c join levels l on l.scale = c.scale and l.official = c.official
),
vi as (
  insert into visits (id, unit_id, counter_id, device_id, officer_id, ticket, dossier_ids, trigger, started_at,
    ended_at, end_reason, rated)
  select visit_id, unit_id, counter_id, device_id, named, ticket, dossier_ids, 'ticket', visit_started, visit_ended,
    case when rated then 'rated' else 'rating_timeout' end, rated
  from rated order by visit_id
),
ex as (${this.expressions()}),
presses as (
  select r.*, r.at as press_at, r.visit_id as press_visit, r.key as press_key, null::text as filter from rated r where r.rated
  union all
  select r.*, r.at + interval '3 seconds', null, r.key || ':again', 'rapid_repeat' from rated r where r.rated and r.repeated
)
insert into ratings (event_id, unit_id, counter_id, device_id, officer_id, visit_id, dossier_ids, ticket, scale, level,
  official, score, source, reasons, response_ms, device_ts, at, server_ts, attribution, attribution_reason, filter_reason)
select ${this.uuid7(sql`p.press_at`, sql`p.press_key`)}, p.unit_id, p.counter_id, p.device_id, p.named, p.press_visit,
  case when p.press_visit is null then '{}'::text[] else p.dossier_ids end,
  case when p.press_visit is null then null else p.ticket end,
  p.scale, p.level, p.official, p.score, case when p.scale = 'stars5' then 'touch' else 'keypad' end,
  case when p.official = 'unsatisfied' then (array[${sql.join(
    reasons.map((r) => sql`${r}`),
    sql`, `,
  )}])[1 + floor(${this.rnd(sql`p.press_key`, 18)} * ${num(reasons.length)})::int:1 + floor(${this.rnd(sql`p.press_key`, 18)} * ${num(reasons.length)})::int
      + (${this.rnd(sql`p.press_key`, 19)} < 0.3)::int] else '{}'::text[] end,
  (1500 + 6000 * ${this.rnd(sql`p.press_key`, 20)})::int, p.press_at, p.press_at, p.press_at + interval '2 seconds',
  case when p.named is null then 'unverified' else 'verified' end,
  case when p.named is null then 'no_officer' end, p.filter
from presses p order by 1`;
  }

  /**
   * Camera summaries of every visit at camera counters, from the `rated` CTE of
   * `visitsAndRatings`: the index follows the official level of the visit's rating.
   */
  private expressions(): SQL {
    const k = sql`r.visit_id::text`;
    const probabilities = sql`jsonb_build_object('neutral', round((0.63 * (1 - r.idx))::numeric, 3),
      'happy', round((0.9 * r.idx)::numeric, 3), 'sad', round((0.27 * (1 - r.idx))::numeric, 3),
      'angry', 0.02, 'fearful', 0.01, 'disgusted', 0.01, 'surprised', 0.02)`;
    return sql`insert into expression_summaries (event_id, unit_id, counter_id, device_id, officer_id, visit_id,
    started_at, ended_at, frames, exit_frames, mean, exit, satisfaction_index, confidence)
  select ${this.uuid7(sql`r.visit_ended`, sql`'e' || ${k}`)}, r.unit_id, r.counter_id, r.device_id, r.named, r.visit_id,
    r.visit_started, r.visit_ended, (20 + 180 * ${this.rnd(k, 21)})::int, (5 + 15 * ${this.rnd(k, 22)})::int,
    ${probabilities}, ${probabilities}, r.idx, (0.5 + 0.45 * ${this.rnd(k, 23)})::real
  from (
    select rated.*, greatest(0, least(1, case when not rated.rated then 0.5 when rated.official = 'very_satisfied' then 0.75
        when rated.official = 'satisfied' then 0.55 else 0.3 end + (${this.rnd(sql`rated.visit_id::text`, 24)} - 0.5) * 0.3))::real as idx
    from rated where ${this.rnd(sql`rated.device_id`, 25)} < ${num(CAMERA_SHARE)}
  ) as r
  order by 1`;
  }

  /**
   * Citizens' comments on some rated dossiers (complaints mostly on unsatisfied ratings), a phone
   * left on some, followed up (handled, replied) more often the older they are.
   */
  comments(unitId: string): SQL {
    const k = sql`r.event_id::text`;
    const end = sql`((${this.o.end}::date + 1)::timestamp at time zone '${sql.raw(VIETNAM_TIME_ZONE)}')`;
    return sql`insert into comments (unit_id, counter_id, officer_id, dossier_id, kind, body, contact, created_at, status,
    handled_by, handled_at, reply)
  select c.unit_id, c.counter_id, c.officer_id, c.dossier_id, c.kind, c.body, c.contact, c.created_at, c.status,
    case when c.status <> 'new' then 'lanhdao-' || c.unit_id end,
    case when c.status <> 'new' then least(c.created_at + (2 + 70 * c.u_handled) * interval '1 hour', ${end} - interval '1 minute') end,
    case when c.status = 'replied' then 'Đơn vị đã tiếp nhận và xử lý ý kiến của ông/bà. Xin cảm ơn.' end
  from (
    select r.unit_id, r.counter_id, r.officer_id, r.dossier_ids[1] as dossier_id,
      case when r.official = 'unsatisfied' then 'complaint' when ${this.rnd(k, 26)} < 0.8 then 'praise' end as kind,
      case when r.official = 'unsatisfied'
        then (array['Chờ quá lâu, cán bộ hướng dẫn chưa rõ ràng.', 'Phải đi lại nhiều lần mới xong hồ sơ.', 'Thái độ tiếp dân chưa niềm nở.'])[1 + floor(${this.rnd(k, 27)} * 3)::int]
        else (array['Cán bộ nhiệt tình, hướng dẫn chu đáo.', 'Thủ tục nhanh gọn, cảm ơn quầy.', 'Rất hài lòng.'])[1 + floor(${this.rnd(k, 27)} * 3)::int] end as body,
      case when ${this.rnd(k, 28)} < 0.4 then '09' || lpad(floor(${this.rnd(k, 29)} * 100000000)::bigint::text, 8, '0') end as contact,
      r.at + (5 + 600 * ${this.rnd(k, 30)}) * interval '1 minute' as created_at,
      ${this.rnd(k, 31)} as u_handled,
      case when ${end} - r.at > interval '14 days' then (case when ${this.rnd(k, 32)} < 0.2 then 'new' when ${this.rnd(k, 32)} < 0.7 then 'handled' else 'replied' end)
        when ${end} - r.at > interval '3 days' then (case when ${this.rnd(k, 32)} < 0.5 then 'new' when ${this.rnd(k, 32)} < 0.8 then 'handled' else 'replied' end)
        else (case when ${this.rnd(k, 32)} < 0.9 then 'new' else 'handled' end) end as status
    from ratings r
    where r.unit_id = ${unitId} and r.visit_id is not null and cardinality(r.dossier_ids) > 0
      and ${this.rnd(k, 33)} < case when r.official = 'unsatisfied' then 0.1 else 0.003 end
  ) as c
  where c.created_at < ${end}
  order by c.created_at`;
  }
}

/** Every (scale, official level) with its pressed levels and score, from protocol's own mapping. */
function levelTable(): Array<{ scale: RatingScale; official: string; levels: number[]; score: number }> {
  const out = new Map<string, { scale: RatingScale; official: string; levels: number[]; score: number }>();
  for (const [scale, n] of Object.entries(SCALE_LEVELS) as Array<[RatingScale, number]>)
    for (let level = 1; level <= n; level++) {
      const official = officialLevel(scale, level);
      const key = `${scale}:${official}`;
      const e = out.get(key) ?? { scale, official, levels: [], score: ratingIndex(scale, level) };
      e.levels.push(level);
      out.set(key, e);
    }
  return [...out.values()];
}
