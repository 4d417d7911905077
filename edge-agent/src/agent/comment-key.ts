import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
 * restarts and updates, so the QR codes of the last week keep verifying; a board whose file is
 * lost or damaged makes a new key, and only its codes signed before that stop working.
 */
export function loadCommentKey(dataDir: string, logger: Logger): CommentKey {
  const path = join(dataDir, COMMENT_KEY_FILE);
  let pem: string | null = null;
  try {
    pem = readFileSync(path, 'utf8');
    return { privatePem: pem, publicKey: commentPublicKeyOf(pem) };
  } catch (e) {
    if (pem !== null || (e as NodeJS.ErrnoException).code !== 'ENOENT')
      logger.error({ path, err: (e as Error).message }, 'comment key unreadable: making a new one');
  }
  const key = newCommentKey();
  // Created with its final mode (a damaged file is removed first: an existing file keeps its own).
  rmSync(path, { force: true });
  writeFileSync(path, key.privatePem, { mode: 0o600, flag: 'wx' });
  return key;
}
