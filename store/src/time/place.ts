import type { Executor } from '../db.js';
import type { IngestEvent } from '../ingest.js';

/** How an event's time was placed: the device clock, re-based on `(bootId, mono)`, or not at all. */
export type TimeSource = 'device' | 'rebased' | 'quarantined';

/** An event with the time the centre can defend for it; `at` is null when quarantined. */
export type PlacedEvent = IngestEvent & { at: number | null; timeSource: TimeSource };

/**
 * Places each event's time before it is projected. SEAM: for now the device clock is believed;
 * the rule that re-bases and quarantines replaces this body.
 */
export async function placeTimes(
  _exec: Executor,
  batch: readonly IngestEvent[],
  _receivedAtMs: number,
): Promise<PlacedEvent[]> {
  return batch.map((e) => ({ ...e, at: e.payload.ts, timeSource: 'device' as const }));
}
