import { previousPeriod } from '@onestop/evaluation';
import { vietnamDate } from '@onestop/protocol';
import type { Database } from '@onestop/store';
import { type PeriodRequest, periodSearch, resolvePeriod } from '../period.js';

/** What every report route needs: the store and the clock (tests fix it). */
export interface ReportDeps {
  db: Database;
  now: () => Date;
}

/**
 * A report's period as asked (`ReportQuery`), the previous comparable period (for the change
 * column on pages and `previous` in the JSON), its query for links, and today in Vietnam.
 */
export function reportPeriods(request: PeriodRequest, at: Date) {
  const period = resolvePeriod(request, at);
  return {
    period,
    previous: previousPeriod(period),
    search: periodSearch(period),
    today: vietnamDate(at.getTime()),
  };
}
