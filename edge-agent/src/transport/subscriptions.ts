import type { Logger } from 'pino';
import type { Transport } from './transport.js';

/** Waits between attempts on one connection; the last one repeats. */
export const SUBSCRIBE_RETRY_MS: readonly number[] = [1_000, 2_000, 5_000, 10_000, 30_000];

/**
 * Subscribes on every (re)connect and keeps trying until the broker grants every filter. A device
 * connected but not subscribed is deaf: it never hears `ack` (so its outbox never drains),
 * `config` or commands. Only once subscribed is the connection announced as ready.
 */
export class Subscriptions {
  /** Bumped on every connect, disconnect and stop: a retry from an older connection is dropped. */
  private generation = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Logged once until granted again: a centre without the topic refuses it on every connect. */
  private optionalRefused = false;

  constructor(
    private readonly transport: Transport,
    private readonly topics: () => readonly string[],
    /**
     * Asked for after `topics` on every connect, and not waited for: a refusal (a broker that does
     * not know the topic yet) is logged once and the connection is ready all the same.
     */
    private readonly optional: readonly string[],
    private readonly logger: Logger,
    private readonly ready: (resumed: boolean) => void,
    private readonly retryMs: readonly number[] = SUBSCRIBE_RETRY_MS,
  ) {}

  onConnect(resumed: boolean): void {
    this.cancel();
    void this.attempt(this.generation, resumed, 0);
  }

  onDisconnect(): void {
    this.cancel();
  }

  stop(): void {
    this.cancel();
  }

  private cancel(): void {
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async attempt(gen: number, resumed: boolean, n: number): Promise<void> {
    try {
      await this.transport.subscribe(this.topics());
    } catch (e) {
      if (gen !== this.generation) return;
      const delay = this.retryMs[Math.min(n, this.retryMs.length - 1)] ?? 30_000;
      this.logger.error({ err: (e as Error).message, retryInMs: delay }, 'subscribe failed; retrying');
      this.timer = setTimeout(() => {
        this.timer = null;
        if (gen === this.generation && this.transport.connected) void this.attempt(gen, resumed, n + 1);
      }, delay);
      this.timer.unref();
      return;
    }
    if (gen !== this.generation) return;
    if (this.optional.length > 0) {
      this.transport.subscribe(this.optional).then(
        () => {
          this.optionalRefused = false;
        },
        (e: unknown) => {
          if (this.optionalRefused) return;
          this.optionalRefused = true;
          this.logger.warn(
            { err: (e as Error).message },
            'optional subscription not granted; working without it',
          );
        },
      );
    }
    this.ready(resumed);
  }
}
