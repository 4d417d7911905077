import { type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../db.js';
import type { IngestEventType } from '../ingest.js';
import { hourBucketSql } from './vietnam-time-sql.js';

/** Where an event came from: the topic's unit and counter. */
export interface Origin {
  unitId: string;
  counterId: string;
}

/** The envelope columns every event payload has (protocol's `envelopeShape`). */
const ENVELOPE = `"eventId" uuid, "deviceId" text, "bootId" uuid, seq bigint, ts bigint`;

/**
 * The batch as ONE JSON parameter of `[[unitId, counterId, at, timeSource, ...derived], payload]`
 * pairs (`at`: the placed time in ms, null when quarantined; see time/place.ts): the
 * payload is stored as it is in `events.payload` and its columns are read by `jsonb_to_record`
 * (C code, arrays included), so no value is sent twice and the statement text never changes.
 */
export function batchParam<E extends Placed & { payload: object }>(
  batch: readonly E[],
  derived: (e: E) => readonly unknown[] = () => [],
): string {
  return JSON.stringify(
    batch.map((e) => [[e.unitId, e.counterId, e.at, e.timeSource, ...derived(e)], e.payload]),
  );
}

/** Where an event came from and when it happened, as the centre placed it. */
export interface Placed extends Origin {
  at: number | null;
  timeSource: string;
}

/**
 * The head of every projection statement, as data-modifying CTEs:
 * - `r`: the batch as rows (payload columns, `unit_id`, `counter_id`, `payload`, `device_ts`, the
 *   placed `at` (timestamptz, null when quarantined) and its `hour`, `time_source`, and `o`, the
 *   derived values from index 4 on), in batch order (`ord`);
 * - `ins`: the `events` insert; its primary key makes redelivery harmless (exactly once);
 * - `fresh`: the rows of `r` newly inserted, the only ones any projection may count.
 * `columns` declares the kind's own payload columns for `jsonb_to_record`.
 */
export function eventsHead(type: IngestEventType, json: string, columns: string): SQL {
  return sql`with r as (
  select p.*, b.x->0 as o, b.x->0->>0 as unit_id, b.x->0->>1 as counter_id, b.x->1 as payload, b.ord,
    to_timestamp(p.ts / 1000.0) as device_ts, to_timestamp((b.x->0->>2)::bigint / 1000.0) as at,
    b.x->0->>3 as time_source, ${hourBucketSql(sql`(b.x->0->>2)::bigint`)} as hour
  from jsonb_array_elements(${json}::jsonb) with ordinality as b(x, ord),
    jsonb_to_record(b.x->1) as p(${sql.raw(`${ENVELOPE}, ${columns}`)})
),
ins as (
  insert into events (event_id, type, unit_id, counter_id, device_id, boot_id, seq, device_ts, at, time_source, payload)
  select "eventId", ${sql.raw(`'${type}'`)}, unit_id, counter_id, "deviceId", "bootId", seq, device_ts, at, time_source, payload from r
  on conflict do nothing
  returning event_id
),
fresh as (select r.* from r join ins on ins.event_id = r."eventId")`;
}

/**
 * A device-clock time of the payload (`"startedAt"`, `"endedAt"`) of a row of `r`/`fresh` (or of
 * the alias `of`), moved as the event's `ts` was moved to its placed `at`, in ms: a re-based event's
 * times shift by its clock offset. Null when the event is quarantined.
 */
export function placedMsSql(column: string, of = ''): string {
  const p = of ? `${of}.` : '';
  return `(${p}${column} - ${p}ts + (${p}o->>2)::bigint)`;
}

/**
 * How an event ID is compared in this process: as PostgreSQL prints a uuid, in lower case. The
 * wire accepts either case (RFC 9562), so a device may spell an ID in upper case, while every ID
 * the database hands back (`freshIds`, the redelivery probe) is lower case: compared as sent, such
 * an event was stored but taken for a duplicate, and its presence interval or visit judging was
 * skipped.
 */
export const eventKey = (eventId: string): string => eventId.toLowerCase();

/** Runs a statement whose result is the `event_id`s of the newly inserted events. */
export async function freshIds(db: Executor, statement: SQL): Promise<string[]> {
  const result = await db.execute(statement);
  // node-postgres and PGlite both return `{ rows }`.
  return (result as unknown as { rows: Array<{ event_id: string }> }).rows.map((row) => row.event_id);
}
