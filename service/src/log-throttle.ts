import { BoundedMap } from './bounded-map.js';

/**
 * A condition that repeats (a device sending the same bad message, a broker refusing us, a
 * database that keeps failing) is logged the first time and then at most once per interval per
 * key, with how many occurrences were kept quiet in between: an outage of a day is a few dozen
 * lines, not one per retry. Bounded (`BoundedMap`): past `maxKeys` a key may log again early,
 * which costs one line, never memory.
 */
export class LogThrottle {
  private readonly last: BoundedMap<{ at: number; suppressed: number }>;

  constructor(
    private readonly intervalMs = 60_000,
    maxKeys = 10_000,
  ) {
    this.last = new BoundedMap(maxKeys, (e, now) => now - e.at >= intervalMs);
  }

  /** How many were suppressed since the key's last line when this one should be logged, else null. */
  take(key = '', now = Date.now()): number | null {
    const prev = this.last.get(key);
    if (prev && now - prev.at < this.intervalMs) {
      prev.suppressed++;
      return null;
    }
    this.last.set(key, { at: now, suppressed: 0 }, now);
    return prev?.suppressed ?? 0;
  }

  /** The condition ended: its next occurrence is logged at once. */
  reset(key = ''): void {
    this.last.delete(key);
  }

  get size(): number {
    return this.last.size;
  }
}
