/**
 * Group commit: items wait at most `maxDelayMs` (or until `maxBatch` are pending) and are
 * committed together; while one commit runs the next batch fills up, so under load batches grow
 * on their own and each transaction's fixed cost is shared. One commit runs at a time, which also
 * keeps PGlite (a single connection) happy. A failing commit is retried with backoff and its items
 * are never dropped.
 */
export class GroupCommit<T> {
  private pending: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private drainWaiters: Array<{ level: number; resolve: () => void }> = [];
  private stopped = false;

  constructor(
    private readonly commit: (batch: T[]) => Promise<void>,
    private readonly onError: (err: unknown, attempt: number) => void,
    private readonly maxBatch = 500,
    private readonly maxDelayMs = 10,
  ) {}

  get size(): number {
    return this.pending.length;
  }

  push(item: T): void {
    this.pending.push(item);
    if (this.running) return;
    if (this.pending.length >= this.maxBatch) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.maxDelayMs);
  }

  /** Resolves when the pending count falls to `level` or below (backpressure for the reader). */
  whenBelow(level: number): Promise<void> {
    if (this.pending.length <= level) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push({ level, resolve }));
  }

  /** Commits everything pending now, e.g. before a clean shutdown. */
  async flush(): Promise<void> {
    while (this.pending.length > 0 || this.running) {
      this.kick();
      await this.running;
    }
  }

  /** Stops retrying a failing commit (shutdown); what is pending is left to the devices' re-send. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const w of this.drainWaiters.splice(0)) w.resolve();
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.running || this.pending.length === 0) return;
    this.running = this.loop().finally(() => {
      this.running = null;
    });
  }

  private async loop(): Promise<void> {
    while (this.pending.length > 0) {
      // Let the event loop read what the sockets hold before taking a batch: on a busy process
      // (PGlite blocks the thread while it commits) batches grow and fewer acks go out per event.
      if (this.pending.length < this.maxBatch) await new Promise((r) => setImmediate(r));
      const batch = this.pending.splice(0, this.maxBatch);
      for (let attempt = 1; ; attempt++) {
        try {
          await this.commit(batch);
          break;
        } catch (err) {
          this.onError(err, attempt);
          if (this.stopped) return;
          await new Promise((r) => setTimeout(r, Math.min(5_000, 50 * 2 ** attempt)));
        }
      }
      this.release();
    }
  }

  private release(): void {
    const n = this.pending.length;
    const ready = this.drainWaiters.filter((w) => n <= w.level);
    if (ready.length === 0) return;
    this.drainWaiters = this.drainWaiters.filter((w) => n > w.level);
    for (const w of ready) w.resolve();
  }
}
