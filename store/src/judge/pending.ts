import { sql } from 'drizzle-orm';
import type { Database } from '../db.js';
import { rederiveIntervals } from '../projections/presence.js';
import { prepareJudging, rejudge } from './judge.js';

/**
 * Judges the placed ratings still `pending`: those stored before migration 0008 (counted then for
 * whichever officer the device named) and any quarantined rating whose time was placed since.
 * Runs when the store opens, after migrations: one device at a time, at most `chunk` ratings per
 * transaction, each under the device's judging lock, so it is bounded, safe beside a running
 * ingest or a second process doing the same, and resumable (it only looks at what is still
 * pending; `ratings_pending_idx` makes "nothing left" one index probe). A device's presence
 * intervals are first re-derived from its events, as presence.ts defines them now, since intervals
 * stored by older code may overlap. Returns how many ratings it judged.
 */
export async function judgePending(db: Database, chunk = 2_000): Promise<number> {
  const rederived = new Set<string>();
  let judged = 0;
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const [next] = (
        (await tx.execute(sql`select device_id, unit_id from ratings
          where attribution = 'pending' and at is not null limit 1`)) as unknown as {
          rows: Array<{ device_id: string; unit_id: string }>;
        }
      ).rows;
      if (!next) return 0;
      const judging = await prepareJudging(tx, [
        { unitId: next.unit_id, payload: { deviceId: next.device_id } },
      ]);
      if (!rederived.has(next.device_id)) {
        await rederiveIntervals(
          tx,
          ['session', 'seat'].map((kind) => ({ device_id: next.device_id, kind, from_ms: null })),
        );
        rederived.add(next.device_id);
      }
      // The oldest `chunk` pending ratings of the device set the scope; a rating of another unit
      // on the same device (moved between units) gets its unit's rules in a later round.
      const span = (
        (await tx.execute(sql`select (extract(epoch from min(at)) * 1000)::bigint as from_ms,
            (extract(epoch from max(at)) * 1000)::bigint as to_ms
          from (select at from ratings
            where device_id = ${next.device_id} and unit_id = ${next.unit_id}
              and attribution = 'pending' and at is not null
            order by at limit ${chunk}) as oldest`)) as unknown as {
          rows: Array<{ from_ms: string | number | null; to_ms: string | number | null }>;
        }
      ).rows[0];
      if (span?.from_ms == null || span.to_ms == null) return 0;
      return rejudge(
        tx,
        [{ device_id: next.device_id, from_ms: Number(span.from_ms), to_ms: Number(span.to_ms) }],
        judging,
      );
    });
    if (n === 0) return judged;
    judged += n;
  }
}
