import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { LRUCache } from 'lru-cache';
import { SESSION_COOKIE } from '../auth/access.js';

/** What the page after an action says: which action, on whom, and a sign-in link to hand over. */
export interface Flash {
  done: 'added' | 'link' | 'disabled' | 'enabled';
  username: string;
  /** The one-time sign-in link (added, link): shown once, then gone from the server too. */
  link?: { url: string; validMinutes: number };
}

/**
 * After an action the browser is redirected (POST-redirect-GET) and the next page says what was
 * done. A sign-in link must not travel in that redirect's URL (history, proxy logs, Referer), nor
 * in a cookie, so it waits here, in the dashboard's memory, under a hash of the asker's own session:
 * only that session reads it, once. Unread ones expire with the link's own lifetime at the
 * latest, and the box is bounded, so nobody can fill memory with them. Never logged.
 */
export class FlashBox {
  private readonly box: LRUCache<string, Flash>;

  constructor(ttlMs = 15 * 60_000, max = 500) {
    this.box = new LRUCache({ max, ttl: ttlMs });
  }

  put(c: Context, flash: Flash): void {
    const key = sessionKey(c);
    if (key) this.box.set(key, flash);
  }

  /** The waiting message of this session, removed as it is read. */
  take(c: Context): Flash | undefined {
    const key = sessionKey(c);
    if (!key) return undefined;
    const flash = this.box.get(key);
    this.box.delete(key);
    return flash;
  }
}

/** The session cookie (or bearer token) asking, hashed: the secret itself is never a map key. */
function sessionKey(c: Context): string | null {
  const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  const secret = bearer ?? getCookie(c, SESSION_COOKIE);
  return secret ? createHash('sha256').update(secret).digest('hex') : null;
}
