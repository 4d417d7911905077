import { randomBytes } from 'node:crypto';

/** A new board's or a rotated password's credentials, between the POST and the page that shows them. */
export interface Handover {
  action: 'replace' | 'rotate';
  deviceId: string;
  unitId: string;
  counterId: string;
  username: string;
  password: string;
  /** Set after a replace: the board that now drains. */
  replaced?: string | undefined;
  drainUntil?: string | undefined;
}

/** Long enough to follow a redirect on a slow link; short enough that a forgotten tab holds nothing. */
export const HANDOVER_TTL_MS = 10 * 60_000;
/** A handful are ever pending; the bound only stops a loop of posts from growing memory. */
const MAX_PENDING = 1_000;

/**
 * Hands a password from the POST that made it to the one GET that shows it (POST-redirect-GET):
 * never in a URL (logs, history), shown once, to the person who asked only, then forgotten.
 * In memory: a dashboard restart loses a pending one, and the password is then issued again.
 */
export class OneTimeHandover {
  private readonly pending = new Map<string, { owner: string; value: Handover; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  put(owner: string, value: Handover): string {
    const now = this.now();
    for (const [k, v] of this.pending) if (v.expiresAt <= now) this.pending.delete(k);
    if (this.pending.size >= MAX_PENDING) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
    }
    const token = randomBytes(18).toString('base64url');
    this.pending.set(token, { owner, value, expiresAt: now + HANDOVER_TTL_MS });
    return token;
  }

  /** The credentials, once, if `owner` put them there and they have not expired. */
  take(owner: string, token: string): Handover | null {
    const entry = this.pending.get(token);
    if (!entry || entry.owner !== owner) return null;
    this.pending.delete(token);
    return entry.expiresAt > this.now() ? entry.value : null;
  }
}
