import type Database from 'better-sqlite3';

/**
 * When a commit waits for the disk. The outbox runs at `synchronous = FULL` (WAL): `append`
 * returns only once its row is on the disk, so a rating shown as recorded survives a power cut.
 * Some writes are only ever lost into a harmless repeat, and those skip the flush
 * (`synchronous = NORMAL`: still atomic, and made durable by the next flushed commit, which
 * flushes the WAL they sit in):
 * - deleting acknowledged events: a delete lost in a power cut sends them again, and the centre
 *   answers a repeat as a duplicate;
 * - releasing a hold: a restart releases every hold but the one its screen still shows, and a
 *   hold whose time is over is released by the next read.
 * A flush is the slowest thing an agent does (milliseconds on an SD card, which it also wears):
 * one per event instead of two or three. In the fleet bench, where 125 agents share one event
 * loop, the flushes of the others were what an ack waited behind.
 */
export class DiskSync {
  constructor(private readonly db: Database.Database) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
  }

  /**
   * Runs `write` (one statement or one transaction) without waiting for the disk. The pragma is
   * set anew each time: a prepared `PRAGMA synchronous` takes effect when it is compiled, not
   * when it is run, so two kept statements leave whichever was prepared last in force.
   */
  unflushed<T>(write: () => T): T {
    // Inside a transaction SQLite refuses to change the level, and that transaction's own commit
    // decides whether it is flushed.
    if (this.db.inTransaction) return write();
    this.db.pragma('synchronous = NORMAL');
    try {
      return write();
    } finally {
      this.db.pragma('synchronous = FULL');
    }
  }
}
