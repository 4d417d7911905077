import { sql } from 'drizzle-orm';
import type { Database } from './db.js';

/**
 * The tables whose rows are rewritten in place as ratings arrive: every rating updates its hour,
 * day and unit-day roll-ups and hour counts, and lists (then takes off) its dossier pairs. Each
 * update leaves a dead row version behind. PostgreSQL's autovacuum reclaims them; the embedded
 * PGlite runs no autovacuum, so without `startTableUpkeep` a centre's roll-ups would grow without
 * end and every report would read more dead rows each day.
 */
export const CHURNED_TABLES = [
  'hourly_rollups',
  'daily_rollups',
  'unit_daily_rollups',
  'unit_weekly_rollups',
  'monthly_rollups',
  'unit_day_hours',
  'unit_month_hours',
  'dossier_outcome_dirty',
  'dossier_outcomes',
  'dossier_days',
  'dossier_weeks',
  // Pruned by the brokers' timer (telemetry-history.ts): its deleted minutes are dead rows too.
  'device_telemetry',
  // Each device's row rewritten with its last-seen time, status and telemetry every second it
  // is heard from (broker device-state.ts): after a 2.5-hour compressed day of 1,000 counters
  // its heap held 6.7 MB for 1.3 MB of live rows, and the fleet page reads all of it.
  'devices',
] as const;

/**
 * One upkeep round done (how long it held the database; the tables it analyzed, if any), or
 * failed (tried again next round).
 */
export type UpkeepEvent = { ms: number; analyzed?: readonly string[] } | { error: Error };

/** Every quarter of an hour: a round on tables kept small by it takes well under a second. */
export const UPKEEP_EVERY_MS = 15 * 60_000;

/** VACUUM (ANALYZE) of each churned table: space of dead rows reused, statistics current. */
export async function vacuumChurnedTables(db: Database): Promise<void> {
  for (const table of CHURNED_TABLES) await db.execute(sql.raw(`vacuum (analyze) ${table}`));
}

/** One upkeep round: the churned tables vacuumed. */
export async function upkeepRound(db: Database): Promise<void> {
  await vacuumChurnedTables(db);
}

/** How often the embedded database looks for tables grown enough to analyze (autovacuum's naptime). */
export const ANALYZE_CHECK_EVERY_MS = 60_000;

/**
 * Autovacuum's other half, which PGlite lacks too: ANALYZE of every table of the schema that has
 * no statistics (never analyzed; or sized by a CREATE INDEX, which counts rows but keeps no column
 * statistics) or has grown by more than a tenth (and 4 pages) since they were taken, as
 * autovacuum's analyze threshold would. Without it an embedded centre's planner took its
 * ratings, visits and events for empty for ever: deriving 40 dossiers' outcomes scanned every
 * rating 6,150 times over (a nested loop the statistics would have ruled out) in 385 ms, once per
 * ingest batch. Growth is read from the catalogue (`relpages` against the table's size now), which
 * survives restarts; PGlite's activity counters do not. A table rewritten in place at a steady
 * size is not analyzed again (the churned ones are, with their vacuum). The first check of a
 * populated database that never had statistics (a centre upgraded to this) analyzes its big tables
 * once, holding the connection a few seconds. A table that fails does not stop the others; the
 * failures are thrown together at the end. Returns the tables analyzed.
 */
export async function analyzeGrownTables(db: Database): Promise<string[]> {
  const grown = (await db.execute(sql`select c.relname as name from pg_class c
    where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r'
      and (c.reltuples < 0
        or (c.reltuples > 0 and not exists (select 1 from pg_statistic s where s.starelid = c.oid))
        or pg_relation_size(c.oid) > (c.relpages * 1.1 + 4) * current_setting('block_size')::bigint)
    order by c.relname`)) as unknown as { rows: Array<{ name: string }> };
  const analyzed: string[] = [];
  const failed: Error[] = [];
  for (const { name } of grown.rows) {
    try {
      await db.execute(sql`analyze ${sql.identifier(name)}`);
      analyzed.push(name);
    } catch (err) {
      failed.push(new Error(`analyze ${name}: ${err instanceof Error ? err.message : String(err)}`));
    }
  }
  if (failed.length > 0) throw new AggregateError(failed, failed.map((e) => e.message).join('; '));
  return analyzed;
}

/**
 * The embedded database's upkeep, in place of autovacuum: the churned tables vacuumed every
 * `everyMs`, and grown tables analyzed, looked for at once and then every `analyzeEveryMs`;
 * never two rounds at once; `stop` waits for a round under way. PGlite serialises them with every
 * other statement, so a round delays ingest by its length (reported in `onEvent`; an analyze
 * check that found nothing to do is not reported).
 */
export function startTableUpkeep(
  db: Database,
  onEvent: (e: UpkeepEvent) => void = () => {},
  everyMs = UPKEEP_EVERY_MS,
  analyzeEveryMs = ANALYZE_CHECK_EVERY_MS,
): { stop(): Promise<void> } {
  let round: Promise<void> | null = null;
  /** A vacuum came due while another round ran: it runs as soon as that one ends. */
  let vacuumDue = false;
  let stopped = false;
  const run = (work: () => Promise<readonly string[] | null>) => {
    if (round) return false;
    const began = Date.now();
    round = work()
      .then(
        (analyzed) => {
          if (analyzed === null) onEvent({ ms: Date.now() - began });
          else if (analyzed.length > 0) onEvent({ ms: Date.now() - began, analyzed });
        },
        (err: unknown) => onEvent({ error: err instanceof Error ? err : new Error(String(err)) }),
      )
      .finally(() => {
        round = null;
        if (vacuumDue && !stopped) vacuum();
      });
    return true;
  };
  const vacuum = () => {
    vacuumDue = !run(() => upkeepRound(db).then(() => null));
  };
  const analyze = () => run(() => analyzeGrownTables(db));
  const timers = [setInterval(vacuum, everyMs), setInterval(analyze, analyzeEveryMs)];
  for (const t of timers) t.unref();
  analyze();
  return {
    async stop() {
      stopped = true;
      for (const t of timers) clearInterval(t);
      await round;
    },
  };
}
