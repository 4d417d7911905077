import type { Database } from './db.js';
import { rebuildDossierOutcomes } from './dossier-outcomes.js';

/** One unit rebuilt (`unitsLeft` others were waiting when it began), or the rebuild stopped by an error. */
export type DossierRebuildEvent = { unitId: string; unitsLeft: number; ms: number } | { error: Error };

/**
 * `rebuildDossierOutcomes` in the background of an open store: started at open so the centre
 * starts at once and keeps ingesting while it runs (reads derive the units they need first).
 * `stop` lets the unit under way finish and the rest wait for the next open; an error ends the
 * run (reported, never thrown: the units left stay listed, for reads and the next open).
 */
export function startDossierRebuild(
  db: Database,
  onEvent: (e: DossierRebuildEvent) => void = () => {},
): { done: Promise<number>; stop(): Promise<void> } {
  let stopping = false;
  const done = rebuildDossierOutcomes(db, { onUnit: onEvent, stopped: () => stopping }).catch(
    (err: unknown) => {
      onEvent({ error: err instanceof Error ? err : new Error(String(err)) });
      return 0;
    },
  );
  return {
    done,
    async stop() {
      stopping = true;
      await done;
    },
  };
}
