import { EventEmitter } from 'node:events';

/** One encoded camera frame (JPEG or PNG), held in memory only. */
export interface Frame {
  data: Buffer;
  /** Capture time, ms since epoch (simulated for non-realtime replays). */
  ts: number;
  seq: number;
}

export type SourceErrorReason =
  | 'binary_missing'
  | 'device_unavailable'
  | 'exited'
  | 'stalled'
  | 'read_failed'
  | 'no_images';

/** Why a source stopped producing frames; short enough for the telemetry `camera.error` field. */
export interface SourceError {
  reason: SourceErrorReason;
  message: string;
  at: number;
}

/**
 * An async iterator of frames. Iteration simply ends when the source fails; the failure is kept
 * in `lastError` and emitted as an `error` event *only if someone listens*, so a dead camera or a
 * missing binary can never crash the agent through an unhandled 'error' event.
 */
export interface FrameSource extends AsyncIterable<Frame> {
  readonly kind: string;
  readonly lastError: SourceError | null;
  /** Frames discarded because the consumer was slower than the camera. */
  readonly dropped: number;
  on(event: 'error', listener: (err: SourceError) => void): this;
  stop(): Promise<void>;
}

/**
 * Queue + iterator plumbing shared by all sources. Realtime sources drop the oldest queued frame
 * when the consumer lags (a stale frame is worth nothing); replays can wait for the consumer.
 */
export abstract class BaseFrameSource extends EventEmitter implements FrameSource {
  abstract readonly kind: string;
  lastError: SourceError | null = null;
  dropped = 0;
  protected stopped = false;
  private started = false;
  private ended = false;
  private seq = 0;
  private readonly queue: Frame[] = [];
  private wake: (() => void) | null = null;
  private space: (() => void) | null = null;

  constructor(private readonly maxQueued = 2) {
    super();
  }

  /** Starts producing; called on first iteration so an unused source holds no process or timer. */
  protected abstract start(): void;
  /** Releases the process/timers; called once by stop() or after a failure. */
  protected abstract teardown(): Promise<void>;

  /** Realtime push: never blocks, drops the oldest frame when full. */
  protected pushFrame(data: Buffer, ts = Date.now()): void {
    if (this.ended) return;
    if (this.queue.length >= this.maxQueued) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push({ data, ts, seq: this.seq++ });
    this.notify();
  }

  /** Replay push: waits until the consumer has room, so no frame is lost. */
  protected async pushFrameWait(data: Buffer, ts: number): Promise<void> {
    while (!this.ended && this.queue.length >= this.maxQueued) {
      await new Promise<void>((resolve) => {
        this.space = resolve;
      });
    }
    if (!this.ended) {
      this.queue.push({ data, ts, seq: this.seq++ });
      this.notify();
    }
  }

  protected fail(reason: SourceErrorReason, message: string): void {
    if (this.ended) return;
    this.lastError = { reason, message: message.slice(0, 200), at: Date.now() };
    if (this.listenerCount('error') > 0) this.emit('error', this.lastError);
    this.finish();
    void this.teardown();
  }

  /** Normal end of stream (replay exhausted, stop()). */
  protected finish(): void {
    this.ended = true;
    this.notify();
    this.space?.();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.finish();
    await this.teardown();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Frame> {
    if (!this.started) {
      this.started = true;
      this.start();
    }
    try {
      while (true) {
        const f = this.queue.shift();
        if (f) {
          const s = this.space;
          this.space = null;
          s?.();
          yield f;
          continue;
        }
        if (this.ended) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      // Leaving the loop early (break/throw) must not leave a camera process running.
      if (!this.ended) await this.stop();
    }
  }
}
