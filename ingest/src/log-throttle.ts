/**
 * A condition that repeats (a broker refusing us, a database that keeps failing) is logged the
 * first time and then at most once per interval, with how many occurrences were kept quiet in
 * between: an outage of a day is a few dozen lines, not one per retry.
 */
export class LogThrottle {
  private lastAt = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(private readonly intervalMs = 60_000) {}

  /** How many were suppressed since the last line when this one should be logged, else null. */
  take(now = Date.now()): number | null {
    if (now - this.lastAt < this.intervalMs) {
      this.suppressed++;
      return null;
    }
    const n = this.suppressed;
    this.lastAt = now;
    this.suppressed = 0;
    return n;
  }

  /** The condition ended: the next occurrence is logged at once. */
  reset(): void {
    this.lastAt = Number.NEGATIVE_INFINITY;
    this.suppressed = 0;
  }
}
