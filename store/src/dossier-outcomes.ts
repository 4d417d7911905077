import { type SQL, sql } from 'drizzle-orm';
import { complaintAbout } from './comments.js';
import { countsForOfficer, ratesTheUnit } from './counted.js';
import type { Executor } from './db.js';
import { lockUnits, tryLockUnit } from './judge/judge.js';
import { inVietnamSql } from './projections/vietnam-time-sql.js';
import { ratings, visits } from './schema.js';

/**
 * Listed as a unit's dossier in `dossier_outcome_dirty`: every dossier of that unit, derived from
 * scratch in one transaction holding only that unit's lock (one batch of a full rebuild). Listed
 * as the unit too (migration 0021): every unit's, split into one such row per unit before
 * anything is derived, so that a rebuild stopped half-way resumes with the units still listed.
 */
export const EVERY_DOSSIER = '*';

type Rows<T> = { rows: T[] };
const rowsOf = <T>(r: unknown) => (r as Rows<T>).rows;
const jsonList = (xs: readonly string[]) =>
  sql`(select jsonb_array_elements_text(${JSON.stringify(xs)}::jsonb))`;

/**
 * A unit with more pairs listed than this is derived whole instead, one unit per transaction in
 * the background (`rebuildDossierOutcomes`): a bulk load (a seed, an import, a long outage of
 * the refresh) lists millions of pairs, which derived pair by pair would hold every unit's lock
 * in one transaction for minutes. A whole unit reads its own rows once, by index.
 */
export const WHOLE_UNIT_BACKLOG = 5_000;

/** A unit waiting for every one of its dossiers: an ingest batch or the open leaves it to `rebuildDossierOutcomes`. */
export type WholeUnits = 'derive' | 'leave';

/**
 * Derives again the Decision 766 outcome (`dossier_outcomes`, and through its triggers
 * `dossier_days`) of every (unit, dossier) pair listed in `dossier_outcome_dirty`, and empties the
 * list. THE rule of a dossier's outcome, from the stored rows:
 * - the unit's dossiers are the IDs on its citizens' ratings (`ratesTheUnit`: placed and not
 *   filtered, whoever they name) and on its visits; an officer's, the IDs on ratings credited to
 *   them (`countsForOfficer`);
 * - it counts once, from its first rating or visit there (for an officer, their first credited
 *   rating): `first_at`, and its Vietnam date `day`;
 * - it failed when any of those ratings was unsatisfied (`rated_unsatisfied`), or a citizen marked
 *   a comment naming it a complaint, whenever sent (`complained`).
 *
 * `units`: only the pairs of these units, whose judging locks the caller already holds (an ingest
 * batch, in its transaction); a unit waiting for its full rebuild is left to it (its pairs stay
 * listed, and the rebuild covers them), so that no batch pays for a whole unit. Otherwise the
 * pairs of the `only` units (a read of them) or of every unit, after taking their units' locks,
 * so that a batch in flight is waited for and seen: the units with ordinary pairs in one
 * transaction, each unit waiting for its full rebuild in one of its own (`wholeUnits: 'leave'`
 * leaves those to `rebuildDossierOutcomes`). A read thus never sees a unit half-derived: it
 * derives the unit first, or waits for whoever holds its lock. Returns the number of pairs
 * derived (every dossier of a whole unit counts as one).
 */
export async function refreshDossierOutcomes(
  db: Executor,
  opts: { units?: readonly string[]; only?: readonly string[]; wholeUnits?: WholeUnits } = {},
): Promise<number> {
  if (opts.units) return opts.units.length === 0 ? 0 : (await derive(db, opts.units, 'leave')).derived;
  let listed = await listDirty(db, opts.only);
  if (listed.some((l) => l.unit_id === EVERY_DOSSIER)) {
    await splitEveryDossier(db);
    listed = await listDirty(db, opts.only);
  }
  const backlogs = listed.filter((l) => !l.whole && l.n > WHOLE_UNIT_BACKLOG).map((l) => l.unit_id);
  if (backlogs.length > 0) {
    await db.execute(sql`insert into dossier_outcome_dirty (unit_id, dossier_id)
      select u, ${EVERY_DOSSIER} from ${jsonList(backlogs)} as b(u) on conflict do nothing`);
    listed = await listDirty(db, opts.only);
  }
  const wholeUnits = opts.wholeUnits ?? 'derive';
  const ordinary = listed.filter((l) => !l.whole).map((l) => l.unit_id);
  let derived = 0;
  if (ordinary.length > 0)
    derived += await db.transaction(async (tx) => {
      await lockUnits(tx, ordinary);
      // Only the units locked: a unit listed since is left for the next refresh.
      return (await derive(tx, ordinary, wholeUnits)).derived;
    });
  if (wholeUnits === 'leave') return derived;
  const whole = listed.filter((l) => l.whole).map((l) => l.unit_id);
  return derived + (whole.length > 0 ? await rebuildDossierOutcomes(db, { only: whole }) : 0);
}

/**
 * Derives every dossier of each unit waiting for its full rebuild (`EVERY_DOSSIER`, see
 * `refreshDossierOutcomes`), one unit per transaction holding only that unit's lock: ingest of
 * the other units goes on meanwhile, and a process stopped half-way leaves the units not done
 * still listed, for the next one. Units locked by someone else (an ingest batch, a read deriving
 * the unit, another process rebuilding) are passed over for one that is free, so processes
 * rebuilding at once share the units instead of deriving each twice; only when every unit left is
 * busy does it wait for the first. Returns the number of units this call derived.
 */
export async function rebuildDossierOutcomes(
  db: Executor,
  opts: {
    /** Only these units (a read of them); every unit waiting otherwise. */
    only?: readonly string[];
    onUnit?: (e: { unitId: string; unitsLeft: number; ms: number }) => void;
    stopped?: () => boolean;
  } = {},
): Promise<number> {
  const only = opts.only ? sql`and unit_id in ${jsonList(opts.only)}` : sql``;
  let rebuilt = 0;
  while (!opts.stopped?.()) {
    const began = Date.now();
    const batch = await db.transaction(async (tx) => {
      const waiting = (
        (await tx.execute(sql`select unit_id from dossier_outcome_dirty
          where dossier_id = ${EVERY_DOSSIER} and unit_id <> ${EVERY_DOSSIER} ${only} order by unit_id`)) as unknown as {
          rows: Array<{ unit_id: string }>;
        }
      ).rows.map((r) => r.unit_id);
      const first = waiting[0];
      if (first === undefined) return null;
      let unitId: string | undefined;
      for (const u of waiting) {
        if (!(await tryLockUnit(tx, u))) continue;
        unitId = u;
        break;
      }
      if (unitId === undefined) {
        unitId = first;
        await lockUnits(tx, [unitId]);
      }
      // Done meanwhile by another process (listed when we looked, gone once its lock was free): nothing to derive.
      const { whole } = await derive(tx, [unitId], 'derive');
      return { unitId, unitsLeft: waiting.length - 1, derived: whole.length > 0 };
    });
    if (batch === null) break;
    if (batch.derived) {
      rebuilt++;
      opts.onUnit?.({ unitId: batch.unitId, unitsLeft: batch.unitsLeft, ms: Date.now() - began });
    }
  }
  return rebuilt;
}

/** The units with listed pairs (of `only`, when given), and whether each waits for every dossier. */
async function listDirty(db: Executor, only?: readonly string[]) {
  // The all-units row is listed whatever `only` says: it stands for every unit.
  const where = only ? sql`where unit_id in ${jsonList([...only, EVERY_DOSSIER])}` : sql``;
  return rowsOf<{ unit_id: string; whole: boolean; n: number }>(
    await db.execute(sql`select unit_id, bool_or(dossier_id = ${EVERY_DOSSIER}) as whole, count(*)::int as n
      from dossier_outcome_dirty ${where} group by unit_id`),
  );
}

/**
 * Replaces the all-units row by one row per unit, in one statement: of a second process doing
 * the same at once, one takes the row and the other finds it gone. The units are those configured
 * and any with stored rows or outcomes (found one index probe per unit, not by reading the rows).
 */
async function splitEveryDossier(db: Executor): Promise<void> {
  const unitsOf = (table: string) =>
    sql.raw(`select unit_id from (with recursive u(unit_id) as (
      (select unit_id from ${table} order by unit_id limit 1)
      union all
      select (select t.unit_id from ${table} t where t.unit_id > u.unit_id order by t.unit_id limit 1)
      from u where u.unit_id is not null
    ) select unit_id from u where unit_id is not null) as x`);
  await db.execute(sql`with taken as (
    delete from dossier_outcome_dirty where unit_id = ${EVERY_DOSSIER} and dossier_id = ${EVERY_DOSSIER} returning 1
  )
  insert into dossier_outcome_dirty (unit_id, dossier_id)
  select unit_id, ${EVERY_DOSSIER} from (
    select id as unit_id from units
    union ${unitsOf('ratings')} union ${unitsOf('visits')} union ${unitsOf('dossier_outcomes')}
  ) as every_unit
  where exists (select 1 from taken)
  on conflict do nothing`);
}

/**
 * The pairs of `units` listed as dirty, in two statements: the first takes them off the list
 * (waiting for any transaction that listed one and has not committed: the triggers lock the
 * row), the second derives them from a snapshot taken after that, so it sees every write that
 * listed them. A write after the first statement lists its pair again, for the next refresh.
 * A unit listed with `EVERY_DOSSIER` is derived whole (or, `leave`, left listed with its pairs).
 * The caller holds the units' locks. `whole`: the units derived whole.
 */
async function derive(
  exec: Executor,
  units: readonly string[],
  wholeUnits: WholeUnits,
): Promise<{ derived: number; whole: string[] }> {
  const leave =
    wholeUnits === 'leave'
      ? sql`and unit_id not in (select unit_id from dossier_outcome_dirty where dossier_id = ${EVERY_DOSSIER})`
      : sql``;
  const taken = rowsOf<{ unit_id: string; dossier_id: string }>(
    await exec.execute(sql`delete from dossier_outcome_dirty
      where unit_id in ${jsonList(units)} ${leave}
      returning unit_id, dossier_id`),
  );
  const whole = [...new Set(taken.filter((t) => t.dossier_id === EVERY_DOSSIER).map((t) => t.unit_id))];
  const pairs = taken.filter((t) => !whole.includes(t.unit_id));
  const derived = (pairs.length > 0 ? await derivePairs(exec, pairs) : 0) + (await deriveWhole(exec, whole));
  return { derived, whole };
}

/** Some dossiers: one GIN probe of ratings and of visits per pair. */
async function derivePairs(
  exec: Executor,
  taken: ReadonlyArray<{ unit_id: string; dossier_id: string }>,
): Promise<number> {
  const listedIn = (column: typeof ratings.dossierIds | typeof visits.dossierIds) =>
    sql`join keys k on ${column} @> array[k.dossier_id]`;
  await exec.execute(sql`with keys as (
  select * from jsonb_to_recordset(${JSON.stringify(taken)}::jsonb) as x(unit_id text, dossier_id text)
),
${seenSql({
  ratings: sql`from ${ratings} ${listedIn(ratings.dossierIds)} and k.unit_id = ${ratings.unitId}`,
  visits: sql`from ${visits} ${listedIn(visits.dossierIds)} and k.unit_id = ${visits.unitId}`,
  dossier: sql`k.dossier_id`,
})},
${upsertSql}
delete from dossier_outcomes o using keys k
where o.unit_id = k.unit_id and o.dossier_id = k.dossier_id
  and not exists (select 1 from computed c
    where c.unit_id = o.unit_id and c.dossier_id = o.dossier_id and c.officer_id = o.officer_id)`);
  return taken.length;
}

/** Every dossier of `units`, from scratch: their rows by the unit indexes. */
async function deriveWhole(exec: Executor, units: readonly string[]): Promise<number> {
  if (units.length === 0) return 0;
  const ofUnit = (table: typeof ratings | typeof visits) =>
    sql`from ${table} join whole w on w.unit_id = ${table.unitId}
      cross join lateral unnest(${table.dossierIds}) as d(dossier_id)`;
  const result = await exec.execute(sql`with whole(unit_id) as ${jsonList(units)},
${seenSql({ ratings: ofUnit(ratings), visits: ofUnit(visits), dossier: sql`d.dossier_id` })},
${upsertSql},
gone as (
  delete from dossier_outcomes o using whole w
  where o.unit_id = w.unit_id and not exists (select 1 from computed c
    where c.unit_id = o.unit_id and c.dossier_id = o.dossier_id and c.officer_id = o.officer_id)
)
select count(*)::int as n from computed`);
  return rowsOf<{ n: number }>(result)[0]?.n ?? 0;
}

/**
 * `seen` (every counting rating and visit of a dossier, per unit and per credited officer) and
 * `computed` (one outcome per unit or officer and dossier), over the rows `from` picks; `dossier`
 * names the dossier ID column it exposes.
 */
function seenSql(from: { ratings: SQL; visits: SQL; dossier: SQL }): SQL {
  const unsatisfied = sql`${ratings.official} = 'unsatisfied'`;
  return sql`seen (unit_id, officer_id, dossier_id, at, unsatisfied) as (
  select ${ratings.unitId}, '', ${from.dossier}, ${ratings.at}, ${unsatisfied}
  ${from.ratings} where ${ratesTheUnit()}
  union all
  select ${ratings.unitId}, ${ratings.officerId}, ${from.dossier}, ${ratings.at}, ${unsatisfied}
  ${from.ratings} where ${countsForOfficer()}
  union all
  select ${visits.unitId}, '', ${from.dossier}, ${visits.startedAt}, false
  ${from.visits}
),
computed as (
  select s.unit_id, s.officer_id, s.dossier_id, min(s.at) as first_at,
    bool_or(s.unsatisfied) as rated_unsatisfied,
    ${complaintAbout(sql`s.unit_id`, sql`s.dossier_id`)} as complained
  from seen s where s.dossier_id <> ''
  group by s.unit_id, s.officer_id, s.dossier_id
)`;
}

/** Writes `computed`: a row only where something changed, so unchanged days are not touched. */
const upsertSql = sql`upserted as (
  insert into dossier_outcomes as o (unit_id, officer_id, dossier_id, first_at, day, rated_unsatisfied, complained)
  select unit_id, officer_id, dossier_id, first_at,
    ${inVietnamSql(sql`first_at`)}::date, rated_unsatisfied, complained
  from computed
  on conflict (unit_id, dossier_id, officer_id) do update set first_at = excluded.first_at,
    day = excluded.day, rated_unsatisfied = excluded.rated_unsatisfied, complained = excluded.complained
  where (o.first_at, o.rated_unsatisfied, o.complained)
    is distinct from (excluded.first_at, excluded.rated_unsatisfied, excluded.complained)
)`;
