/**
 * Counts attempts per key in a sliding window (failed sign-ins per address and per account,
 * comments per address). In memory: a restart forgets, which only ever favours the user, and
 * each dashboard process guards its own door.
 */
export class AttemptWindow {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Milliseconds until `key` may try again, or 0 if it may now. */
  retryAfter(key: string, now = Date.now()): number {
    const recent = this.prune(key, now);
    if (recent.length < this.limit) return 0;
    return recent[0]! + this.windowMs - now;
  }

  /** Attempts by `key` still inside the window. */
  attempts(key: string, now = Date.now()): number {
    return this.prune(key, now).length;
  }

  record(key: string, now = Date.now()): void {
    const recent = this.prune(key, now);
    recent.push(now);
    this.hits.set(key, recent);
    // An attacker cycling through addresses must not grow memory without bound: drop the
    // oldest keys (Map keeps insertion order).
    while (this.hits.size > this.maxKeys) this.hits.delete(this.hits.keys().next().value!);
  }

  /** Takes back the latest attempt (it turned out to be a success). */
  undo(key: string): void {
    const recent = this.hits.get(key);
    recent?.pop();
    if (recent?.length === 0) this.hits.delete(key);
  }

  clear(key: string): void {
    this.hits.delete(key);
  }

  private prune(key: string, now: number): number[] {
    const recent = (this.hits.get(key) ?? []).filter((t) => now - t < this.windowMs);
    if (recent.length === 0) this.hits.delete(key);
    return recent;
  }
}
