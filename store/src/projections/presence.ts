import type { PresenceEvent } from '@onestop/protocol';
import { sql } from 'drizzle-orm';
import type { Executor } from '../db.js';
import { batchParam, eventsHead, freshIds, type Origin } from './statement.js';

type PresenceIn = Origin & { payload: PresenceEvent };

/**
 * Presence intervals: an opening event (signed_in, occupied) closes every interval of its kind
 * left open on that device that began no later than it (a counter has one officer seat) and opens
 * a new one; a closing event (signed_out, empty) closes the latest such open interval (for a
 * session, that officer's). A close with nothing open (its opening was lost or arrives later)
 * stays only in `events`.
 *
 * Each event's effect depends on the ones before it on the same device, so the new events are
 * applied in rounds: round k applies the k-th event, in device order, of every (device, kind) at
 * once, in one set-based statement. A batch with one presence event per device (the usual case)
 * needs one round; a sign-in and sign-out of the same officer in one batch need two, and pair up.
 * Must run in a transaction (the `events` insert and the rounds are separate statements).
 */
export async function projectPresence(tx: Executor, batch: readonly PresenceIn[]): Promise<string[]> {
  const fresh = await freshIds(
    tx,
    sql`${eventsHead('presence', batchParam(batch), 'kind text')} select event_id from ins`,
  );
  const isFresh = new Set(fresh);
  for (const round of rounds(batch.filter((e) => isFresh.has(e.payload.eventId)))) {
    await tx.execute(applyRound(batchParam(round)));
  }
  return fresh;
}

/** Round k holds the k-th event of every (device, kind), in device order (time, then sequence). */
function rounds(events: readonly PresenceIn[]): PresenceIn[][] {
  const byStream = new Map<string, PresenceIn[]>();
  for (const e of events) {
    const key = `${e.payload.deviceId}\u0000${e.payload.kind}`;
    const stream = byStream.get(key);
    if (stream) stream.push(e);
    else byStream.set(key, [e]);
  }
  const out: PresenceIn[][] = [];
  for (const stream of byStream.values()) {
    stream.sort((a, b) => a.payload.ts - b.payload.ts || a.payload.seq - b.payload.seq);
    stream.forEach((e, k) => {
      const round = out[k] ?? [];
      round.push(e);
      out[k] = round;
    });
  }
  return out;
}

/**
 * One round. The update and the insert see the same snapshot, so a new interval is never closed
 * by its own opening event; with one event per (device, kind), no interval is matched twice.
 */
function applyRound(json: string) {
  return sql`with e as (
  select p.*, b.x->0->>0 as unit_id, b.x->0->>1 as counter_id, to_timestamp(p.ts / 1000.0) as at,
    p.state in ('signed_in', 'occupied') as opening
  from jsonb_array_elements(${json}::jsonb) as b(x),
    jsonb_to_record(b.x->1) as p("eventId" uuid, "deviceId" text, ts bigint, kind text, state text, "officerId" text)
),
closed as (
  update presence_intervals i set ended_at = e.at, end_event_id = e."eventId"
  from e
  where i.device_id = e."deviceId" and i.kind = e.kind and i.ended_at is null and i.started_at <= e.at
    and (e.opening or i.id = (
      select q.id from presence_intervals q
      where q.device_id = e."deviceId" and q.kind = e.kind and q.ended_at is null and q.started_at <= e.at
        and (e.kind <> 'session' or q.officer_id = e."officerId")
      order by q.started_at desc
      limit 1))
)
insert into presence_intervals (unit_id, counter_id, device_id, officer_id, kind, started_at, start_event_id)
select unit_id, counter_id, "deviceId", coalesce("officerId", ''), kind, at, "eventId" from e where opening`;
}
