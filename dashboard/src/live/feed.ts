import { EventEmitter } from 'node:events';
import { type Database, type RatingRow, recentRatings } from '@onestop/store';
import type { Logger } from 'pino';

/**
 * Polls the store for newly stored ratings and fans them out to SSE clients. Polling the
 * database (not MQTT) means a rating is shown only once it is durably stored, and it works the
 * same when the dashboard runs in its own process against PostgreSQL.
 */
export class LiveRatingFeed {
  private readonly bus = new EventEmitter();
  private readonly seen = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private lastStored: Date;
  private polling = false;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly intervalMs = 1_000,
    /** Batches commit out of `server_ts` order; re-reading this window catches late ones. */
    private readonly overlapMs = 5_000,
  ) {
    this.lastStored = new Date();
    this.bus.setMaxListeners(0);
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.bus.removeAllListeners();
  }

  subscribe(listener: (rating: RatingRow) => void): () => void {
    this.bus.on('rating', listener);
    return () => this.bus.off('rating', listener);
  }

  async poll(): Promise<void> {
    if (this.polling) return;
    if (this.bus.listenerCount('rating') === 0) {
      // Nobody is watching: move the window along, so the first viewer after a quiet hour
      // gets ratings from now on, not a burst of (at most 500 of) everything since.
      this.lastStored = new Date();
      return;
    }
    this.polling = true;
    try {
      const since = new Date(this.lastStored.getTime() - this.overlapMs);
      const rows = await recentRatings(this.db, { limit: 500, storedSince: since });
      for (const row of rows.reverse()) {
        if (this.seen.has(row.eventId)) continue;
        this.seen.set(row.eventId, row.serverTs.getTime());
        if (row.serverTs > this.lastStored) this.lastStored = row.serverTs;
        this.bus.emit('rating', row);
      }
      const horizon = since.getTime() - this.overlapMs;
      for (const [id, t] of this.seen) if (t < horizon) this.seen.delete(id);
    } catch (err) {
      this.logger.warn({ err }, 'live feed poll failed');
    } finally {
      this.polling = false;
    }
  }
}
