import type { Command } from 'commander';
import { asUsage, UsageError } from '../errors.js';
import { withStore } from '../with-store.js';

interface SeedFlags {
  seed: string;
  units?: string;
  counters?: string;
  ratings?: string;
  days?: string;
  end?: string;
  small?: boolean;
  data: string;
}

const whole = (flag: string, v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${flag}: a whole number, got '${v}'`);
  return Number(v);
};

/**
 * `onestop seed`: a realistic year of a city in an empty database (embedded in `--data`, or
 * DATABASE_URL), generated inside the database, for demos and the dashboard benchmark.
 */
export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description(
      'fill an EMPTY database with a realistic, reproducible city: units, counters, devices, officers, presence, visits, ratings, camera summaries, comments and roll-ups',
    )
    .option('--seed <n>', 'the pseudo-random seed: the same seed and options give the same rows', '1')
    .option('--units <n>', 'wards and communes (default 126)')
    .option('--counters <n>', 'counters, each with a device and an officer (default 1000)')
    .option('--ratings <n>', 'about this many ratings (default 3000000)')
    .option('--days <n>', 'days of history ending on --end (default 365)')
    .option('--end <date>', 'the last day seeded, YYYY-MM-DD in Vietnam (default today)')
    .option('--small', 'a small city for CI: 6 units, 18 counters, ~4000 ratings, 30 days')
    .option('--data <dir>', 'data folder of the embedded database', './data')
    .action(async (o: SeedFlags) => {
      const { CITY_SCALE, SMALL_SCALE, seedCity } = await import('@onestop/store');
      const { isCalendarDate } = await import('@onestop/evaluation');
      const { vietnamDate } = await import('@onestop/protocol');
      if (o.end !== undefined && !isCalendarDate(o.end))
        throw new UsageError(`--end: a date YYYY-MM-DD, got '${o.end}'`);
      const scale = o.small ? SMALL_SCALE : CITY_SCALE;
      const options = {
        seed: whole('seed', o.seed) ?? 1,
        units: whole('units', o.units) ?? scale.units,
        counters: whole('counters', o.counters) ?? scale.counters,
        ratings: whole('ratings', o.ratings) ?? scale.ratings,
        days: whole('days', o.days) ?? scale.days,
        end: o.end ?? vietnamDate(Date.now()),
      };
      process.stdout.write(
        `seeding ${options.units} units, ${options.counters} counters, ~${options.ratings} ratings over ${options.days} days to ${options.end} (seed ${options.seed})\n`,
      );
      const started = Date.now();
      const totals = await withStore(o.data, (db) =>
        seedCity(db, options, (step, detail) => process.stdout.write(`  ${step}: ${detail}\n`)).catch(
          asUsage,
        ),
      );
      process.stdout.write(
        `${Object.entries(totals)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}\nseeded in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );
    });
}
