import { type CommentClaim, newCommentKey, signCommentClaim } from '@onestop/protocol';
import { type Database, schema } from '@onestop/store';

/**
 * A counter device that signs comment codes as a kiosk does (its key announced in its birth),
 * for the comment tests: `code()` is the token of a new visit's thanks screen.
 */
export async function signingCounter(
  db: Database,
  at: { deviceId: string; unitId: string; counterId: string },
): Promise<{
  key: ReturnType<typeof newCommentKey>;
  claim(over?: Partial<CommentClaim>): CommentClaim;
  code(over?: Partial<CommentClaim>): string;
}> {
  const key = newCommentKey();
  await db.insert(schema.devices).values({
    id: at.deviceId,
    unitId: at.unitId,
    counterId: at.counterId,
    username: at.deviceId,
    passwordHash: 'unused: this device never connects',
    birth: { commentKey: key.publicKey },
  });
  let visits = 0;
  const claim = (over: Partial<CommentClaim> = {}): CommentClaim => {
    visits += 1;
    return {
      v: 1,
      d: at.deviceId,
      u: at.unitId,
      c: at.counterId,
      i: `0193a0c2-6000-7000-8000-${String(visits).padStart(12, '0')}`,
      o: null,
      s: [],
      t: Math.floor(Date.now() / 1000),
      ...over,
    };
  };
  return { key, claim, code: (over = {}) => signCommentClaim(claim(over), key.privatePem) };
}
