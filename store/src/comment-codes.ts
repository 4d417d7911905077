import { type CommentClaim, readCommentToken, verifyCommentToken } from '@onestop/protocol';
import { eq, sql } from 'drizzle-orm';
import type { Executor } from './db.js';
import { devices, visits } from './schema.js';

/** Why a comment code is refused: each one gets its own words on the citizen's page. */
export type CommentCodeRefusal =
  | 'malformed'
  | 'unknown_device'
  | 'withdrawn'
  | 'no_key'
  | 'invalid'
  | 'expired'
  | 'mismatch';

/**
 * A refusal names the unit the code claims (unverified) when it could be read: only to point the
 * citizen to that unit's general form, never to store anything against it.
 */
export type CheckedCommentCode =
  | { ok: true; claim: CommentClaim }
  | { ok: false; refusal: CommentCodeRefusal; unitId?: string };

/**
 * THE check of a comment code (protocol comment-token.ts) before a comment may name a counter,
 * officer or dossier: signed by the key its device announced in its birth, by a device still
 * active and still at the counter the code names, and within its week by the centre's clock.
 * A withdrawn device's codes stop at once: a stolen board could otherwise sign visits that never
 * were, dated before it was withdrawn. Once the visit itself has reached the centre, the code must
 * also agree with it (device, officer, dossiers): the key vouches for the board, the stored visit
 * for what happened, and a comment blames an officer only when both say the same. Before the
 * visit arrives (a board catching up on its outbox) the signature alone decides.
 */
export async function checkCommentCode(
  db: Executor,
  token: string,
  now = new Date(),
): Promise<CheckedCommentCode> {
  const read = readCommentToken(token);
  if ('error' in read) return { ok: false, refusal: 'malformed' };
  const [device] = await db
    .select({
      unitId: devices.unitId,
      counterId: devices.counterId,
      revokedAt: devices.revokedAt,
      key: sql<string | null>`${devices.birth} ->> 'commentKey'`,
    })
    .from(devices)
    .where(eq(devices.id, read.claim.d));
  const refused = (refusal: CommentCodeRefusal) => ({ ok: false as const, refusal, unitId: read.claim.u });
  if (!device || device.unitId !== read.claim.u || device.counterId !== read.claim.c)
    return refused('unknown_device');
  if (device.revokedAt) return refused('withdrawn');
  if (!device.key) return refused('no_key');
  const why = verifyCommentToken(read, device.key, Math.floor(now.getTime() / 1000));
  if (why !== null)
    return refused(
      why === 'token has expired' || why === 'token is dated in the future' ? 'expired' : 'invalid',
    );
  return (await agreesWithStoredVisit(db, read.claim))
    ? { ok: true, claim: read.claim }
    : refused('mismatch');
}

async function agreesWithStoredVisit(db: Executor, claim: CommentClaim): Promise<boolean> {
  const [visit] = await db
    .select({
      deviceId: visits.deviceId,
      unitId: visits.unitId,
      counterId: visits.counterId,
      officerId: visits.officerId,
      dossierIds: visits.dossierIds,
    })
    .from(visits)
    .where(eq(visits.id, claim.i));
  if (!visit) return true;
  const sameDossiers =
    visit.dossierIds.length === claim.s.length && claim.s.every((d) => visit.dossierIds.includes(d));
  return (
    visit.deviceId === claim.d &&
    visit.unitId === claim.u &&
    visit.counterId === claim.c &&
    (visit.officerId ?? null) === claim.o &&
    sameDossiers
  );
}
