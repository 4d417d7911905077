import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { and, eq, gt, lt, sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import { auditLog, staffHandovers, staffSessions } from './schema.js';
import { SESSION_TTL_MS } from './staff.js';

/**
 * One-time handovers between an action and the page after it (POST-redirect-GET): "account
 * added, here is its sign-in link". The link must not travel in the redirect's URL (history,
 * proxy logs, Referer) nor in a cookie, and must survive a dashboard restart and reach whichever
 * dashboard process serves the next page, so it waits in the database:
 * - under the asking session's token hash (the key `staff_sessions` already uses), and deleted
 *   with that session (sign-out, account disabled);
 * - sealed (AES-256-GCM) under a key derived from the session's secret token, which only the
 *   browser holds: the database, its backups and its logs hand over no link;
 * - read once (deleted as it is read, in one statement, so two tabs cannot both show it), and
 *   expiring with the link's own lifetime at the latest;
 * - showing a secret is audited (`staff.link.shown`), issuing it is audited where it is issued.
 * One handover per session: a newer action's replaces an unread one.
 */

/** Longest a handover waits unread: a sign-in link's own lifetime. */
export const HANDOVER_TTL_MS = SESSION_TTL_MS.link;

const sessionHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** The sealing key: derived from the session's secret, never stored. */
const keyOf = (token: string) =>
  Buffer.from(hkdfSync('sha256', token, 'onestop-handover', 'staff handover v1', 32));

function seal(token: string, payload: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(token), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
}

/** The payload, or null when it does not open under this token (tampered, or not this session's). */
function unseal(token: string, sealed: string): unknown {
  const raw = Buffer.from(sealed, 'base64');
  if (raw.length < 28) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(token), raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/**
 * Leaves `payload` for the next page of the session whose secret is `sessionToken`. Nothing is
 * kept for a session that no longer exists. `secret`: it carries a sign-in link.
 */
export async function putHandover(
  db: Executor,
  input: { sessionToken: string; target: string; secret: boolean; payload: unknown; ttlMs?: number },
): Promise<void> {
  const now = new Date();
  const ttl = Math.min(input.ttlMs ?? HANDOVER_TTL_MS, HANDOVER_TTL_MS);
  const hash = sessionHash(input.sessionToken);
  const expiresAt = new Date(now.getTime() + ttl);
  const sealed = seal(input.sessionToken, input.payload);
  // Through the session's row: a session ended meanwhile gets nothing (and no foreign-key error).
  await db
    .insert(staffHandovers)
    .select(
      db
        .select({
          sessionHash: staffSessions.tokenHash,
          target: sql<string>`${input.target}`.as('target'),
          secret: sql<boolean>`${input.secret}::boolean`.as('secret'),
          sealed: sql<string>`${sealed}`.as('sealed'),
          createdAt: sql<Date>`${now.toISOString()}::timestamptz`.as('created_at'),
          expiresAt: sql<Date>`${expiresAt.toISOString()}::timestamptz`.as('expires_at'),
        })
        .from(staffSessions)
        .where(eq(staffSessions.tokenHash, hash)),
    )
    .onConflictDoUpdate({
      target: staffHandovers.sessionHash,
      set: {
        target: sql`excluded.target`,
        secret: sql`excluded.secret`,
        sealed: sql`excluded.sealed`,
        createdAt: sql`excluded.created_at`,
        expiresAt: sql`excluded.expires_at`,
      },
    });
  // Unread ones past their time go on the way: the table never grows without bound.
  await db.delete(staffHandovers).where(lt(staffHandovers.expiresAt, now));
}

/**
 * The waiting handover of this session, removed as it is read (null: none, expired, or it does
 * not open). Showing a secret is audited under `actor`.
 */
export async function takeHandover(db: Executor, sessionToken: string, actor: string): Promise<unknown> {
  const [row] = await db
    .delete(staffHandovers)
    .where(
      and(
        eq(staffHandovers.sessionHash, sessionHash(sessionToken)),
        gt(staffHandovers.expiresAt, new Date()),
      ),
    )
    .returning({
      target: staffHandovers.target,
      secret: staffHandovers.secret,
      sealed: staffHandovers.sealed,
    });
  if (!row) return null;
  const payload = unseal(sessionToken, row.sealed);
  if (payload !== null && row.secret)
    await db.insert(auditLog).values({ actor, action: 'staff.link.shown', target: row.target });
  return payload;
}
