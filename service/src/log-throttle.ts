/**
 * A condition that repeats (a device sending the same bad message, a broker refusing us, a
 * database that keeps failing) is logged the first time and then at most once per interval per
 * key, with how many occurrences were kept quiet in between: an outage of a day is a few dozen
 * lines, not one per retry. Bounded: entries older than the interval are swept when the map is
 * full, and past `maxKeys` the oldest go first (then a key may log again early, which costs one
 * line, never memory).
 */
export class LogThrottle {
  private readonly last = new Map<string, { at: number; suppressed: number }>();
  constructor(
    private readonly intervalMs = 60_000,
    private readonly maxKeys = 10_000,
  ) {}

  /** How many were suppressed since the key's last line when this one should be logged, else null. */
  take(key = '', now = Date.now()): number | null {
    const prev = this.last.get(key);
    if (prev && now - prev.at < this.intervalMs) {
      prev.suppressed++;
      return null;
    }
    // Re-inserted so that Map order stays oldest line first.
    this.last.delete(key);
    if (this.last.size >= this.maxKeys) this.sweep(now);
    this.last.set(key, { at: now, suppressed: 0 });
    return prev?.suppressed ?? 0;
  }

  /** The condition ended: its next occurrence is logged at once. */
  reset(key = ''): void {
    this.last.delete(key);
  }

  get size(): number {
    return this.last.size;
  }

  /** Entries sit in the order they were logged, so the expired ones, and the oldest, are in front. */
  private sweep(now: number): void {
    for (const [k, v] of this.last) {
      if (now - v.at < this.intervalMs && this.last.size < this.maxKeys) break;
      this.last.delete(k);
    }
  }
}
