import { type SQL, sql } from 'drizzle-orm';
import { complaintAbout } from './comments.js';
import { countsForOfficer, ratesTheUnit } from './counted.js';
import type { Executor } from './db.js';
import { lockUnits } from './judge/judge.js';
import { inVietnamSql } from './projections/vietnam-time-sql.js';
import { ratings, visits } from './schema.js';

/** The `dossier_outcome_dirty` pair that asks for every dossier (written by migration 0021). */
const EVERY_DOSSIER = '*';

type Rows<T> = { rows: T[] };

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
 * batch, in its transaction). Without it, every pair listed, after taking their units' locks in
 * a transaction of its own, so that a batch in flight is waited for and seen. Returns the number
 * of pairs derived (every dossier counts as one after the migration).
 */
export async function refreshDossierOutcomes(
  db: Executor,
  opts: { units?: readonly string[] } = {},
): Promise<number> {
  if (opts.units) return opts.units.length === 0 ? 0 : derive(db, opts.units);
  const listed = (
    (await db.execute(sql`select distinct unit_id from dossier_outcome_dirty`)) as unknown as Rows<{
      unit_id: string;
    }>
  ).rows.map((r) => r.unit_id);
  if (listed.length === 0) return 0;
  return db.transaction(async (tx) => {
    const all = listed.includes(EVERY_DOSSIER);
    const units = all
      ? ((await tx.execute(sql`select id from units`)) as unknown as Rows<{ id: string }>).rows.map(
          (r) => r.id,
        )
      : listed;
    await lockUnits(tx, units);
    // Only the units locked: a unit listed since is left for the next refresh.
    return all ? deriveEvery(tx) : derive(tx, listed);
  });
}

/**
 * The pairs of `units` listed as dirty, in two statements: the first takes them off the list
 * (waiting for any transaction that listed one and has not committed: the triggers lock the
 * row), the second derives them from a snapshot taken after that, so it sees every write that
 * listed them. A write after the first statement lists its pair again, for the next refresh.
 */
async function derive(exec: Executor, units: readonly string[]): Promise<number> {
  const taken = (
    (await exec.execute(sql`delete from dossier_outcome_dirty
      where unit_id in (select jsonb_array_elements_text(${JSON.stringify(units)}::jsonb))
      returning unit_id, dossier_id`)) as unknown as Rows<{ unit_id: string; dossier_id: string }>
  ).rows;
  if (taken.length === 0) return 0;
  // A listed pair's rows by its dossier ID: one GIN probe of ratings and of visits per pair.
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

/** Every dossier of every unit, from scratch (after the migration that created the outcomes). */
async function deriveEvery(exec: Executor): Promise<number> {
  await exec.execute(sql`delete from dossier_outcome_dirty`);
  await exec.execute(sql`delete from dossier_outcomes`);
  const result = await exec.execute(sql`with ${seenSql({
    ratings: sql`from ${ratings} cross join lateral unnest(${ratings.dossierIds}) as d(dossier_id)`,
    visits: sql`from ${visits} cross join lateral unnest(${visits.dossierIds}) as d(dossier_id)`,
    dossier: sql`d.dossier_id`,
  })},
${upsertSql}
select count(*)::int as n from computed`);
  return (result as unknown as Rows<{ n: number }>).rows[0]?.n ?? 0;
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
