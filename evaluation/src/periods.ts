/**
 * Report periods: whole Vietnam calendar days, named as a ward's reports name them (day, ISO week
 * starting Monday, month, quarter, year), a custom from–to, or the legacy "last N days". A period
 * is both its inclusive dates, printed on every page, CSV and JSON, and the half-open interval of
 * instants `[start, end)` the store filters on, so that an instant belongs to exactly one day.
 *
 * Dates are civil dates (`YYYY-MM-DD`, no time zone); the only time zone is Vietnam's, through
 * `@onestop/protocol` (`startOfVietnamDate`, `vietnamDate`).
 */
import { DAY_MS, type Lang, startOfVietnamDate, vietnamDate } from '@onestop/protocol';

export const CALENDAR_PERIOD_KINDS = ['day', 'week', 'month', 'quarter', 'year'] as const;
export type CalendarPeriodKind = (typeof CALENDAR_PERIOD_KINDS)[number];
/** `lastDays` is `?days=N` from old links: the N days ending today. */
export type PeriodKind = CalendarPeriodKind | 'custom' | 'lastDays';

export interface ReportPeriod {
  readonly kind: PeriodKind;
  /** First day covered, a Vietnam calendar date `YYYY-MM-DD`, inclusive. */
  readonly from: string;
  /** Last day covered, inclusive. */
  readonly to: string;
  /** 00:00 in Hanoi on `from`: the first instant covered. */
  readonly start: Date;
  /** 00:00 in Hanoi on the day after `to`: the first instant NOT covered. */
  readonly end: Date;
}

/** Five calendar years hold at most two leap days: 5 × 365 + 2. Bounds the work one query asks. */
export const MAX_CUSTOM_DAYS = 1827;
/** What `?days=N` always allowed. */
export const MAX_LAST_DAYS = 366;
/** Dates before the Unix epoch or past year 9999 are no report's business (and not 4-digit). */
const FIRST_YEAR = 1970;

/** A period that cannot be built, naming the query field at fault. */
export class InvalidPeriod extends Error {
  constructor(
    readonly field: 'date' | 'from' | 'to' | 'days',
    reason: string,
  ) {
    super(reason);
    this.name = 'InvalidPeriod';
  }
}

// Civil dates as day numbers (days since 1970-01-01): arithmetic on whole days, no time zone.
const dayNumber = (date: string): number => Date.parse(`${date}T00:00:00Z`) / DAY_MS;
const dateOfDay = (day: number): string => new Date(day * DAY_MS).toISOString().slice(0, 10);
const isoDate = (year: number, month: number, day: number): string =>
  `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
const partsOf = (date: string): [year: number, month: number, day: number] => [
  Number(date.slice(0, 4)),
  Number(date.slice(5, 7)),
  Number(date.slice(8, 10)),
];
const daysInMonth = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** Monday = 0 … Sunday = 6; day 0 (1970-01-01) was a Thursday. */
const weekdayOf = (day: number): number => (((day + 3) % 7) + 7) % 7;
/** 9999-12-31, the last date written with four digits. */
const LAST_DAY = dayNumber('9999-12-31');

/** Whether `value` is a real calendar date written `YYYY-MM-DD` (no 30 February). */
export function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const [year, month, day] = partsOf(value);
  return year >= FIRST_YEAR && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

function checkedDate(value: string, field: InvalidPeriod['field']): string {
  if (!isCalendarDate(value))
    throw new InvalidPeriod(field, `${field} must be a real date written YYYY-MM-DD, got '${value}'`);
  return value;
}

function period(kind: PeriodKind, from: string, to: string): ReportPeriod {
  return {
    kind,
    from,
    to,
    start: new Date(startOfVietnamDate(from)),
    // Vietnam keeps UTC+7 all year, so a day is DAY_MS; adding it (rather than writing the next
    // date) also holds for 9999-12-31, whose next day has no four-digit year.
    end: new Date(startOfVietnamDate(to) + DAY_MS),
  };
}

/** Number of days a period covers, both ends included. */
export function periodDays(p: Pick<ReportPeriod, 'from' | 'to'>): number {
  return dayNumber(p.to) - dayNumber(p.from) + 1;
}

/** The ISO 8601 week of a date: weeks start on Monday and belong to the year of their Thursday. */
export function isoWeekOf(date: string): { year: number; week: number } {
  const day = dayNumber(checkedDate(date, 'date'));
  const thursday = day - weekdayOf(day) + 3;
  const year = Number(dateOfDay(thursday).slice(0, 4));
  return { year, week: Math.floor((thursday - dayNumber(isoDate(year, 1, 1))) / 7) + 1 };
}

/** Whole weeks inside a span of dates, and the loose dates around them (see `wholeWeeksOf`). */
export interface WholeWeeks {
  /** The dates before the first whole week, or null when the span starts on a Monday. */
  before: readonly [string, string] | null;
  /** Monday of the first whole week. */
  first: string;
  /** Monday of the last whole week. */
  last: string;
  /** The dates after the last whole week, or null when the span ends on a Sunday. */
  after: readonly [string, string] | null;
}

/**
 * The whole weeks (Monday to Sunday, as `periodContaining('week')` cuts them) inside the dates
 * `first`…`last`, both included; null when no whole week fits. Read by the weekly roll-ups, which
 * must cut on the same days as the week periods people report on.
 */
export function wholeWeeksOf(first: string, last: string): WholeWeeks | null {
  const start = dayNumber(checkedDate(first, 'from'));
  const end = dayNumber(checkedDate(last, 'to'));
  // Day numbers, not dates: the Monday after a span ending in 9999 has no four-digit date.
  const firstMonday = start + ((7 - weekdayOf(start)) % 7);
  const lastSunday = end - ((weekdayOf(end) + 1) % 7);
  if (firstMonday + 6 > lastSunday) return null;
  return {
    before: firstMonday > start ? [first, dateOfDay(firstMonday - 1)] : null,
    first: dateOfDay(firstMonday),
    last: dateOfDay(lastSunday - 6),
    after: lastSunday < end ? [dateOfDay(lastSunday + 1), last] : null,
  };
}

/**
 * The whole calendar months inside the dates `first`…`last`, both included, as `wholeWeeksOf`
 * cuts weeks (`first` and `last` are then the first days of the first and last whole months);
 * null when no whole month fits. Read by the monthly roll-ups, which must cut on the same days as
 * the month periods people report on.
 */
export function wholeMonthsOf(first: string, last: string): WholeWeeks | null {
  const start = dayNumber(checkedDate(first, 'from'));
  const end = dayNumber(checkedDate(last, 'to'));
  const [y0, m0, d0] = partsOf(first);
  const [y1, m1, d1] = partsOf(last);
  // The first of the month at or after `first`; the last day of the month at or before `last`.
  const firstOfMonth = d0 === 1 ? start : dayNumber(isoDate(y0, m0, daysInMonth(y0, m0))) + 1;
  const lastOfMonth = d1 === daysInMonth(y1, m1) ? end : dayNumber(isoDate(y1, m1, 1)) - 1;
  if (firstOfMonth > lastOfMonth) return null;
  return {
    before: firstOfMonth > start ? [first, dateOfDay(firstOfMonth - 1)] : null,
    first: dateOfDay(firstOfMonth),
    last: `${dateOfDay(lastOfMonth).slice(0, 7)}-01`,
    after: lastOfMonth < end ? [dateOfDay(lastOfMonth + 1), last] : null,
  };
}

/**
 * The day, week, month, quarter or year containing `at`: a Vietnam calendar date, or an instant
 * (read in Vietnam time, so 16:59:59.999Z and 17:00Z fall on two different days).
 */
export function periodContaining(kind: CalendarPeriodKind, at: string | Date): ReportPeriod {
  const date = typeof at === 'string' ? checkedDate(at, 'date') : vietnamDate(at.getTime());
  const [year, month] = partsOf(date);
  switch (kind) {
    case 'day':
      return period(kind, date, date);
    case 'week': {
      const monday = dayNumber(date) - weekdayOf(dayNumber(date));
      return period(kind, dateOfDay(monday), dateOfDay(monday + 6));
    }
    case 'month':
      return period(kind, isoDate(year, month, 1), isoDate(year, month, daysInMonth(year, month)));
    case 'quarter': {
      const first = month - ((month - 1) % 3);
      return period(kind, isoDate(year, first, 1), isoDate(year, first + 2, daysInMonth(year, first + 2)));
    }
    case 'year':
      return period(kind, isoDate(year, 1, 1), isoDate(year, 12, 31));
  }
}

/** `from`–`to`, both included; refused when a date is not real, reversed or the span too long. */
export function customPeriod(from: string, to: string): ReportPeriod {
  checkedDate(from, 'from');
  checkedDate(to, 'to');
  if (to < from) throw new InvalidPeriod('to', `to (${to}) is before from (${from})`);
  const days = periodDays({ from, to });
  if (days > MAX_CUSTOM_DAYS)
    throw new InvalidPeriod(
      'to',
      `a custom period covers at most ${MAX_CUSTOM_DAYS} days (five years), not ${days}`,
    );
  return period('custom', from, to);
}

/** The `n` calendar days ending with today in Vietnam (`?days=N` of old links). */
export function lastDays(n: number, now: Date): ReportPeriod {
  if (!Number.isInteger(n) || n < 1 || n > MAX_LAST_DAYS)
    throw new InvalidPeriod('days', `days must be a whole number from 1 to ${MAX_LAST_DAYS}, not ${n}`);
  const today = dayNumber(vietnamDate(now.getTime()));
  return period('lastDays', dateOfDay(today - n + 1), dateOfDay(today));
}

/**
 * The comparable period just before: the previous day, week, month, quarter or year; for a custom
 * range or the last N days, the same number of days just before (a custom range: it is no longer
 * "the last N days").
 */
export function previousPeriod(p: ReportPeriod): ReportPeriod {
  const first = dayNumber(p.from);
  const ranged = p.kind === 'custom' || p.kind === 'lastDays';
  // Every report is compared with the period before, so a period with none before 1970 is refused
  // here, naming the query field that asked for it, rather than failing later on a 1969 date.
  if (!hasPreviousPeriod(p))
    throw new InvalidPeriod(
      p.kind === 'custom' ? 'from' : p.kind === 'lastDays' ? 'days' : 'date',
      `reports are compared with the period before, and none exists before ${FIRST_YEAR}-01-01: ask for a period after ${p.to}`,
    );
  if (ranged) return period('custom', dateOfDay(first - periodDays(p)), dateOfDay(first - 1));
  return periodContaining(p.kind, dateOfDay(first - 1));
}

/**
 * Whether the period before `p` lies in the reportable calendar, from 1970-01-01 (so `p` does too):
 * a week of early January 1970 begins in 1969, as does the month before January 1970.
 */
export function hasPreviousPeriod(p: ReportPeriod): boolean {
  const first = dayNumber(p.from);
  if (p.kind === 'custom' || p.kind === 'lastDays') return first - periodDays(p) >= 0;
  return first - 1 >= 0 && periodContaining(p.kind, dateOfDay(first - 1)).from >= `${FIRST_YEAR}-01-01`;
}

/** The comparable period just after (see `previousPeriod`); null past year 9999, the last one. */
export function nextPeriod(p: ReportPeriod): ReportPeriod | null {
  const last = dayNumber(p.to);
  const ranged = p.kind === 'custom' || p.kind === 'lastDays';
  if (last + (ranged ? periodDays(p) : 1) > LAST_DAY) return null;
  if (ranged) return period('custom', dateOfDay(last + 1), dateOfDay(last + periodDays(p)));
  return periodContaining(p.kind, dateOfDay(last + 1));
}

/** The one `Lang` of @onestop/protocol, under the name this module has always exported. */
export type PeriodLang = Lang;

/** `dd/mm/yyyy`, as dates are written in Vietnam. */
export function formatDate(date: string): string {
  const [year, month, day] = partsOf(date);
  return `${String(day).padStart(2, '0')}/${String(month).padStart(2, '0')}/${year}`;
}

/** `23/11 – 29/11/2026`, the year written once when both ends share it. */
export function formatDateRange(from: string, to: string): string {
  if (from === to) return formatDate(from);
  if (from.slice(0, 4) === to.slice(0, 4)) return `${formatDate(from).slice(0, 5)} – ${formatDate(to)}`;
  return `${formatDate(from)} – ${formatDate(to)}`;
}

const ROMAN_QUARTERS = ['I', 'II', 'III', 'IV'] as const;
const ENGLISH_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/** What a report calls its period: "Tuần 48/2026", "Tháng 11/2026", "Quý IV/2026", "Năm 2026"… */
export function periodName(p: ReportPeriod, lang: PeriodLang): string {
  const [year, month] = partsOf(p.from);
  const vi = lang === 'vi';
  switch (p.kind) {
    case 'day':
      return vi ? `Ngày ${formatDate(p.from)}` : formatDate(p.from);
    case 'week': {
      const w = isoWeekOf(p.from);
      return `${vi ? 'Tuần' : 'Week'} ${w.week}/${w.year}`;
    }
    case 'month':
      return vi ? `Tháng ${month}/${year}` : `${ENGLISH_MONTHS[month - 1]} ${year}`;
    case 'quarter': {
      const q = Math.floor((month - 1) / 3);
      return vi ? `Quý ${ROMAN_QUARTERS[q]}/${year}` : `Q${q + 1} ${year}`;
    }
    case 'year':
      return vi ? `Năm ${year}` : `Year ${year}`;
    case 'custom':
      return `${formatDate(p.from)} – ${formatDate(p.to)}`;
    case 'lastDays':
      return vi ? `${periodDays(p)} ngày gần nhất` : `Last ${periodDays(p)} days`;
  }
}

/** The name with the dates it covers, unless the name already is the dates. */
export function periodLabel(p: ReportPeriod, lang: PeriodLang): string {
  if (p.kind === 'day' || p.kind === 'custom') return periodName(p, lang);
  return `${periodName(p, lang)} (${formatDateRange(p.from, p.to)})`;
}
