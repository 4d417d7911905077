import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

/** A release signing key pair as PEM text: the private half stays with whoever publishes. */
export interface ReleaseKeyPair {
  publicPem: string;
  privatePem: string;
}

export function generateReleaseKeyPair(): ReleaseKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** Throws with a one-line reason when the text is not an Ed25519 private key. */
export function releasePrivateKey(pem: string): KeyObject {
  const key = createPrivateKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`not an Ed25519 key (${key.asymmetricKeyType})`);
  return key;
}

/** Throws with a one-line reason when the text is not an Ed25519 public key. */
export function releasePublicKey(pem: string): KeyObject {
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`not an Ed25519 key (${key.asymmetricKeyType})`);
  return key;
}

/** The key's short name: defined once in the protocol (the centre's store names keys with it). */
export { releaseKeyId } from '@onestop/protocol';
