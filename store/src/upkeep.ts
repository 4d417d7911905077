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
] as const;

/** One upkeep round done (how long it held the database), or failed (tried again next round). */
export type UpkeepEvent = { ms: number } | { error: Error };

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

/**
 * The embedded database's upkeep, in place of autovacuum: a round now and then every
 * `everyMs`, never two at once; `stop` waits for a round under way. PGlite serialises it with
 * every other statement, so a round delays ingest by its length (reported in `onEvent`).
 */
export function startTableUpkeep(
  db: Database,
  onEvent: (e: UpkeepEvent) => void = () => {},
  everyMs = UPKEEP_EVERY_MS,
): { stop(): Promise<void> } {
  let round: Promise<void> | null = null;
  const run = () => {
    if (round) return;
    const began = Date.now();
    round = upkeepRound(db)
      .then(
        () => onEvent({ ms: Date.now() - began }),
        (err: unknown) => onEvent({ error: err instanceof Error ? err : new Error(String(err)) }),
      )
      .finally(() => {
        round = null;
      });
  };
  const timer = setInterval(run, everyMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await round;
    },
  };
}
