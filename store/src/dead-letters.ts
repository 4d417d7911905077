import type { Executor } from './db.js';
import type { IngestEvent } from './ingest.js';
import { ingestDeadLetters } from './schema.js';

export interface DatabaseRefusal {
  /** SQLSTATE (e.g. `22003` numeric_value_out_of_range), when the error carried one. */
  code: string | null;
  /** One short line from the database: never the SQL text, which drizzle puts in its message. */
  message: string;
}

const MAX_MESSAGE = 200;
const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * What the database said, without the query. drizzle wraps the driver's error (node-postgres,
 * PGlite, or the PGlite thread's copy) in one whose message is the whole statement, many KB for a
 * batch: the driver's error is in its `cause` chain and carries the SQLSTATE.
 */
export function describeDatabaseError(err: unknown): DatabaseRefusal {
  let innermost: unknown = err;
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 8; depth++) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && SQLSTATE.test(code))
      return { code, message: shorten(typeof message === 'string' ? message : String(e)) };
    innermost = e;
    e = cause;
  }
  const message = innermost instanceof Error ? innermost.message : String(innermost);
  // Still a drizzle wrapper (no cause): keep only the first line, never the statement.
  return { code: null, message: shorten(message.startsWith('Failed query:') ? 'query failed' : message) };
}

/**
 * SQLSTATE classes that pass by themselves (08 connection, 40 transaction rollback: deadlock,
 * serialization; 53 insufficient resources; 57 operator intervention, e.g. a restart): retry
 * the batch, never dead-letter a valid event for them.
 */
export function isTransientDatabaseError(err: unknown): boolean {
  const { code } = describeDatabaseError(err);
  return code !== null && ['08', '40', '53', '57'].includes(code.slice(0, 2));
}

function shorten(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE - 1)}…` : line;
}

/**
 * Keeps an event the database refused, with the reason. Returns false when it was dead-lettered
 * before (the device re-sent it because the acknowledgement was lost): nothing new to count.
 */
export async function storeDeadLetter(
  db: Executor,
  letter: { event: IngestEvent; topic: string; refusal: DatabaseRefusal },
): Promise<boolean> {
  const { event, topic, refusal } = letter;
  const rows = await db
    .insert(ingestDeadLetters)
    .values({
      eventId: event.payload.eventId,
      type: event.type,
      unitId: event.unitId,
      counterId: event.counterId,
      deviceId: event.payload.deviceId,
      topic,
      errorCode: refusal.code,
      error: refusal.message,
      payload: event.payload,
    })
    .onConflictDoNothing()
    .returning({ eventId: ingestDeadLetters.eventId });
  return rows.length > 0;
}
