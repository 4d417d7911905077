import { type Database, putHandover, takeHandover } from '@onestop/store';
import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { z } from 'zod';
import { SESSION_COOKIE } from '../auth/access.js';

/** What the page after an action says: which action, on whom, and a sign-in link to hand over. */
export interface Flash {
  done: 'added' | 'link' | 'disabled' | 'enabled';
  username: string;
  /** The one-time sign-in link (added, link): shown once, then gone from the server too. */
  link?: { url: string; validMinutes: number };
}

/** What comes back out of the database is checked like any input before a page shows it. */
const FlashShape: z.ZodType<Flash> = z.strictObject({
  done: z.enum(['added', 'link', 'disabled', 'enabled']),
  username: z.string().max(200),
  link: z.strictObject({ url: z.string().max(2_000), validMinutes: z.number() }).optional(),
});

/**
 * After an action the browser is redirected (POST-redirect-GET) and the next page says what was
 * done. A sign-in link must not travel in that redirect's URL (history, proxy logs, Referer), nor
 * in a cookie: it waits in the database for the asker's own session (the store's handovers:
 * sealed under that session's secret, read once, expiring with the link), so that a dashboard
 * restart or another dashboard process still shows it. Never logged.
 */
export class FlashBox {
  constructor(private readonly db: Database) {}

  async put(c: Context, flash: Flash): Promise<void> {
    const sessionToken = sessionSecret(c);
    if (!sessionToken) return;
    const ttlMs = flash.link ? flash.link.validMinutes * 60_000 : undefined;
    await putHandover(this.db, {
      sessionToken,
      target: flash.username,
      secret: flash.link !== undefined,
      payload: flash,
      ttlMs,
    });
  }

  /** The waiting message of this session, removed as it is read. */
  async take(c: Context, actor: string): Promise<Flash | undefined> {
    const sessionToken = sessionSecret(c);
    if (!sessionToken) return undefined;
    const parsed = FlashShape.safeParse(await takeHandover(this.db, sessionToken, actor));
    return parsed.success ? parsed.data : undefined;
  }
}

/** The session cookie (or bearer token) asking: the store keys and seals by it, storing neither. */
function sessionSecret(c: Context): string | null {
  const bearer = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
  return bearer ?? getCookie(c, SESSION_COOKIE) ?? null;
}
