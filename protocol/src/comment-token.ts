import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { z } from 'zod';
import { CounterId, DeviceId, DossierId, OfficerId, UnitId, Uuid } from './ids.js';

/**
 * What the QR code on a counter's thanks screen vouches for: this visit, at this counter, served
 * by this officer, for these dossiers. The device signs it with its own Ed25519 key, whose public
 * half it announces in its birth (`commentKey`); the centre takes a comment naming a counter,
 * officer or dossier only with a claim that verifies, and only once per visit. Keys are one
 * letter because the claim rides in the QR code: every byte makes the code denser to scan.
 */
export const CommentClaim = z.strictObject({
  /** Format version. */
  v: z.literal(1),
  /** The device that signed: its key verifies the claim, its counter must be `u`/`c`. */
  d: DeviceId,
  u: UnitId,
  c: CounterId,
  /** The visit (`visitId` of its events): one comment per visit. */
  i: Uuid,
  /** The officer the rating was attributed to, null when nobody answers for it. */
  o: OfficerId.nullable(),
  /** The visit's dossiers (a citizen may file several at once). */
  s: z.array(DossierId).max(4),
  /** When the device signed it, Unix seconds by the device's clock. */
  t: z.int().min(0),
});
export type CommentClaim = z.infer<typeof CommentClaim>;

/** A comment QR code is good for a week: time to get home and write, not to sell it on. */
export const COMMENT_TOKEN_TTL_S = 7 * 24 * 3600;
/** A device clock this far ahead of the centre's still signs usable codes (the clock-skew alert tells). */
export const COMMENT_TOKEN_FUTURE_S = 24 * 3600;

/** The public half of a device's key as the birth carries it: an Ed25519 key's 32 bytes, base64url. */
export const CommentPublicKey = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/, 'must be an Ed25519 public key, base64url');

/** A new signing key for a device: the PEM it keeps (mode 0600) and the public key it announces. */
export function newCommentKey(): { privatePem: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: rawPublicKey(publicKey),
  };
}

/** The announced public key of a kept private key (PEM). */
export function commentPublicKeyOf(privatePem: string): string {
  return rawPublicKey(createPublicKey(createPrivateKey(privatePem)));
}

function rawPublicKey(key: KeyObject): string {
  const x = key.export({ format: 'jwk' }).x;
  if (typeof x !== 'string') throw new Error('not an Ed25519 key');
  return x;
}

/** `<claim as base64url JSON>.<Ed25519 signature of that text, base64url>`. */
export function signCommentClaim(claim: CommentClaim, privatePem: string): string {
  const body = Buffer.from(JSON.stringify(CommentClaim.parse(claim))).toString('base64url');
  const signature = sign(null, Buffer.from(body), createPrivateKey(privatePem)).toString('base64url');
  return `${body}.${signature}`;
}

/** A token read but not yet verified: the centre needs `claim.d` to find the key. */
export interface ReadToken {
  claim: CommentClaim;
  body: string;
  signature: Buffer;
}

/** Longest token taken: four dossiers and long IDs fit well within it. */
export const MAX_COMMENT_TOKEN_LENGTH = 1_024;

/** Reads a token's claim, or says why it is not one. Nothing is trusted until `verifyCommentToken`. */
export function readCommentToken(token: string): ReadToken | { error: string } {
  if (token.length > MAX_COMMENT_TOKEN_LENGTH) return { error: 'token is too long' };
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{86})$/.exec(token);
  if (!m) return { error: 'token is malformed' };
  const [, body, sig] = m as unknown as [string, string, string];
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { error: 'token is malformed' };
  }
  const claim = CommentClaim.safeParse(json);
  if (!claim.success) return { error: 'token is malformed' };
  return { claim: claim.data, body, signature: Buffer.from(sig, 'base64url') };
}

/**
 * Whether `read` was signed by the key `publicKey` (as the device announced it) and is within its
 * week at `nowS` (the centre's clock, Unix seconds). Returns null when good, else why not.
 */
export function verifyCommentToken(read: ReadToken, publicKey: string, nowS: number): string | null {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
  } catch {
    return 'the device has no usable key';
  }
  if (!verify(null, Buffer.from(read.body), key, read.signature)) return 'token signature does not verify';
  if (read.claim.t > nowS + COMMENT_TOKEN_FUTURE_S) return 'token is dated in the future';
  if (read.claim.t + COMMENT_TOKEN_TTL_S < nowS) return 'token has expired';
  return null;
}
