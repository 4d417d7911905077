import { DAY_MS, startOfVietnamDate, vietnamDate } from '@onestop/protocol';

/** Per route, in ms, rounded to 0.1. */
export interface Figures {
  p50: number;
  p95: number;
  max: number;
}

/** The goal of issue #11: every route's p95 at most this. */
export const P95_GOAL_MS = 100;

/** Nearest-rank percentile of sorted samples. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
}

export function figuresOf(times: readonly number[]): Figures {
  const sorted = [...times].sort((a, b) => a - b);
  const r = (n: number) => Math.round(n * 10) / 10;
  return { p50: r(percentile(sorted, 50)), p95: r(percentile(sorted, 95)), max: r(sorted.at(-1) ?? 0) };
}

/**
 * The periods each report route is timed for, in the query forms of dashboard/src/period.ts:
 * the seed's last day (`date=`, what the default "today" is on the day of seeding) and the year
 * ending then (`from=&to=`, 365 days).
 */
export function benchPeriods(end: string): Array<{ name: string; query: string }> {
  const yearStart = vietnamDate(startOfVietnamDate(end) - 364 * DAY_MS);
  return [
    { name: 'day', query: `date=${end}` },
    { name: 'year', query: `from=${yearStart}&to=${end}` },
  ];
}

/** The side-by-side table; returns the routes whose p95 misses the goal on either back end. */
export function printTable(
  results: Partial<Record<'pglite' | 'postgres', Record<string, Figures>>>,
  log: (line: string) => void,
): string[] {
  const names = [...new Set(Object.values(results).flatMap((r) => Object.keys(r ?? {})))];
  const width = Math.max(5, ...names.map((n) => n.length));
  const cell = (f: Figures | undefined) =>
    f
      ? `${f.p50.toFixed(1).padStart(8)} ${f.p95.toFixed(1).padStart(8)} ${f.max.toFixed(1).padStart(8)}`
      : ' '.repeat(26);
  log(
    `${'route'.padEnd(width)}   ${'pglite p50 / p95 / max'.padStart(26)}   ${'postgres p50 / p95 / max'.padStart(26)}`,
  );
  const misses: string[] = [];
  for (const name of names) {
    const a = results.pglite?.[name];
    const b = results.postgres?.[name];
    const miss = [a, b].some((f) => f && f.p95 > P95_GOAL_MS);
    if (miss) misses.push(name);
    log(`${name.padEnd(width)}   ${cell(a)}   ${cell(b)}${miss ? '   > 100 ms' : ''}`);
  }
  return misses;
}
