export interface RateLimit {
  /** Sustained messages per second per device, and the burst allowed on top (outbox replay). */
  perSecond: number;
  burst: number;
  /** Sustained payload bytes per second per device, and the burst on top (default 64 KiB/s, 4 MiB). */
  bytesPerSecond?: number;
  burstBytes?: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = {
  perSecond: 50,
  burst: 2_000,
  bytesPerSecond: 64 * 1024,
  burstBytes: 4 * 1024 * 1024,
};

/** A token bucket refilled lazily on each take, so that an idle device costs nothing. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private readonly perSecond: number;
  private readonly burst: number;
  constructor(rate: { perSecond: number; burst: number }, now = Date.now()) {
    this.perSecond = rate.perSecond;
    this.burst = rate.burst;
    this.tokens = rate.burst;
    this.last = now;
  }

  /** Takes `cost` tokens if there are that many; a refused take spends nothing. */
  take(now = Date.now(), cost = 1): boolean {
    this.refill(now);
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /** Gives back what a take spent (the other budget refused the same message). */
  refund(cost: number): void {
    this.tokens = Math.min(this.burst, this.tokens + cost);
  }

  /** True when the bucket would be full by `now`: forgetting it then changes nothing. */
  fullAt(now: number): boolean {
    return this.tokens + ((now - this.last) / 1000) * this.perSecond >= this.burst;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.perSecond);
    this.last = now;
  }
}

export type BudgetVerdict = { ok: true } | { ok: false; detail: string };

/**
 * Message and byte budgets per device ID, not per connection: a device that reconnects keeps the
 * budget it had spent, so reconnecting is no way around the limit (a per-client bucket started
 * full on every CONNECT). Entries that have refilled completely are dropped by a sweep every
 * `sweepMs`, so memory follows the devices active recently, not every device ever seen.
 */
export class DeviceBudgets {
  private readonly budgets = new Map<string, { messages: TokenBucket; bytes: TokenBucket }>();
  private lastSweep: number;
  private readonly bytesPerSecond: number;
  private readonly burstBytes: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly sweepMs = 60_000,
    now = Date.now(),
  ) {
    this.bytesPerSecond = limit.bytesPerSecond ?? (DEFAULT_RATE_LIMIT.bytesPerSecond as number);
    this.burstBytes = limit.burstBytes ?? (DEFAULT_RATE_LIMIT.burstBytes as number);
    this.lastSweep = now;
  }

  /** Spends one message and `bytes` payload bytes of `deviceId`'s budget, or refuses (spending nothing). */
  spend(deviceId: string, bytes: number, now = Date.now()): BudgetVerdict {
    if (now - this.lastSweep >= this.sweepMs) this.sweep(now);
    let b = this.budgets.get(deviceId);
    if (!b) {
      b = {
        messages: new TokenBucket(this.limit, now),
        bytes: new TokenBucket({ perSecond: this.bytesPerSecond, burst: this.burstBytes }, now),
      };
      this.budgets.set(deviceId, b);
    }
    // A refused message costs neither budget: the device is not punished twice for one burst.
    if (!b.messages.take(now)) return { ok: false, detail: `over ${this.limit.perSecond} messages/s` };
    if (!b.bytes.take(now, bytes)) {
      b.messages.refund(1);
      return { ok: false, detail: `over ${this.bytesPerSecond} bytes/s` };
    }
    return { ok: true };
  }

  /** Devices with a budget in memory (for tests and the curious). */
  get size(): number {
    return this.budgets.size;
  }

  sweep(now = Date.now()): void {
    this.lastSweep = now;
    for (const [id, b] of this.budgets)
      if (b.messages.fullAt(now) && b.bytes.fullAt(now)) this.budgets.delete(id);
  }
}
