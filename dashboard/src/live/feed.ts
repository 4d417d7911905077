import { EventEmitter } from 'node:events';
import { type Database, type Notifications, type RatingRow, recentRatings } from '@onestop/store';
import type { Logger } from 'pino';

/**
 * Fans newly stored ratings out to SSE clients. The ingest signals `events_stored` after each
 * committed batch; the feed then reads what is new from the database. Reading the database (not
 * MQTT) means a rating is shown only once it is durably stored, and it works the same when the
 * dashboard runs in its own process against PostgreSQL. Nothing runs while nothing is stored.
 */
export class LiveRatingFeed {
  private readonly bus = new EventEmitter();
  private readonly seen = new Map<string, number>();
  private unsubscribe: (() => void) | null = null;
  private lastStored: Date;
  private reading: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly store: { db: Database; notifications: Notifications },
    private readonly logger: Logger,
    /** Batches commit out of `server_ts` order; re-reading this window catches late ones. */
    private readonly overlapMs = 5_000,
  ) {
    this.lastStored = new Date();
    this.bus.setMaxListeners(0);
  }

  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.store.notifications.subscribe({
      on: { events_stored: () => this.catchUp() },
      // At start and after the listening connection came back: what was stored meanwhile.
      resync: () => this.catchUp(),
      onError: (err) => this.logger.warn({ err: err.message }, 'live feed signals'),
    });
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.bus.removeAllListeners();
  }

  /** Live streams open now (each page or client following the ratings). */
  get subscribers(): number {
    return this.bus.listenerCount('rating');
  }

  subscribe(listener: (rating: RatingRow) => void): () => void {
    this.bus.on('rating', listener);
    return () => this.bus.off('rating', listener);
  }

  /**
   * Reads ratings stored since the last read. One read at a time: a signal that arrives during
   * a read makes exactly one more read follow it, so no batch is left unread until the next.
   */
  catchUp(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      do {
        this.again = false;
        await this.read();
      } while (this.again);
    })().finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  private async read(): Promise<void> {
    if (this.bus.listenerCount('rating') === 0) {
      // Nobody is watching: move the window along, so the first viewer after a quiet hour
      // gets ratings from now on, not a burst of (at most 500 of) everything since.
      this.lastStored = new Date();
      return;
    }
    try {
      const since = new Date(this.lastStored.getTime() - this.overlapMs);
      const rows = await recentRatings(this.store.db, { limit: 500, storedSince: since });
      for (const row of rows.reverse()) {
        if (this.seen.has(row.eventId)) continue;
        this.seen.set(row.eventId, row.serverTs.getTime());
        if (row.serverTs > this.lastStored) this.lastStored = row.serverTs;
        this.bus.emit('rating', row);
      }
      const horizon = since.getTime() - this.overlapMs;
      for (const [id, t] of this.seen) if (t < horizon) this.seen.delete(id);
    } catch (err) {
      this.logger.warn({ err }, 'live feed read failed');
    }
  }
}
