import type { GroupCommit } from './group-commit.js';

/** FNV-1a: a cheap, stable spread of keys over lanes. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Several group commits running side by side (PostgreSQL has the connections for it), with every
 * key (the ingest's: a unit, so every counter and device in it) pinned to one lane: one device's
 * events are still committed in order, so a sign-out is never committed beside the sign-in it
 * closes in a transaction that cannot see it, and a unit's locks and roll-up rows are never
 * wanted by two lanes at once.
 */
export class CommitLanes<T> {
  constructor(
    private readonly lanes: GroupCommit<T>[],
    private readonly keyOf: (item: T) => string,
  ) {}

  get size(): number {
    return this.lanes.reduce((n, l) => n + l.size, 0);
  }

  push(item: T): void {
    const lane =
      this.lanes.length === 1 ? this.lanes[0] : this.lanes[hash(this.keyOf(item)) % this.lanes.length];
    lane?.push(item);
  }

  async whenBelow(level: number): Promise<void> {
    const each = Math.ceil(level / this.lanes.length);
    await Promise.all(this.lanes.map((l) => l.whenBelow(each)));
  }

  async flush(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.flush()));
  }

  stop(): void {
    for (const l of this.lanes) l.stop();
  }
}
