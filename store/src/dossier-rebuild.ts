import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from './db.js';
import { rebuildDossierOutcomes } from './dossier-outcomes.js';
import { vacuumChurnedTables } from './upkeep.js';

/** One unit rebuilt (`unitsLeft` others were waiting when it began), or an attempt ended by an error. */
export type DossierRebuildEvent =
  | { unitId: string; unitsLeft: number; ms: number }
  | { error: Error; retryInMs: number }
  | { vacuumed: true; ms: number }
  | { vacuumFailed: Error };

/** Waits between attempts after an error: a failover or a deadlock passes, a lasting outage is not hammered. */
const RETRY_MS = [1_000, 5_000, 30_000, 60_000] as const;

/** The error worth reading: drizzle wraps a dropped connection in a "Failed query: rollback". */
function causeOf(err: unknown): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  return e.cause instanceof Error ? new Error(`${e.message}: ${e.cause.message}`, { cause: e.cause }) : e;
}

/**
 * `rebuildDossierOutcomes` in the background of an open store: started at open so the centre
 * starts at once and keeps ingesting while it runs (reads derive the units they need first).
 * `stop` lets the unit under way finish and the rest wait for the next open. An error (an outage,
 * a failover, a deadlock) is reported, never thrown, and the units left are tried again after a
 * wait that grows to a minute: they stay listed meanwhile, so reads still derive what they show.
 */
export function startDossierRebuild(
  db: Database,
  onEvent: (e: DossierRebuildEvent) => void = () => {},
): { done: Promise<number>; stop(): Promise<void> } {
  let stopping = false;
  const wake = new AbortController();
  const run = async () => {
    let rebuilt = 0;
    for (let failures = 0; !stopping; ) {
      try {
        await rebuildDossierOutcomes(db, {
          onUnit: (e) => {
            rebuilt++;
            failures = 0;
            onEvent(e);
          },
          stopped: () => stopping,
        });
        if (rebuilt > 0 && !stopping) await tidy();
        return rebuilt;
      } catch (err) {
        const retryInMs = RETRY_MS[Math.min(failures++, RETRY_MS.length - 1)]!;
        onEvent({ error: causeOf(err), retryInMs });
        await sleep(retryInMs, undefined, { signal: wake.signal }).catch(() => {});
      }
    }
    return rebuilt;
  };
  // A rebuild rewrites each unit's outcomes and empties a list of up to millions of pairs: every
  // read checks that list, and until a vacuum it scans all its dead rows (26 ms a request after
  // the city seed's rebuild). Tidied at once rather than at the next autovacuum or upkeep round.
  const tidy = async () => {
    const started = Date.now();
    try {
      await vacuumChurnedTables(db);
      onEvent({ vacuumed: true, ms: Date.now() - started });
    } catch (err) {
      // Not worth a retry: autovacuum (PostgreSQL) or the upkeep round (PGlite) comes anyway.
      onEvent({ vacuumFailed: causeOf(err) });
    }
  };
  const done = run();
  return {
    done,
    async stop() {
      stopping = true;
      wake.abort();
      await done;
    },
  };
}

/** The one way a process logs the rebuild (`openStore`'s `onDossierRebuild`): a line per unit or error. */
export function logDossierRebuild(logger: {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}): (e: DossierRebuildEvent) => void {
  return (e) =>
    'error' in e
      ? logger.warn(
          { err: e.error, retryInMs: e.retryInMs },
          'dossier rebuild interrupted; tried again later, reads derive the units they show',
        )
      : 'vacuumFailed' in e
        ? logger.warn(
            { err: e.vacuumFailed },
            'vacuum after the dossier rebuild failed; autovacuum or upkeep will do it',
          )
        : 'vacuumed' in e
          ? logger.info({ ms: e.ms }, 'dossier rebuild done; its tables vacuumed')
          : logger.info(e, 'dossier outcomes rebuilt for a unit');
}
