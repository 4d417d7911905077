import {
  type DossierCounts,
  type DossierSatisfaction,
  dossierSatisfaction,
  NO_OVERDUE_FEED,
} from '@onestop/evaluation';
import { sql } from 'drizzle-orm';
import { complaintAbout } from './comments.js';
import { countsForOfficer, ratesTheUnit } from './counted.js';
import type { Executor } from './db.js';
import type { Period } from './reports.js';
import { ratings, visits } from './schema.js';

/**
 * The seam for "overdue" in the Decision 766 indicator: only a dossier-handling system knows
 * which dossiers missed their legal deadline. None is connected yet, so the default feeds nothing
 * and its name, 'none', is printed beside the figure.
 */
export interface OverdueDossierSource {
  /** Printed beside the indicator; `NO_OVERDUE_FEED` ('none') when nothing feeds it. */
  readonly name: string;
  /** The dossiers of the unit (every unit when null) handled in the period that were overdue. */
  overdue(
    period: Period,
    unitId: string | null,
  ): Promise<ReadonlyArray<{ unitId: string; dossierId: string }>>;
}

export const NO_OVERDUE_SOURCE: OverdueDossierSource = { name: NO_OVERDUE_FEED, overdue: async () => [] };

export interface DossierSatisfactionRow extends DossierSatisfaction {
  unitId: string;
  /** Null for the unit's indicator. */
  officerId: string | null;
}

/**
 * The Decision 766 per-dossier indicator of each unit (`by: 'unit'`) or of each officer
 * (`by: 'officer'`). A unit's dossiers are the distinct IDs on its citizens' ratings
 * (`ratesTheUnit`: placed and not filtered, whoever they name: an unverified rating still rates the
 * unit) and on its visits in the period; an officer's are those on ratings credited to them
 * (`countsForOfficer`). A dossier fails when one of those ratings is unsatisfied, when a citizen
 * marked a comment naming it as a complaint (`complaintAbout`, whenever sent), or when the
 * overdue source lists it.
 */
export async function dossierSatisfactionOf(
  db: Executor,
  q: { unitId: string | null; by: 'unit' | 'officer' },
  period: Period,
  overdueSource: OverdueDossierSource = NO_OVERDUE_SOURCE,
): Promise<DossierSatisfactionRow[]> {
  const overdue = JSON.stringify(
    (await overdueSource.overdue(period, q.unitId)).map((o) => ({
      unit_id: o.unitId,
      dossier_id: o.dossierId,
    })),
  );
  const from = period.from.toISOString();
  const to = period.to.toISOString();
  const unitOf = (column: typeof ratings.unitId | typeof visits.unitId) =>
    q.unitId === null ? sql`true` : sql`${column} = ${q.unitId}`;
  const byOfficer = q.by === 'officer';
  const visitDossiers = byOfficer
    ? sql``
    : sql`union all
      select ${visits.unitId}, null::text, d.dossier_id, false
      from ${visits} cross join lateral unnest(${visits.dossierIds}) as d(dossier_id)
      where ${unitOf(visits.unitId)} and ${visits.startedAt} >= ${from}::timestamptz
        and ${visits.startedAt} < ${to}::timestamptz`;
  const result = await db.execute(sql`
    with overdue as (
      select * from jsonb_to_recordset(${overdue}::jsonb) as o(unit_id text, dossier_id text)
    ),
    seen (unit_id, officer_id, dossier_id, unsatisfied) as (
      select ${ratings.unitId}, ${byOfficer ? ratings.officerId : sql`null::text`}, d.dossier_id,
        ${ratings.official} = 'unsatisfied'
      from ${ratings} cross join lateral unnest(${ratings.dossierIds}) as d(dossier_id)
      where ${byOfficer ? countsForOfficer() : ratesTheUnit()} and ${unitOf(ratings.unitId)}
        and ${ratings.at} >= ${from}::timestamptz and ${ratings.at} < ${to}::timestamptz
      ${visitDossiers}
    ),
    dossier as (
      select s.unit_id, s.officer_id, s.dossier_id, bool_or(s.unsatisfied) as rated_unsatisfied,
        ${complaintAbout(sql`s.unit_id`, sql`s.dossier_id`)} as complained,
        exists (select 1 from overdue o where o.unit_id = s.unit_id and o.dossier_id = s.dossier_id) as overdue
      from seen s where s.dossier_id <> ''
      group by s.unit_id, s.officer_id, s.dossier_id
    )
    select unit_id as "unitId", officer_id as "officerId", count(*)::int as dossiers,
      (count(*) filter (where rated_unsatisfied))::int as "ratedUnsatisfied",
      (count(*) filter (where complained))::int as "complainedAbout",
      (count(*) filter (where overdue))::int as overdue,
      (count(*) filter (where not (rated_unsatisfied or complained or overdue)))::int as satisfied
    from dossier group by unit_id, officer_id`);
  const rows = (
    result as unknown as { rows: Array<DossierCounts & { unitId: string; officerId: string | null }> }
  ).rows;
  return rows.map((r) => withShare(r, overdueSource.name));
}

/** A unit or officer with no dossier in the period. */
export function noDossiers(overdueSource: OverdueDossierSource = NO_OVERDUE_SOURCE): DossierSatisfaction {
  return withShare(
    { dossiers: 0, ratedUnsatisfied: 0, complainedAbout: 0, overdue: 0, satisfied: 0 },
    overdueSource.name,
  );
}

function withShare<C extends DossierCounts>(c: C, overdueSource: string): C & DossierSatisfaction {
  return { ...c, share: dossierSatisfaction.compute(c), overdueSource };
}
