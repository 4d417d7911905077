// Test support: what the agent's outbox does with the counter's rating effects (hold, amend,
// release), in memory, and what leaves the device. The real outbox is tested against the same
// rules in outbox/hold.test.ts; here it lets the property tests check "one rating per visit, the
// last level chosen" over random days without SQLite.
import type { EventBody } from '@onestop/protocol';
import type { CounterEffect } from './types.js';

type Rating = EventBody<'evt/rating'>;

export class OutboxModel {
  /** Ratings that left the device (sent), in order. */
  readonly sent: Rating[] = [];
  private readonly held = new Map<string, Rating>();

  constructor(private readonly fail: (msg: string) => void) {}

  apply(fx: CounterEffect): void {
    if (fx.type === 'emit' && fx.event.channel === 'evt/rating') {
      if (!fx.hold) this.sent.push(fx.event.body);
      else if (this.held.has(fx.hold.key)) this.fail(`a second held rating for ${fx.hold.key}`);
      else this.held.set(fx.hold.key, fx.event.body);
    } else if (fx.type === 'amend') {
      // The pure machine never asks to change what it already let go (the driver would refuse).
      if (!this.held.has(fx.key)) this.fail(`rating for ${fx.key} changed after its release`);
      else this.held.set(fx.key, fx.event.body);
    } else if (fx.type === 'release') {
      this.releaseKey(fx.key);
    }
  }

  /** A restart: every hold but `keep`'s is let go (CounterDriver's constructor does this). */
  releaseAllExcept(keep: string | null): void {
    for (const key of [...this.held.keys()]) if (key !== keep) this.releaseKey(key);
  }

  heldKeys(): string[] {
    return [...this.held.keys()];
  }

  private releaseKey(key: string): void {
    const r = this.held.get(key);
    if (!r) return; // a release of a rating whose append failed: nothing held, nothing to send
    this.held.delete(key);
    this.sent.push(r);
  }
}
