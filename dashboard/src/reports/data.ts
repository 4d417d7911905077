import {
  addCounts,
  countDossiers,
  type DossierSatisfaction,
  dossierSatisfaction,
  NO_OVERDUE_FEED,
  NO_RATINGS,
  previousPeriod,
  type RatingFigures,
  type ReportPeriod,
  ratingFigures,
} from '@onestop/evaluation';
import {
  type CommentSummary,
  commentSummary,
  compareUnits,
  compareUnitsOver,
  type Database,
  frequentReasons,
  type OfficerSummary,
  type UnitComparison,
  uncountedInCity,
  unitTables,
} from '@onestop/store';
import { heatmapFigure, trendFigure } from '../charts/index.js';
import { againstUnitTarget, targetOf } from '../drill/target.js';
import type { Lang, Translate } from '../i18n.js';
import { type UncountedTotals, unitJudgement } from '../judgement/data.js';
import { storeSpan } from '../period.js';

/** The headline row of a report: the evaluation figures and the Decision 766 share. */
export type KeyFigures = RatingFigures & { dossierSatisfaction: DossierSatisfaction };

/** Everything a monthly report shows; the ward's and the city's differ only in their table. */
export interface ReportData {
  /** The ward's name, or null for the whole city. */
  unitName: string | null;
  period: ReportPeriod;
  generatedAt: Date;
  key: KeyFigures;
  /** Quarantined ratings are counted per unit only (they have no placed time across a city). */
  uncounted: UncountedTotals | (Omit<UncountedTotals, 'quarantined'> & { quarantined: null });
  trend: Awaited<ReturnType<typeof trendFigure>>;
  heat: Awaited<ReturnType<typeof heatmapFigure>> | null;
  /** The table of the report with the same table of the previous period (the change column). */
  table:
    | { kind: 'officers'; rows: OfficerSummary[]; previous: OfficerSummary[] }
    | { kind: 'units'; rows: UnitComparison[]; previous: UnitComparison[] };
  comments: CommentSummary;
  reasons: Array<{ reason: string; n: number }>;
}

/**
 * The city's headline: the units' official counts added up and put through the same formulas;
 * Decision 766 counts are per unit (a dossier belongs to one unit), so they add up too.
 */
export function cityKeyFigures(rows: readonly UnitComparison[]): KeyFigures {
  const official = rows.reduce((sum, r) => addCounts(sum, r.official), NO_RATINGS);
  // The camera index is a ward's figure; the city headline shows ratings only.
  const figures = ratingFigures(official, { samples: 0, sum: 0, sqSum: 0 });
  const counts = countDossiers([]);
  for (const r of rows) {
    counts.dossiers += r.dossierSatisfaction.dossiers;
    counts.ratedUnsatisfied += r.dossierSatisfaction.ratedUnsatisfied;
    counts.complainedAbout += r.dossierSatisfaction.complainedAbout;
    counts.overdue += r.dossierSatisfaction.overdue;
    counts.satisfied += r.dossierSatisfaction.satisfied;
  }
  const overdueSource = rows[0]?.dossierSatisfaction.overdueSource ?? NO_OVERDUE_FEED;
  return {
    ...figures,
    dossierSatisfaction: { ...counts, share: dossierSatisfaction.compute(counts), overdueSource },
  };
}

type View = { lang: Lang; t: Translate };

/** A ward's report: roll-ups for every figure, the period's comments and reasons. */
export async function wardReport(
  db: Database,
  view: View,
  unit: { id: string; name: string; settings: unknown },
  period: ReportPeriod,
  generatedAt: Date,
): Promise<ReportData> {
  const span = storeSpan(period);
  const [units, [{ officers }, { officers: before }], judgement, trend, heat, comments, reasons] =
    await Promise.all([
      compareUnits(db, span, { unitId: unit.id }),
      unitTables(db, unit.id, [span, storeSpan(previousPeriod(period))]),
      unitJudgement(db, unit.id, span),
      trendFigure(db, view, unit, period),
      heatmapFigure(db, view, unit.id, period),
      commentSummary(db, unit.id, span),
      frequentReasons(db, unit.id, span),
    ]);
  const target = targetOf(unit);
  // Coloured against the ward's own target, as on the ward's page: one officer, one verdict.
  const own = againstUnitTarget(units, target)[0];
  return {
    unitName: unit.name,
    period,
    generatedAt,
    key: own ?? cityKeyFigures([]),
    uncounted: judgement.uncounted,
    trend,
    heat,
    table: { kind: 'officers', rows: againstUnitTarget(officers, target), previous: before },
    comments,
    reasons,
  };
}

/** The city's report: every ward side by side. */
export async function cityReport(
  db: Database,
  view: View,
  period: ReportPeriod,
  generatedAt: Date,
): Promise<ReportData> {
  const span = storeSpan(period);
  const [[units, before], uncounted, trend, comments, reasons] = await Promise.all([
    compareUnitsOver(db, [span, storeSpan(previousPeriod(period))]),
    uncountedInCity(db, span),
    trendFigure(db, view, null, period),
    commentSummary(db, null, span),
    frequentReasons(db, null, span),
  ]);
  return {
    unitName: null,
    period,
    generatedAt,
    key: cityKeyFigures(units),
    uncounted: { ...uncounted, quarantined: null },
    trend,
    heat: null,
    table: { kind: 'units', rows: units, previous: before },
    comments,
    reasons,
  };
}
