import { type CounterJudgement, type Database, judgementByCounter } from '@onestop/store';

/** A unit's ratings that count for nobody in a period, by kind (the counters' sums). */
export interface UncountedTotals {
  unverified: number;
  filtered: number;
  quarantined: number;
}

export interface UnitJudgement {
  /** Per counter: counted, unverified, filtered, quarantined (counters with none left out). */
  counters: CounterJudgement[];
  uncounted: UncountedTotals;
}

export function uncountedTotals(counters: readonly CounterJudgement[]): UncountedTotals {
  const sum = (k: keyof UncountedTotals) => counters.reduce((n, c) => n + c[k], 0);
  return { unverified: sum('unverified'), filtered: sum('filtered'), quarantined: sum('quarantined') };
}

/** What happened to a unit's ratings in a period, per counter and in total. */
export async function unitJudgement(
  db: Database,
  unitId: string,
  period: { from: Date; to: Date },
): Promise<UnitJudgement> {
  const counters = await judgementByCounter(db, { unitId, period });
  return { counters, uncounted: uncountedTotals(counters) };
}

/**
 * The officer rows of the JSON contract, each with its unit's uncounted totals for the same
 * period: an integrator reading one officer's figures sees beside them how many of the unit's
 * ratings counted for nobody.
 */
export function withUncounted<Row extends object>(rows: readonly Row[], judgement: UnitJudgement) {
  return rows.map((r) => ({ ...r, uncounted: judgement.uncounted }));
}
