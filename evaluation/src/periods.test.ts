import { DAY_MS } from '@onestop/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CALENDAR_PERIOD_KINDS,
  type CalendarPeriodKind,
  customPeriod,
  hasPreviousPeriod,
  InvalidPeriod,
  isCalendarDate,
  isoWeekOf,
  lastDays,
  MAX_CUSTOM_DAYS,
  nextPeriod,
  periodContaining,
  periodDays,
  periodLabel,
  periodName,
  previousPeriod,
  type ReportPeriod,
  wholeMonthsOf,
  wholeWeeksOf,
} from './periods.js';

const dates = (p: ReportPeriod) => [p.from, p.to];
/** The next period, which every period before 9999 has. */
const following = (p: ReportPeriod): ReportPeriod => {
  const next = nextPeriod(p);
  if (!next) throw new Error(`no period after ${p.to}`);
  return next;
};
const instants = (p: ReportPeriod) => [p.start.toISOString(), p.end.toISOString()];

describe('report periods at their edges', () => {
  it('splits days at midnight in Hanoi, 17:00 UTC', () => {
    const before = periodContaining('day', new Date('2026-11-15T16:59:59.999Z'));
    const after = periodContaining('day', new Date('2026-11-15T17:00:00.000Z'));
    expect(dates(before)).toEqual(['2026-11-15', '2026-11-15']);
    expect(dates(after)).toEqual(['2026-11-16', '2026-11-16']);
    expect(instants(after)).toEqual(['2026-11-15T17:00:00.000Z', '2026-11-16T17:00:00.000Z']);
    expect(before.end).toEqual(after.start);
    // Sunday 23:59:59.999 and Monday 00:00 in Hanoi: two weeks.
    expect(dates(periodContaining('week', new Date('2026-11-15T16:59:59.999Z')))).toEqual([
      '2026-11-09',
      '2026-11-15',
    ]);
    expect(dates(periodContaining('week', new Date('2026-11-15T17:00:00.000Z')))).toEqual([
      '2026-11-16',
      '2026-11-22',
    ]);
  });

  it('numbers weeks as ISO 8601 does around 1 January', () => {
    // 2026-01-01 is a Thursday: its week is week 1 of 2026 and starts in 2025.
    const w2026 = periodContaining('week', '2026-01-01');
    expect(dates(w2026)).toEqual(['2025-12-29', '2026-01-04']);
    expect(periodLabel(w2026, 'vi')).toBe('Tuần 1/2026 (29/12/2025 – 04/01/2026)');
    // 2021-01-01 is a Friday: it belongs to week 53 of 2020.
    const w2020 = periodContaining('week', '2021-01-01');
    expect(dates(w2020)).toEqual(['2020-12-28', '2021-01-03']);
    expect(periodName(w2020, 'en')).toBe('Week 53/2020');
    // 2024-12-31 is a Tuesday: week 1 of 2025.
    expect(isoWeekOf('2024-12-31')).toEqual({ year: 2025, week: 1 });
    expect(isoWeekOf('2026-12-31')).toEqual({ year: 2026, week: 53 });
    expect(isoWeekOf('2027-01-03')).toEqual({ year: 2026, week: 53 });
    expect(isoWeekOf('2027-01-04')).toEqual({ year: 2027, week: 1 });
  });

  it('ends months on their last day, February by the leap-year rule', () => {
    expect(dates(periodContaining('month', '2024-02-10'))).toEqual(['2024-02-01', '2024-02-29']);
    expect(dates(periodContaining('month', '2026-02-10'))).toEqual(['2026-02-01', '2026-02-28']);
    expect(dates(periodContaining('month', '2000-02-29'))).toEqual(['2000-02-01', '2000-02-29']);
    expect(dates(periodContaining('month', '2100-02-01'))).toEqual(['2100-02-01', '2100-02-28']);
    expect(dates(periodContaining('month', '2026-04-30'))).toEqual(['2026-04-01', '2026-04-30']);
    const dec = periodContaining('month', new Date('2026-12-31T16:59:59.999Z'));
    expect(dates(dec)).toEqual(['2026-12-01', '2026-12-31']);
    expect(dec.end.toISOString()).toBe('2026-12-31T17:00:00.000Z');
  });

  it('turns quarters and years at midnight in Hanoi', () => {
    expect(dates(periodContaining('quarter', new Date('2026-03-31T16:59:59.999Z')))).toEqual([
      '2026-01-01',
      '2026-03-31',
    ]);
    expect(dates(periodContaining('quarter', new Date('2026-03-31T17:00:00.000Z')))).toEqual([
      '2026-04-01',
      '2026-06-30',
    ]);
    expect(dates(periodContaining('quarter', '2026-12-31'))).toEqual(['2026-10-01', '2026-12-31']);
    expect(dates(periodContaining('year', new Date('2026-12-31T17:00:00.000Z')))).toEqual([
      '2027-01-01',
      '2027-12-31',
    ]);
    expect(instants(periodContaining('year', '2026-06-15'))).toEqual([
      '2025-12-31T17:00:00.000Z',
      '2026-12-31T17:00:00.000Z',
    ]);
  });

  it('steps back from the first week, month, quarter and year into the year before', () => {
    const back = (kind: CalendarPeriodKind, date: string) =>
      dates(previousPeriod(periodContaining(kind, date)));
    expect(back('day', '2026-01-01')).toEqual(['2025-12-31', '2025-12-31']);
    expect(back('week', '2026-01-01')).toEqual(['2025-12-22', '2025-12-28']);
    expect(periodName(previousPeriod(periodContaining('week', '2021-01-04')), 'vi')).toBe('Tuần 53/2020');
    expect(back('month', '2026-01-15')).toEqual(['2025-12-01', '2025-12-31']);
    expect(back('month', '2024-03-01')).toEqual(['2024-02-01', '2024-02-29']);
    expect(back('quarter', '2026-02-01')).toEqual(['2025-10-01', '2025-12-31']);
    expect(back('year', '2026-01-01')).toEqual(['2025-01-01', '2025-12-31']);
    expect(dates(following(periodContaining('quarter', '2025-11-01')))).toEqual(['2026-01-01', '2026-03-31']);
  });

  it('has nothing before 1970-01-01 or after 9999-12-31, and says so', () => {
    for (const [kind, date] of [
      ['day', '1970-01-01'],
      ['week', '1970-01-04'],
      ['year', '1970-06-01'],
    ] as const)
      expect(() => previousPeriod(periodContaining(kind, date))).toThrow(
        expect.objectContaining({
          name: 'InvalidPeriod',
          field: 'date',
          message: expect.stringMatching(/1970-01-01/),
        }),
      );
    expect(() => previousPeriod(customPeriod('1970-01-05', '1970-01-10'))).toThrow(InvalidPeriod);
    expect(dates(previousPeriod(customPeriod('1970-01-06', '1970-01-10')))).toEqual([
      '1970-01-01',
      '1970-01-05',
    ]);
    expect(dates(previousPeriod(periodContaining('day', '1970-01-02')))).toEqual([
      '1970-01-01',
      '1970-01-01',
    ]);
    // A week of early January 1970 starts in 1969; the week after it has one before it in 1969.
    expect(hasPreviousPeriod(periodContaining('week', '1970-01-02'))).toBe(false);
    expect(hasPreviousPeriod(periodContaining('week', '1970-01-08'))).toBe(false);
    expect(hasPreviousPeriod(periodContaining('week', '1970-01-12'))).toBe(true);
    expect(hasPreviousPeriod(periodContaining('month', '1970-02-10'))).toBe(true);
    expect(hasPreviousPeriod(periodContaining('month', '1970-01-10'))).toBe(false);
    const last = periodContaining('year', '9999-05-01');
    expect(instants(last)).toEqual(['9998-12-31T17:00:00.000Z', '9999-12-31T17:00:00.000Z']);
    expect(nextPeriod(last)).toBeNull();
    expect(nextPeriod(periodContaining('day', '9999-12-31'))).toBeNull();
    expect(dates(following(periodContaining('day', '9999-12-30')))).toEqual(['9999-12-31', '9999-12-31']);
    expect(nextPeriod(customPeriod('9999-12-20', '9999-12-27'))).toBeNull();
    expect(dates(following(customPeriod('9999-12-20', '9999-12-25')))).toEqual(['9999-12-26', '9999-12-31']);
  });

  it('compares a custom range and the last N days with as many days just before', () => {
    const custom = customPeriod('2026-11-01', '2026-11-15');
    expect(dates(previousPeriod(custom))).toEqual(['2026-10-17', '2026-10-31']);
    expect(dates(following(custom))).toEqual(['2026-11-16', '2026-11-30']);
    const week = lastDays(7, new Date('2026-11-20T03:00:00Z'));
    expect(week.kind).toBe('lastDays');
    expect(dates(week)).toEqual(['2026-11-14', '2026-11-20']);
    const before = previousPeriod(week);
    expect(before.kind).toBe('custom');
    expect(dates(before)).toEqual(['2026-11-07', '2026-11-13']);
    // "Today" in Hanoi begins at 17:00 UTC the day before.
    expect(dates(lastDays(1, new Date('2026-11-19T17:00:00Z')))).toEqual(['2026-11-20', '2026-11-20']);
  });

  it('refuses custom ranges that are not real, reversed or too long, naming the field', () => {
    const refusal = (build: () => unknown) => {
      try {
        build();
      } catch (e) {
        if (e instanceof InvalidPeriod) return { field: e.field, message: e.message };
        throw e;
      }
      return null;
    };
    expect(refusal(() => customPeriod('2026-02-30', '2026-03-01'))).toMatchObject({
      field: 'from',
      message: expect.stringContaining("'2026-02-30'"),
    });
    expect(refusal(() => customPeriod('2026-02-01', '2026-2-3'))).toMatchObject({ field: 'to' });
    expect(refusal(() => customPeriod('2026-11-15', '2026-11-01'))).toMatchObject({
      field: 'to',
      message: 'to (2026-11-01) is before from (2026-11-15)',
    });
    expect(periodDays(customPeriod('2021-01-01', '2026-01-01'))).toBe(MAX_CUSTOM_DAYS);
    expect(refusal(() => customPeriod('2021-01-01', '2026-01-02'))).toMatchObject({
      field: 'to',
      message: expect.stringContaining(String(MAX_CUSTOM_DAYS)),
    });
    expect(refusal(() => periodContaining('month', '2026-13-01'))).toMatchObject({ field: 'date' });
    for (const n of [0, 367, 1.5])
      expect(refusal(() => lastDays(n, new Date()))).toMatchObject({ field: 'days' });
    expect(['2024-02-29', '1970-01-01', '9999-12-31'].every(isCalendarDate)).toBe(true);
    expect(
      ['2023-02-29', '1969-12-31', '2026-00-10', '2026-11-31', '20261101', ' 2026-11-01'].some(
        isCalendarDate,
      ),
    ).toBe(false);
  });

  it('names periods in Vietnamese and English, with their dates', () => {
    const label = (kind: CalendarPeriodKind) => ({
      vi: periodLabel(periodContaining(kind, '2026-11-25'), 'vi'),
      en: periodLabel(periodContaining(kind, '2026-11-25'), 'en'),
    });
    expect(label('day')).toEqual({ vi: 'Ngày 25/11/2026', en: '25/11/2026' });
    expect(label('week')).toEqual({
      vi: 'Tuần 48/2026 (23/11 – 29/11/2026)',
      en: 'Week 48/2026 (23/11 – 29/11/2026)',
    });
    expect(label('month')).toEqual({
      vi: 'Tháng 11/2026 (01/11 – 30/11/2026)',
      en: 'November 2026 (01/11 – 30/11/2026)',
    });
    expect(label('quarter')).toEqual({
      vi: 'Quý IV/2026 (01/10 – 31/12/2026)',
      en: 'Q4 2026 (01/10 – 31/12/2026)',
    });
    expect(label('year')).toEqual({
      vi: 'Năm 2026 (01/01 – 31/12/2026)',
      en: 'Year 2026 (01/01 – 31/12/2026)',
    });
    expect(periodLabel(customPeriod('2026-11-01', '2026-11-15'), 'vi')).toBe('01/11/2026 – 15/11/2026');
    expect(periodLabel(lastDays(7, new Date('2026-11-20T03:00:00Z')), 'en')).toBe(
      'Last 7 days (14/11 – 20/11/2026)',
    );
  });
});

/**
 * An independent reading of the calendar for the property tests: Vietnam dates and weekdays from
 * the IANA zone through `Intl`, midnights from ISO strings with the +07:00 offset written out.
 */
const hanoiDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' });
const hanoiWeekday = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Ho_Chi_Minh', weekday: 'short' });
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const addDays = (date: string, n: number) =>
  new Date(Date.parse(`${date}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const midnightInHanoi = (date: string) => Date.parse(`${date}T00:00:00+07:00`);

function expectedDates(kind: CalendarPeriodKind, at: Date): [string, string] {
  const date = hanoiDate.format(at);
  const [y, m] = [date.slice(0, 4), Number(date.slice(5, 7))];
  const lastOfMonth = (month: number) =>
    addDays(month === 12 ? `${Number(y) + 1}-01-01` : `${y}-${String(month + 1).padStart(2, '0')}-01`, -1);
  switch (kind) {
    case 'day':
      return [date, date];
    case 'week': {
      const monday = addDays(date, -WEEKDAYS.indexOf(hanoiWeekday.format(at)));
      return [monday, addDays(monday, 6)];
    }
    case 'month':
      return [`${y}-${String(m).padStart(2, '0')}-01`, lastOfMonth(m)];
    case 'quarter': {
      const first = [1, 1, 1, 4, 4, 4, 7, 7, 7, 10, 10, 10][m - 1]!;
      return [`${y}-${String(first).padStart(2, '0')}-01`, lastOfMonth(first + 2)];
    }
    case 'year':
      return [`${y}-01-01`, `${y}-12-31`];
  }
}

const instant = fc.date({
  min: new Date('2000-01-01T00:00:00Z'),
  max: new Date('2099-12-31T00:00:00Z'),
  noInvalidDate: true,
});
const kind = fc.constantFrom(...CALENDAR_PERIOD_KINDS);

describe('report periods tile time', () => {
  it('puts every instant in exactly one period of each kind, as the calendar reads', () => {
    fc.assert(
      fc.property(kind, instant, (k, at) => {
        const p = periodContaining(k, at);
        expect(dates(p)).toEqual(expectedDates(k, at));
        expect(p.start.getTime()).toBe(midnightInHanoi(p.from));
        expect(p.end.getTime()).toBe(midnightInHanoi(addDays(p.to, 1)));
        expect(p.start.getTime() <= at.getTime() && at.getTime() < p.end.getTime()).toBe(true);
        // Its neighbours hold the instants just outside it, and not it.
        expect(periodContaining(k, new Date(p.start.getTime() - 1))).toEqual(previousPeriod(p));
        expect(periodContaining(k, p.end)).toEqual(following(p));
        expect(periodContaining(k, new Date(p.end.getTime() - 1))).toEqual(p);
      }),
      { numRuns: 500 },
    );
  });

  it('chains consecutive periods without gap or overlap, and back again', () => {
    fc.assert(
      fc.property(kind, instant, fc.integer({ min: 1, max: 60 }), (k, at, steps) => {
        let p = periodContaining(k, at);
        const first = p;
        for (let i = 0; i < steps; i++) {
          const next = following(p);
          expect(next.kind).toBe(k);
          expect(next.start).toEqual(p.end);
          expect(next.from).toBe(addDays(p.to, 1));
          expect(previousPeriod(next)).toEqual(p);
          p = next;
        }
        for (let i = 0; i < steps; i++) p = previousPeriod(p);
        expect(p).toEqual(first);
      }),
      { numRuns: 300 },
    );
  });

  it('chains custom ranges of the same length', () => {
    const day = fc.integer({
      min: Date.UTC(2000, 0, 1) / 86_400_000,
      max: Date.UTC(2090, 0, 1) / 86_400_000,
    });
    fc.assert(
      fc.property(day, fc.integer({ min: 1, max: MAX_CUSTOM_DAYS }), (first, length) => {
        const from = new Date(first * 86_400_000).toISOString().slice(0, 10);
        const p = customPeriod(from, addDays(from, length - 1));
        expect(periodDays(p)).toBe(length);
        expect(p.end.getTime() - p.start.getTime()).toBe(length * 86_400_000);
        expect(previousPeriod(p).end).toEqual(p.start);
        expect(following(p).start).toEqual(p.end);
        expect(periodDays(previousPeriod(p))).toBe(length);
        expect(periodDays(following(p))).toBe(length);
      }),
    );
  });

  it('numbers ISO weeks 1, 2, … up to 52 or 53, restarting with the year of their Thursday', () => {
    fc.assert(
      fc.property(instant, (at) => {
        const week = periodContaining('week', at);
        const { year, week: n } = isoWeekOf(week.from);
        const next = isoWeekOf(following(week).from);
        if (next.year === year) expect(next.week).toBe(n + 1);
        else {
          expect(next).toEqual({ year: year + 1, week: 1 });
          expect([52, 53]).toContain(n);
        }
        // The week's Thursday decides its year; 4 January is always in week 1.
        expect(year).toBe(Number(addDays(week.from, 3).slice(0, 4)));
        expect(isoWeekOf(`${year}-01-04`).week).toBe(1);
      }),
      { numRuns: 500 },
    );
  });
});

describe('wholeMonthsOf', () => {
  it('cuts dates into the days before, the whole months and the days after', () => {
    expect(wholeMonthsOf('2025-12-02', '2026-12-01')).toEqual({
      before: ['2025-12-02', '2025-12-31'],
      first: '2026-01-01',
      last: '2026-11-01',
      after: ['2026-12-01', '2026-12-01'],
    });
    expect(wholeMonthsOf('2024-02-01', '2024-02-29')).toEqual({
      before: null,
      first: '2024-02-01',
      last: '2024-02-01',
      after: null,
    });
    expect(wholeMonthsOf('2024-02-01', '2024-02-28')).toBeNull();
    expect(wholeMonthsOf('9999-12-01', '9999-12-31')?.last).toBe('9999-12-01');
    expect(wholeMonthsOf('9999-12-02', '9999-12-31')).toBeNull();
  });

  it('cuts on the same days as the month periods, every date in exactly one part', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 0, max: 400 }), (a, n) => {
        const first = new Date(Date.UTC(2020, 0, 1) + a * DAY_MS).toISOString().slice(0, 10);
        const last = new Date(Date.UTC(2020, 0, 1) + (a + n) * DAY_MS).toISOString().slice(0, 10);
        const m = wholeMonthsOf(first, last);
        if (m === null) {
          // No month period fits inside: neither the one holding `first` nor the next.
          const month = periodContaining('month', first);
          expect(month.from === first && month.to <= last).toBe(false);
          const next = new Date(Date.parse(`${month.to}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
          expect(periodContaining('month', next).to <= last).toBe(false);
          return;
        }
        expect(periodContaining('month', m.first).from).toBe(m.first);
        expect(periodContaining('month', m.last).from).toBe(m.last);
        expect(periodContaining('month', m.last).to <= last).toBe(true);
        const before = m.before ? periodDays({ from: m.before[0], to: m.before[1] }) : 0;
        const after = m.after ? periodDays({ from: m.after[0], to: m.after[1] }) : 0;
        const months = periodDays({ from: m.first, to: periodContaining('month', m.last).to });
        expect(before + months + after).toBe(periodDays({ from: first, to: last }));
        if (m.before) expect(m.before[0]).toBe(first);
        if (m.after) expect(m.after[1]).toBe(last);
      }),
    );
  });
});

describe('wholeWeeksOf', () => {
  it('cuts on the same Mondays as the week periods, up to the edges of the calendar', () => {
    // 1970-01-01 was a Thursday; 9999-12-27 is a Monday and 9999-12-31 a Friday.
    expect(wholeWeeksOf('1970-01-01', '1970-01-11')).toEqual({
      before: ['1970-01-01', '1970-01-04'],
      first: '1970-01-05',
      last: '1970-01-05',
      after: null,
    });
    expect(wholeWeeksOf('9999-12-20', '9999-12-31')).toEqual({
      before: null,
      first: '9999-12-20',
      last: '9999-12-20',
      after: ['9999-12-27', '9999-12-31'],
    });
    expect(wholeWeeksOf('9999-12-21', '9999-12-31')).toBeNull();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3_000 }), fc.integer({ min: 0, max: 40 }), (a, n) => {
        const first = new Date(Date.UTC(2020, 0, 1) + a * DAY_MS).toISOString().slice(0, 10);
        const last = new Date(Date.UTC(2020, 0, 1) + (a + n) * DAY_MS).toISOString().slice(0, 10);
        const w = wholeWeeksOf(first, last);
        if (w === null) return;
        expect(periodContaining('week', w.first).from).toBe(w.first);
        expect(periodContaining('week', w.last).from).toBe(w.last);
        if (w.before) expect(periodContaining('week', w.before[1]).to).toBe(w.before[1]);
        if (w.after) expect(periodContaining('week', w.after[0]).from).toBe(w.after[0]);
      }),
    );
  });

  it('cuts dates into the days before, the whole ISO weeks and the days after', () => {
    // 2026-01-05 and 2026-01-12 are Mondays.
    expect(wholeWeeksOf('2026-01-05', '2026-01-18')).toEqual({
      before: null,
      first: '2026-01-05',
      last: '2026-01-12',
      after: null,
    });
    expect(wholeWeeksOf('2026-01-03', '2026-01-20')).toEqual({
      before: ['2026-01-03', '2026-01-04'],
      first: '2026-01-05',
      last: '2026-01-12',
      after: ['2026-01-19', '2026-01-20'],
    });
    expect(wholeWeeksOf('2026-01-06', '2026-01-12')).toBeNull();
    expect(wholeWeeksOf('2025-12-29', '2026-01-04')).toEqual({
      before: null,
      first: '2025-12-29',
      last: '2025-12-29',
      after: null,
    });
  });

  it('covers every date once, in order, for any span', () => {
    const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * DAY_MS).toISOString().slice(0, 10);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 60 }), (a, b) => {
        const [first, last] = [day(Math.min(a, b)), day(Math.max(a, b))];
        const w = wholeWeeksOf(first, last);
        const n = Math.abs(a - b) + 1;
        if (w === null) {
          // No Monday in the span is followed by six more of its days.
          const lo = Math.min(a, b);
          const mondays = Array.from({ length: n }, (_, i) => lo + i).filter(
            (d) => new Date(`${day(d)}T00:00:00Z`).getUTCDay() === 1 && d + 6 <= Math.max(a, b),
          );
          expect(mondays).toEqual([]);
          return;
        }
        const weeks = (Date.parse(w.last) - Date.parse(w.first)) / (7 * DAY_MS) + 1;
        const span = (r: readonly [string, string] | null) =>
          r === null ? 0 : (Date.parse(r[1]) - Date.parse(r[0])) / DAY_MS + 1;
        expect(new Date(`${w.first}T00:00:00Z`).getUTCDay()).toBe(1);
        expect(span(w.before) + 7 * weeks + span(w.after)).toBe(n);
        expect(w.before?.[0] ?? w.first).toBe(first);
        expect(w.after?.[1] ?? day(Math.max(a, b))).toBe(last);
      }),
    );
  });
});
