import type { PresenceEvent } from '@onestop/protocol';
import { sql } from 'drizzle-orm';
import type { Executor } from '../db.js';
import { type JudgeScope, type Judging, rejudge, signInScopes } from '../judge/judge.js';
import { batchParam, eventKey, eventsHead, freshIds, type Placed } from './statement.js';

type PresenceIn = Placed & { payload: PresenceEvent };

/**
 * Presence intervals, a function of the set of a device's presence events, whatever order they
 * arrive in (an outbox replay, a sign-out before its sign-in, two ingest processes): per device
 * and kind, in device order (placed time, sequence, event ID), each opening event (signed_in,
 * occupied) opens an interval that the first later event ends if it opens one too (a counter has
 * one officer seat) or closes it (empty; for a session, signed_out of the same officer). A close
 * that ends nothing only stays in `events`; quarantined events open or close nothing. Intervals
 * of one kind on one device therefore never overlap, and an empty one is not kept: the judge
 * finds the interval covering an instant with one index probe.
 *
 * New events only change intervals from their own time on, so those are re-derived from the
 * stored events (`events_presence_device_at_idx`), beginning at the interval the earliest new
 * event falls in; then the device's ratings whose verdict those intervals decide are judged again
 * (changedSpans: a late sign-in verifies the ratings it covers, a late sign-out unverifies those
 * after it, until the next sign-in), and, where an
 * officer's sign-in appeared or vanished, that officer's ratings at the unit's other counters it
 * may supersede (judge signInScopes).
 * Must run in a transaction, after `prepareJudging` locked the devices.
 */
export async function projectPresence(
  tx: Executor,
  batch: readonly PresenceIn[],
  judging: Judging,
): Promise<string[]> {
  const ids = await freshIds(
    tx,
    sql`${eventsHead('presence', batchParam(batch), 'kind text, state text, "officerId" text')}
select event_id from ins`,
  );
  const fresh = new Set(ids);
  const from = new Map<string, { device_id: string; kind: string; from_ms: number }>();
  for (const e of batch) {
    if (e.at === null || !fresh.has(eventKey(e.payload.eventId))) continue;
    const key = `${e.payload.deviceId}\u0000${e.payload.kind}`;
    const known = from.get(key);
    if (!known || e.at < known.from_ms)
      from.set(key, { device_id: e.payload.deviceId, kind: e.payload.kind, from_ms: e.at });
  }
  if (from.size === 0) return ids;
  const changed = await rederiveIntervals(tx, [...from.values()]);
  const elsewhere = await signInScopes(
    tx,
    changed.filter((c) => c.kind === 'session'),
  );
  await rejudge(tx, [...changedSpans(changed), ...elsewhere], judging);
  return ids;
}

/** An interval that re-deriving added or removed (one whose end moved is both). */
export interface ChangedInterval {
  device_id: string;
  kind: string;
  unit_id: string;
  counter_id: string;
  officer_id: string;
  started_ms: number;
  /**
   * The start of the first interval of its device and kind begun after every changed one
   * (null: none): from there on, the interval covering any instant is the same as before.
   */
  next_ms: number | null;
}

/**
 * The ratings whose verdicts changed intervals can change, per device: a rating's verdict reads
 * only the device's latest session and seat interval begun at or before it (judge rules.ts), and
 * that is the same as before for a rating placed before the first changed interval or from
 * `next_ms` on. So: from the earliest changed start to the latest `next_ms` (none: no end).
 */
export function changedSpans(changed: readonly ChangedInterval[]): JudgeScope[] {
  const spans = new Map<string, JudgeScope>();
  for (const c of changed) {
    const known = spans.get(c.device_id);
    spans.set(c.device_id, {
      device_id: c.device_id,
      from_ms: Math.min(c.started_ms, known?.from_ms ?? c.started_ms),
      to_ms:
        c.next_ms === null || (known && known.to_ms === null)
          ? null
          : Math.max(c.next_ms, known?.to_ms ?? c.next_ms),
    });
  }
  return [...spans.values()];
}

/**
 * Re-derives the intervals of each (device, kind) from `from_ms` on (null: from the first event),
 * in ONE statement: the intervals begun at or after the last opening at or before `from_ms` are
 * replaced by those its stored events define. Window functions find each opening's end (the next
 * opening, or the next matching close) in one pass over the events. Returns the intervals that
 * differ from before (removed, added, or whose end moved).
 */
export async function rederiveIntervals(
  tx: Executor,
  touched: ReadonlyArray<{ device_id: string; kind: string; from_ms: number | null }>,
): Promise<ChangedInterval[]> {
  const result = await tx.execute(sql`with touched as (
  select x.device_id, x.kind, coalesce(to_timestamp(x.from_ms / 1000.0), '-infinity') as t
  from jsonb_to_recordset(${JSON.stringify(touched)}::jsonb) as x(device_id text, kind text, from_ms bigint)
),
anchor as (
  select t.device_id, t.kind, coalesce((
    select max(i.started_at) from presence_intervals i
    where i.device_id = t.device_id and i.kind = t.kind and i.started_at <= t.t), t.t) as s0
  from touched t
),
gone as (
  delete from presence_intervals i using anchor a
  where i.device_id = a.device_id and i.kind = a.kind and i.started_at >= a.s0
  returning i.device_id, i.kind, i.unit_id, i.counter_id, i.officer_id, i.started_at, i.ended_at
),
ordered as (
  select e.event_id, e.unit_id, e.counter_id, e.device_id, a.kind, e.at,
    e.payload->>'state' in ('signed_in', 'occupied') as opening,
    coalesce(e.payload->>'officerId', '') as officer_id,
    row_number() over (partition by e.device_id, a.kind order by e.at, e.seq, e.event_id) as pos
  from anchor a
  join events e on e.device_id = a.device_id and e.type = 'presence' and e.at >= a.s0
  where e.payload->>'kind' = a.kind
),
ends as (
  select o.*,
    least(
      min(pos) filter (where opening) over later,
      case when kind = 'seat' then min(pos) filter (where not opening) over later
        else min(pos) filter (where not opening) over later_same_officer end
    ) as end_pos
  from ordered o
  window later as (partition by device_id, kind order by pos rows between 1 following and unbounded following),
    later_same_officer as (partition by device_id, kind, officer_id order by pos
      rows between 1 following and unbounded following)
),
made as (
insert into presence_intervals (unit_id, counter_id, device_id, officer_id, kind, started_at, start_event_id,
  ended_at, end_event_id)
select s.unit_id, s.counter_id, s.device_id, s.officer_id, s.kind, s.at, s.event_id, e.at, e.event_id
from ends s
left join ordered e on e.device_id = s.device_id and e.kind = s.kind and e.pos = s.end_pos
where s.opening and (e.at is null or e.at > s.at)
returning device_id, kind, unit_id, counter_id, officer_id, started_at, ended_at
),
changed as (
  (select * from gone except all select * from made)
  union all
  (select * from made except all select * from gone)
),
last_changed as (select device_id, kind, max(started_at) as at from changed group by 1, 2)
select c.device_id, c.kind, c.unit_id, c.counter_id, c.officer_id,
  (extract(epoch from c.started_at) * 1000)::bigint as started_ms,
  (select (extract(epoch from min(m.started_at)) * 1000)::bigint from made m
    where m.device_id = c.device_id and m.kind = c.kind and m.started_at > l.at) as next_ms
from changed c join last_changed l on l.device_id = c.device_id and l.kind = c.kind`);
  type Row = ChangedInterval & { started_ms: string | number; next_ms: string | number | null };
  return (result as unknown as { rows: Row[] }).rows.map((r) => ({
    ...r,
    started_ms: Number(r.started_ms),
    next_ms: r.next_ms === null ? null : Number(r.next_ms),
  }));
}
