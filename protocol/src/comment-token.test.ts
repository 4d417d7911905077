import { describe, expect, it } from 'vitest';
import {
  COMMENT_TOKEN_TTL_S,
  type CommentClaim,
  commentPublicKeyOf,
  newCommentKey,
  readCommentToken,
  signCommentClaim,
  verifyCommentToken,
} from './comment-token.js';

const claim: CommentClaim = {
  v: 1,
  d: 'dev-q1-c01',
  u: 'trung-van',
  c: 'c01',
  i: '0193a0c2-6000-7000-8000-000000000007',
  o: 'o-lan',
  s: ['000.00.17.H10-261201-0042'],
  t: 1_790_000_000,
};

function read(token: string) {
  const r = readCommentToken(token);
  if ('error' in r) throw new Error(r.error);
  return r;
}

describe('comment tokens', () => {
  const key = newCommentKey();

  it('verifies what the device signed, for a week, with the key its birth announced', () => {
    expect(commentPublicKeyOf(key.privatePem)).toBe(key.publicKey);
    const token = signCommentClaim(claim, key.privatePem);
    // Short enough for a QR code a phone reads off a screen at arm's length.
    expect(token.length).toBeLessThan(400);
    const r = read(token);
    expect(r.claim).toEqual(claim);
    expect(verifyCommentToken(r, key.publicKey, claim.t)).toBeNull();
    expect(verifyCommentToken(r, key.publicKey, claim.t + COMMENT_TOKEN_TTL_S)).toBeNull();
    expect(verifyCommentToken(r, key.publicKey, claim.t + COMMENT_TOKEN_TTL_S + 1)).toBe('token has expired');
    expect(verifyCommentToken(r, key.publicKey, claim.t - 2 * 86_400)).toBe('token is dated in the future');
  });

  it('refuses a claim changed after signing, another device key, and anything malformed', () => {
    const token = signCommentClaim(claim, key.privatePem);
    const [, sig] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ ...claim, o: 'o-other' })).toString('base64url')}.${sig}`;
    expect(verifyCommentToken(read(forged), key.publicKey, claim.t)).toBe('token signature does not verify');
    expect(verifyCommentToken(read(token), newCommentKey().publicKey, claim.t)).toBe(
      'token signature does not verify',
    );
    expect(verifyCommentToken(read(token), 'A'.repeat(43), claim.t)).not.toBeNull();
    for (const bad of [
      '',
      'x',
      `${token}x`,
      `a.${sig}`,
      `${'a'.repeat(2000)}.${sig}`,
      token.replace('.', ''),
    ])
      expect(readCommentToken(bad)).toHaveProperty('error');
    const extra = `${Buffer.from(JSON.stringify({ ...claim, x: 1 })).toString('base64url')}.${sig}`;
    expect(readCommentToken(extra)).toEqual({ error: 'token is malformed' });
  });
});
