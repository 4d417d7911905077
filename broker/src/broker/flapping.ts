import { BoundedMap } from '@onestop/service';

export interface FlappingLimit {
  /** Connects allowed within `windowMs`; one more starts a ban of `banMs`. */
  maxConnects: number;
  windowMs: number;
  banMs: number;
}

export interface FlappingLimits {
  /**
   * Successful logins per device (EMQX's flapping detection): a device that keeps connecting,
   * such as two boards set up with the same ID and taking the session from each other, is
   * refused for a while and a technician sees why in the log. Only successes count, so nobody
   * without the device's password can get it banned.
   */
  perDevice: FlappingLimit;
  /** TCP/TLS/WebSocket connections per source address, counted before a byte is read. */
  perAddress: FlappingLimit;
}

export const DEFAULT_FLAPPING_LIMITS: FlappingLimits = {
  perDevice: { maxConnects: 15, windowMs: 60_000, banMs: 5 * 60_000 },
  // A ward's counters share one NAT address and all come back at once after an outage.
  perAddress: { maxConnects: 600, windowMs: 60_000, banMs: 60_000 },
};

export type FlapVerdict = { banned: false } | { banned: true; justNow: boolean; untilMs: number };

/** Connects per key in fixed windows, and bans that expire; bounded (`BoundedMap`). */
export class FlapDetector {
  private readonly seen: BoundedMap<{ count: number; windowEnd: number; bannedUntil: number }>;

  constructor(
    private readonly limit: FlappingLimit,
    maxKeys = 100_000,
  ) {
    this.seen = new BoundedMap(maxKeys, (e, now) => e.windowEnd <= now && e.bannedUntil <= now);
  }

  /** Whether `key` is banned now, without counting anything (checked before any work). */
  banned(key: string, now = Date.now()): boolean {
    return (this.seen.get(key)?.bannedUntil ?? 0) > now;
  }

  /** Counts one connect of `key`; says whether it is banned, and whether this connect started it. */
  connect(key: string, now = Date.now()): FlapVerdict {
    let e = this.seen.get(key);
    if (e && e.bannedUntil > now) return { banned: true, justNow: false, untilMs: e.bannedUntil };
    if (!e || e.windowEnd <= now) {
      e = { count: 0, windowEnd: now + this.limit.windowMs, bannedUntil: 0 };
      this.seen.set(key, e, now);
    }
    e.count++;
    if (e.count <= this.limit.maxConnects) return { banned: false };
    // Counting starts afresh when the ban ends; re-written so a ban is the last to be forgotten.
    const ban = { count: 0, windowEnd: now + this.limit.banMs, bannedUntil: now + this.limit.banMs };
    this.seen.set(key, ban, now);
    return { banned: true, justNow: true, untilMs: ban.bannedUntil };
  }

  get size(): number {
    return this.seen.size;
  }
}
