import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from '@onestop/firmware-config';
import { commentPublicKeyOf, newCommentKey } from '@onestop/protocol';
import type { Logger } from 'pino';

/** The device's comment-signing key (protocol comment-token.ts), kept beside its outbox. */
export interface CommentKey {
  privatePem: string;
  /** Announced in the birth, so the centre can verify what this device signs. */
  publicKey: string;
}

export const COMMENT_KEY_FILE = 'comment-key.pem';

/**
 * The key in `<dataDir>/comment-key.pem`, made on first use with mode 0600. It stays across
 * restarts and updates, so the QR codes of the last week keep verifying; only a missing or damaged
 * file makes a new key (and only the codes signed before that stop working). A key that cannot be
 * read or written for any other reason (permissions, a full disk) leaves the counter without
 * comment codes (null), never without ratings: the agent starts either way.
 */
export function loadCommentKey(dataDir: string, logger: Logger): CommentKey | null {
  const path = join(dataDir, COMMENT_KEY_FILE);
  let pem: string | null = null;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      logger.error({ path, err: (e as Error).message }, 'comment key unreadable: no comment codes this run');
      return null;
    }
  }
  if (pem !== null) {
    try {
      const key = { privatePem: pem, publicKey: commentPublicKeyOf(pem) };
      chmodSync(path, 0o600); // a restored backup may have widened it
      return key;
    } catch (e) {
      logger.error({ path, err: (e as Error).message }, 'comment key damaged: making a new one');
    }
  }
  try {
    const key = newCommentKey();
    // Written beside, synced, renamed over: a power cut leaves the old file or the new, whole.
    writePrivateFile(path, key.privatePem);
    return key;
  } catch (e) {
    logger.error(
      { path, err: (e as Error).message },
      'comment key cannot be written: no comment codes this run',
    );
    return null;
  }
}
