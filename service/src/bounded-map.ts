/**
 * A map of per-key state that an attacker controls the keys of (addresses, usernames, refusal
 * reasons): it never holds more than `maxKeys`. Entries are kept in the order they were last
 * written, so when the map is full a sweep from the front drops the expired ones, and then, if
 * still full, the least recently written. Memory stays bounded; the price of a flood is that an
 * old key may be forgotten early, never an unbounded map.
 */
export class BoundedMap<V> {
  private readonly entries = new Map<string, V>();

  constructor(
    private readonly maxKeys: number,
    private readonly expired: (value: V, now: number) => boolean,
  ) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  /** Writes `value` as the newest entry (re-inserted, so the front stays the oldest write). */
  set(key: string, value: V, now: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxKeys) this.sweep(now);
    this.entries.set(key, value);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }

  private sweep(now: number): void {
    for (const [k, v] of this.entries) {
      if (!this.expired(v, now) && this.entries.size < this.maxKeys) break;
      this.entries.delete(k);
    }
  }
}
