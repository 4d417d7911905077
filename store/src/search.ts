import { and, desc, eq, or, type SQL, sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import { namedOfficerOfUnit, type RatingRow, ratingColumns } from './reports.js';
import { rosterOfficer } from './roster.js';
import { comments, officers, ratings, units, visits } from './schema.js';

/**
 * Finding what a citizen's receipt names: every rating, visit and comment carrying one dossier ID
 * or queue ticket. Each query is answered from an index (0015_search_indexes: GIN on the
 * `dossier_ids` arrays, btree on tickets and on comments' dossier), never a scan of a table.
 */
export interface SearchQuery {
  /** A dossier ID or a queue ticket, exactly as printed (checked by the caller). */
  term: string;
  /** The one unit searched (a ward leader's); null searches every unit (the city). */
  unitId: string | null;
  limit: number;
  offset: number;
}

/** One page of a list and the length of the whole list. */
export interface Found<Row> {
  total: number;
  rows: Row[];
}

export type FoundRating = RatingRow & { unitName: string | null; reasons: string[] };

export interface FoundVisit {
  id: string;
  unitId: string;
  unitName: string | null;
  counterId: string;
  officerId: string | null;
  /** Only for an officer on the visit's unit's roster, as for ratings. */
  officerName: string | null;
  ticket: string | null;
  dossierIds: string[];
  startedAt: Date;
  endedAt: Date | null;
  rated: boolean | null;
}

export interface FoundComment {
  id: number;
  unitId: string;
  unitName: string | null;
  counterId: string | null;
  officerId: string | null;
  officerName: string | null;
  dossierId: string | null;
  kind: string | null;
  body: string;
  createdAt: Date;
}

const total = sql<number>`count(*)::int`;

async function counted(rows: Promise<{ n: number }[]>): Promise<number> {
  const [row] = await rows;
  return row?.n ?? 0;
}

/** `unit_id = …` for a ward leader's search; nothing for the city's. */
function inUnit(
  column: typeof ratings.unitId | typeof visits.unitId | typeof comments.unitId,
  unitId: string | null,
) {
  return unitId === null ? undefined : eq(column, unitId);
}

/** The array holds the term: `@>` with a one-element `text[]`, the operator the GIN index serves. */
function holds(column: typeof ratings.dossierIds | typeof visits.dossierIds, term: string): SQL {
  return sql`${column} @> array[${term}]::text[]`;
}

export async function searchRatings(db: Executor, q: SearchQuery): Promise<Found<FoundRating>> {
  const where = and(
    inUnit(ratings.unitId, q.unitId),
    or(holds(ratings.dossierIds, q.term), eq(ratings.ticket, q.term)),
  );
  const [rows, n] = await Promise.all([
    db
      .select({ ...ratingColumns, unitName: units.name, reasons: ratings.reasons })
      .from(ratings)
      .leftJoin(officers, namedOfficerOfUnit)
      .leftJoin(units, eq(units.id, ratings.unitId))
      .where(where)
      .orderBy(sql`${ratings.at} desc nulls last`, desc(ratings.deviceTs), desc(ratings.eventId))
      .limit(q.limit)
      .offset(q.offset),
    counted(db.select({ n: total }).from(ratings).where(where)),
  ]);
  return { total: n, rows };
}

export async function searchVisits(db: Executor, q: SearchQuery): Promise<Found<FoundVisit>> {
  const where = and(
    inUnit(visits.unitId, q.unitId),
    or(holds(visits.dossierIds, q.term), eq(visits.ticket, q.term)),
  );
  const [rows, n] = await Promise.all([
    db
      .select({
        id: visits.id,
        unitId: visits.unitId,
        unitName: units.name,
        counterId: visits.counterId,
        officerId: visits.officerId,
        officerName: officers.name,
        ticket: visits.ticket,
        dossierIds: visits.dossierIds,
        startedAt: visits.startedAt,
        endedAt: visits.endedAt,
        rated: visits.rated,
      })
      .from(visits)
      .leftJoin(officers, rosterOfficer(visits.officerId, visits.unitId))
      .leftJoin(units, eq(units.id, visits.unitId))
      .where(where)
      // `nulls last` (started_at is never null) keeps the planner off a backward walk of
      // visits_started_idx: it over-estimates array containment (~20,000 matches of 3.3M) and
      // would filter every visit of the city to find the one or two matches (8.7 s at city scale),
      // where the GIN and ticket indexes find them directly, as for ratings.
      .orderBy(sql`${visits.startedAt} desc nulls last`, desc(visits.id))
      .limit(q.limit)
      .offset(q.offset),
    counted(db.select({ n: total }).from(visits).where(where)),
  ]);
  return { total: n, rows };
}

/** Comments name a dossier (the citizen typed it on the form), never a ticket. */
export async function searchComments(db: Executor, q: SearchQuery): Promise<Found<FoundComment>> {
  const where = and(inUnit(comments.unitId, q.unitId), eq(comments.dossierId, q.term));
  const [rows, n] = await Promise.all([
    db
      .select({
        id: comments.id,
        unitId: comments.unitId,
        unitName: units.name,
        counterId: comments.counterId,
        officerId: comments.officerId,
        officerName: officers.name,
        dossierId: comments.dossierId,
        kind: comments.kind,
        body: comments.body,
        createdAt: comments.createdAt,
      })
      .from(comments)
      .leftJoin(officers, rosterOfficer(comments.officerId, comments.unitId))
      .leftJoin(units, eq(units.id, comments.unitId))
      .where(where)
      .orderBy(desc(comments.createdAt), desc(comments.id))
      .limit(q.limit)
      .offset(q.offset),
    counted(db.select({ n: total }).from(comments).where(where)),
  ]);
  return { total: n, rows };
}
