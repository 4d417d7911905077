import { type KeyObject, sign, verify } from 'node:crypto';
import { RELEASE_SIGNATURE_DOMAIN, RELEASE_SIGNATURE_MARKER, RELEASE_TRAILER_BYTES } from '@onestop/protocol';

/** What is signed: the domain, then the archive's SHA-256 (protocol/src/release.ts). */
function signedMessage(archiveSha256: Buffer): Buffer {
  return Buffer.concat([Buffer.from(RELEASE_SIGNATURE_DOMAIN, 'utf8'), archiveSha256]);
}

export function signatureTrailer(archiveSha256: Buffer, key: KeyObject): Buffer {
  const signature = sign(null, signedMessage(archiveSha256), key).toString('base64');
  const trailer = Buffer.from(`${RELEASE_SIGNATURE_MARKER}${signature}\n`, 'utf8');
  if (trailer.length !== RELEASE_TRAILER_BYTES) throw new Error('unexpected signature length');
  return trailer;
}

/** The signature in a trailer, or a one-line reason it is not one. */
export function parseTrailer(trailer: Buffer): { signature: Buffer } | { reason: string } {
  const text = trailer.toString('latin1');
  if (
    trailer.length !== RELEASE_TRAILER_BYTES ||
    !text.startsWith(RELEASE_SIGNATURE_MARKER) ||
    !text.endsWith('\n')
  )
    return { reason: 'no release signature at the end of the file' };
  const b64 = text.slice(RELEASE_SIGNATURE_MARKER.length, -1);
  const signature = Buffer.from(b64, 'base64');
  // Buffer.from ignores characters outside base64: re-encoding must give the same text.
  if (signature.length !== 64 || signature.toString('base64') !== b64)
    return { reason: 'the signature is malformed' };
  return { signature };
}

export function findSigner(
  archiveSha256: Buffer,
  signature: Buffer,
  keys: readonly KeyObject[],
): KeyObject | undefined {
  const message = signedMessage(archiveSha256);
  return keys.find((k) => verify(null, message, k, signature));
}
