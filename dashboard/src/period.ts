import {
  CALENDAR_PERIOD_KINDS,
  type CalendarPeriodKind,
  customPeriod,
  InvalidPeriod,
  isCalendarDate,
  lastDays,
  MAX_LAST_DAYS,
  type PeriodKind,
  periodContaining,
  previousPeriod,
  type ReportPeriod,
} from '@onestop/evaluation';
import { LANGS, type Lang, VIETNAM_TIME_ZONE, vietnamDate } from '@onestop/protocol';
import type { Database } from '@onestop/store';
import { z } from 'zod';

/** What a report query asks for, checked; `resolvePeriod` turns it into dates once `now` is known. */
export type PeriodRequest =
  | { kind: CalendarPeriodKind; date: string | null }
  | { kind: 'custom'; from: string; to: string }
  | { kind: 'lastDays'; days: number };

const DateParam = z.string().refine(isCalendarDate, {
  error: (i) => `must be a real date written YYYY-MM-DD, got '${String(i.input)}'`,
});

/**
 * The one query of every report page, CSV and `/api` route. A period is asked in one of three
 * forms, never mixed:
 * - `period=day|week|month|quarter|year` with `date=YYYY-MM-DD` (default today in Vietnam): the
 *   calendar period containing that date (weeks start on Monday); `date` alone means its day;
 * - `from=YYYY-MM-DD&to=YYYY-MM-DD`: those Vietnam dates, both included (at most five years);
 * - `days=N`: the N days ending today, kept so that old links still work.
 * Nothing at all is today. A wrong date or a mixed query answers 400 naming the field.
 */
export const ReportQuery = z
  .strictObject({
    period: z.enum(CALENDAR_PERIOD_KINDS).optional(),
    date: DateParam.optional(),
    from: DateParam.optional(),
    to: DateParam.optional(),
    days: z.coerce.number().int().min(1).max(MAX_LAST_DAYS).optional(),
    lang: z.enum(LANGS).optional(),
  })
  .transform((q, ctx): { lang?: Lang | undefined; period: PeriodRequest } => {
    const refuse = (field: string, message: string) => {
      ctx.addIssue({ code: 'custom', path: [field], message });
      return z.NEVER;
    };
    const forms = [
      q.period !== undefined || q.date !== undefined ? 'period=…&date=…' : null,
      q.from !== undefined || q.to !== undefined ? 'from=…&to=…' : null,
      q.days !== undefined ? 'days=…' : null,
    ].filter((f) => f !== null);
    if (forms.length > 1)
      return refuse(
        q.days !== undefined ? 'days' : 'from',
        `ask for a period one way only, not ${forms.join(' with ')}`,
      );
    /** Runs a period check; a refusal is the transform's answer, else undefined. */
    const checked = (check: () => unknown): typeof z.NEVER | undefined => {
      try {
        check();
        return undefined;
      } catch (e) {
        if (e instanceof InvalidPeriod) return refuse(e.field, e.message);
        throw e;
      }
    };
    const lang = q.lang;
    if (q.days !== undefined) return { lang, period: { kind: 'lastDays', days: q.days } };
    if (q.from !== undefined || q.to !== undefined) {
      if (q.from === undefined) return refuse('from', 'from is required with to');
      if (q.to === undefined) return refuse('to', 'to is required with from');
      const { from, to } = q;
      return (
        checked(() => previousPeriod(customPeriod(from, to))) ?? {
          lang,
          period: { kind: 'custom', from, to },
        }
      );
    }
    const kind = q.period ?? 'day';
    const date = q.date;
    if (date !== undefined) {
      // Every report loads the period before it too: a period with none (1970) is refused here.
      const refused = checked(() => previousPeriod(periodContaining(kind, date)));
      if (refused) return refused;
    }
    return { lang, period: { kind, date: date ?? null } };
  });

/** The dates of a checked request; "today" is the Vietnam date of `now`. */
export function resolvePeriod(request: PeriodRequest, now: Date): ReportPeriod {
  switch (request.kind) {
    case 'custom':
      return customPeriod(request.from, request.to);
    case 'lastDays':
      return lastDays(request.days, now);
    default:
      return periodContaining(request.kind, request.date ?? now);
  }
}

/** What every report route needs: the store and the clock (tests fix it). */
export interface ReportDeps {
  db: Database;
  now: () => Date;
}

/**
 * What every report resolves from its query: the period, the previous comparable one (for the
 * change column and `previous` in the JSON), the query asking for it again, and today's date.
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

/** The query string that asks for `p` again: links, the CSV, the live refresh keep the period. */
export function periodSearch(p: ReportPeriod): string {
  switch (p.kind) {
    case 'custom':
    case 'lastDays':
      // Pinned dates: a page left open past midnight refreshes and exports what it shows.
      return `from=${p.from}&to=${p.to}`;
    default:
      return `period=${p.kind}&date=${p.from}`;
  }
}

/** The period as the JSON contract names it: inclusive Vietnam dates. */
export function periodJson(p: ReportPeriod): { kind: PeriodKind; from: string; to: string } {
  return { kind: p.kind, from: p.from, to: p.to };
}

/** The half-open interval of instants the store filters on. */
export function storeSpan(p: ReportPeriod): { from: Date; to: Date } {
  return { from: p.start, to: p.end };
}

export function formatVietnamTime(d: Date): string {
  return VIETNAM_TIME_FORMAT.format(d);
}

/**
 * One formatter for every call: `toLocaleString` with options builds a new `Intl.DateTimeFormat`
 * each time (~0.12 ms), which was most of the devices page's time with 1,000 devices. The fields
 * are `toLocaleString`'s defaults (date and time), so the text is the same.
 */
const VIETNAM_TIME_FORMAT = new Intl.DateTimeFormat('vi-VN', {
  timeZone: VIETNAM_TIME_ZONE,
  hour12: false,
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

/**
 * The JSON rows of a report, each with the `period` it covers and `previous`: the row with the same
 * key in the previous period's rows, with that period (null when that period has no such row).
 */
export function withPeriods<Row extends object, Key>(
  rows: readonly Row[],
  previousRows: readonly Row[],
  keyOf: (row: Row) => Key,
  periods: { period: ReportPeriod; previous: ReportPeriod },
) {
  const before = new Map(previousRows.map((r) => [keyOf(r), r]));
  const period = periodJson(periods.period);
  const previousPeriod = periodJson(periods.previous);
  return rows.map((row) => {
    const earlier = before.get(keyOf(row));
    return { ...row, period, previous: earlier ? { ...earlier, period: previousPeriod } : null };
  });
}
