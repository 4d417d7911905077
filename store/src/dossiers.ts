import {
  type DossierCounts,
  type DossierSatisfaction,
  dossierSatisfaction,
  NO_OVERDUE_FEED,
  wholeWeeksOf,
} from '@onestop/evaluation';
import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import { refreshDossierOutcomes } from './dossier-outcomes.js';
import type { Period } from './reports.js';
import { type EdgeSpan, wholeDaysOf } from './rollups-over.js';

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
 * (`by: 'officer'`): the dossiers first seen in the period and how many of them failed, by the
 * outcome rule of `refreshDossierOutcomes` (store/src/dossier-outcomes.ts), plus those the
 * overdue source lists. Whole Vietnam days are read from `dossier_days`, the partial days at the
 * period's edges from `dossier_outcomes`: a year is ≤ 366 rows per unit or officer. Outcomes
 * waiting to be derived (a change made outside an ingest batch) are derived first.
 */
export async function dossierSatisfactionOf(
  db: Executor,
  q: { unitId: string | null; by: 'unit' | 'officer' },
  period: Period,
  overdueSource: OverdueDossierSource = NO_OVERDUE_SOURCE,
): Promise<DossierSatisfactionRow[]> {
  const [rows] = await dossierSatisfactionOver(db, q, [period], overdueSource);
  return rows ?? [];
}

/**
 * `dossierSatisfactionOf` for several periods (a page's period and its previous one) in one
 * statement, each period's rows tagged with its place in `periods`: on PGlite a page's statements
 * run one after another, so two periods cost one round instead of two.
 */
export async function dossierSatisfactionOver(
  db: Executor,
  q: { unitId: string | null; by: 'unit' | 'officer' },
  periods: readonly Period[],
  overdueSource: OverdueDossierSource = NO_OVERDUE_SOURCE,
): Promise<DossierSatisfactionRow[][]> {
  // The units read, derived first (a unit still waiting for its full rebuild included).
  await refreshDossierOutcomes(db, q.unitId === null ? {} : { only: [q.unitId] });
  const overdueLists = await Promise.all(periods.map((p) => overdueSource.overdue(p, q.unitId)));
  const whose = (t: SQL) =>
    sql.join(
      [
        q.by === 'unit' ? sql`${t}.officer_id = ''` : sql`${t}.officer_id <> ''`,
        ...(q.unitId === null ? [] : [sql`${t}.unit_id = ${q.unitId}`]),
      ],
      sql` and `,
    );
  const partsOf = (period: Period, tag: number): SQL[] => {
    const p = sql.raw(String(tag));
    const split = wholeDaysOf(period);
    const edge = ([a, b]: EdgeSpan) =>
      sql`select ${p} as p, o.unit_id, o.officer_id, 1 as dossiers, o.rated_unsatisfied::int as rated_unsatisfied,
      o.complained::int as complained, (o.rated_unsatisfied or o.complained)::int as failed
    from dossier_outcomes o
    where ${whose(sql`o`)} and o.first_at >= ${new Date(a).toISOString()}::timestamptz
      and o.first_at < ${new Date(b).toISOString()}::timestamptz`;
    const parts: SQL[] = [edge(split.before)];
    if (split.days !== null) {
      const days = (first: string, last: string) =>
        sql`select ${p} as p, d.unit_id, d.officer_id, d.dossiers, d.rated_unsatisfied, d.complained, d.failed
      from dossier_days d
      where ${whose(sql`d`)} and d.day >= ${first}::date and d.day <= ${last}::date`;
      // Whole ISO weeks from their sums (53 rows a year per owner instead of 365), days around them.
      const weeks = wholeWeeksOf(split.days.first, split.days.last);
      if (weeks === null) parts.push(days(split.days.first, split.days.last));
      else {
        if (weeks.before) parts.push(days(...weeks.before));
        parts.push(sql`select ${p} as p, w.unit_id, w.officer_id, w.dossiers, w.rated_unsatisfied, w.complained, w.failed
      from dossier_weeks w
      where ${whose(sql`w`)} and w.week >= ${weeks.first}::date and w.week <= ${weeks.last}::date`);
        if (weeks.after) parts.push(days(...weeks.after));
      }
      parts.push(edge(split.after));
    }
    return parts;
  };
  const counted = (
    (await db.execute(sql`select p, unit_id as "unitId", officer_id as "officerId",
      sum(dossiers)::int as dossiers, sum(rated_unsatisfied)::int as "ratedUnsatisfied",
      sum(complained)::int as "complainedAbout", sum(failed)::int as failed
    from (${sql.join(
      periods.flatMap((period, i) => partsOf(period, i)),
      sql` union all `,
    )}) parts
    group by p, unit_id, officer_id having sum(dossiers) > 0`)) as unknown as Rows<
      Omit<DossierCounts, 'overdue' | 'satisfied'> & {
        p: number;
        unitId: string;
        officerId: string;
        failed: number;
      }
    >
  ).rows;
  return Promise.all(
    periods.map(async (period, i) => {
      const list = overdueLists[i] ?? [];
      const overdue = list.length === 0 ? new Map() : await overdueOf(db, list, whose, period);
      return counted
        .filter((r) => Number(r.p) === i)
        .map(({ failed, p: _p, ...r }) => {
          const late = overdue.get(JSON.stringify([r.unitId, r.officerId])) ?? { overdue: 0, onlyOverdue: 0 };
          return withShare(
            {
              ...r,
              officerId: r.officerId === '' ? null : r.officerId,
              overdue: late.overdue,
              satisfied: r.dossiers - failed - late.onlyOverdue,
            },
            overdueSource.name,
          );
        });
    }),
  );
}

/**
 * Of the dossiers first seen in the period, per unit and officer: how many the overdue source
 * lists, and how many of those failed for no other reason.
 */
async function overdueOf(
  db: Executor,
  list: ReadonlyArray<{ unitId: string; dossierId: string }>,
  whose: (t: SQL) => SQL,
  period: Period,
): Promise<Map<string, { overdue: number; onlyOverdue: number }>> {
  const json = JSON.stringify(list.map((o) => ({ unit_id: o.unitId, dossier_id: o.dossierId })));
  const rows = (
    (await db.execute(sql`select o.unit_id, o.officer_id, count(*)::int as overdue,
      (count(*) filter (where not (o.rated_unsatisfied or o.complained)))::int as only_overdue
    from (select distinct * from jsonb_to_recordset(${json}::jsonb) as x(unit_id text, dossier_id text)) x
    join dossier_outcomes o on o.unit_id = x.unit_id and o.dossier_id = x.dossier_id
    where ${whose(sql`o`)} and o.first_at >= ${period.from.toISOString()}::timestamptz
      and o.first_at < ${period.to.toISOString()}::timestamptz
    group by o.unit_id, o.officer_id`)) as unknown as Rows<{
      unit_id: string;
      officer_id: string;
      overdue: number;
      only_overdue: number;
    }>
  ).rows;
  return new Map(
    rows.map((r) => [
      JSON.stringify([r.unit_id, r.officer_id]),
      { overdue: r.overdue, onlyOverdue: r.only_overdue },
    ]),
  );
}

type Rows<T> = { rows: T[] };

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
