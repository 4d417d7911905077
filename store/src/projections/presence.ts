import type { PresenceEvent } from '@onestop/protocol';
import { sql } from 'drizzle-orm';
import type { Executor } from '../db.js';
import { batchParam, eventsHead, type Placed } from './statement.js';

type PresenceIn = Placed & { payload: PresenceEvent };

/**
 * Presence intervals: an opening event (signed_in, occupied) closes every interval of its kind
 * left open on that device that began no later than it (a counter has one officer seat) and opens
 * a new one; a closing event (signed_out, empty) closes the latest such open interval (for a
 * session, that officer's). A close with nothing open (its opening was lost or arrives later)
 * stays only in `events`.
 *
 * Each event's effect depends on the ones before it on the same device, so the new events are
 * applied in rounds: round k applies the k-th new event, in device order (time, then sequence),
 * of every (device, kind) at once, set-based. Round 1 runs in the statement that inserts the
 * events, so a batch with one presence event per device (the usual case) is ONE statement; a
 * sign-in and sign-out of the same device in one batch take a second, and pair up.
 * Must run in a transaction when more than one round is needed.
 */
export async function projectPresence(tx: Executor, batch: readonly PresenceIn[]): Promise<string[]> {
  const result =
    await tx.execute(sql`${eventsHead('presence', batchParam(batch), 'kind text, state text, "officerId" text')},
ranked as (
  select *, row_number() over (partition by "deviceId", kind order by at, seq, "eventId") as k
  from fresh where at is not null
),
round as (select * from ranked where k = 1),
${APPLY}
select "eventId" as event_id, k from ranked
union all select "eventId", 0 from fresh where at is null`);
  // node-postgres and PGlite both return `{ rows }`.
  const rows = (result as unknown as { rows: Array<{ event_id: string; k: number | string }> }).rows;
  // Quarantined events (no placed time) are stored but open or close nothing.
  const later = new Map<number, Set<string>>();
  for (const r of rows) {
    const k = Number(r.k);
    if (k > 1) later.set(k, (later.get(k) ?? new Set()).add(r.event_id));
  }
  for (let k = 2; later.has(k); k++) {
    const ids = later.get(k) ?? new Set();
    const round = batchParam(batch.filter((e) => ids.has(e.payload.eventId)));
    await tx.execute(sql`with round as (
  select p.*, b.x->0->>0 as unit_id, b.x->0->>1 as counter_id, to_timestamp((b.x->0->>2)::bigint / 1000.0) as at
  from jsonb_array_elements(${round}::jsonb) as b(x),
    jsonb_to_record(b.x->1) as p("eventId" uuid, "deviceId" text, ts bigint, kind text, state text, "officerId" text)
),
${APPLY}
select 1`);
  }
  return rows.map((r) => r.event_id);
}

/**
 * One round, from a CTE `round` of at most one event per (device, kind). The update and the
 * insert see the same snapshot, so a new interval is never closed by its own opening event, and
 * no interval is matched by two events.
 */
const APPLY = sql.raw(`e as (
  select *, state in ('signed_in', 'occupied') as opening from round
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
),
opened as (
  insert into presence_intervals (unit_id, counter_id, device_id, officer_id, kind, started_at, start_event_id)
  select unit_id, counter_id, "deviceId", coalesce("officerId", ''), kind, at, "eventId" from e where opening
)`);
