import type { Logger } from 'pino';

/** A part that did not start; the message names it, `cause` is the original error. */
export class StartError extends Error {
  constructor(
    readonly part: string,
    cause: unknown,
  ) {
    super(`could not start the ${part}: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'StartError';
  }
}

/**
 * The one place that knows how a process made of parts starts and stops: parts start in the
 * order they are added and stop in reverse (the ingest commits what it read before the database
 * closes; simulated counters say goodbye while the broker is up). If a part fails to start, the
 * ones already started are stopped and a `StartError` naming the part goes up. Every stop is
 * attempted whatever the others did (a failing stop is logged), and `stop()` runs once.
 */
export class Lifecycle {
  private readonly started: Array<{ part: string; stop: () => Promise<void> }> = [];
  private stopping: Promise<void> | null = null;

  constructor(private readonly logger?: Logger) {}

  /**
   * Starts a part and registers how to stop it. A `StartError` from a nested lifecycle goes up
   * as it is: the inner part's name says more than the outer one.
   */
  async start<T>(
    part: string,
    start: () => Promise<T>,
    stop: (value: T) => Promise<void> | void,
  ): Promise<T> {
    if (this.stopping) throw new StartError(part, new Error('the process is stopping'));
    let value: T;
    try {
      value = await start();
    } catch (err) {
      await this.stop();
      throw err instanceof StartError ? err : new StartError(part, err);
    }
    this.started.push({ part, stop: async () => stop(value) });
    return value;
  }

  /** Registers a stop for something started outside `start` (e.g. already running). */
  onStop(part: string, stop: () => Promise<void> | void): void {
    this.started.push({ part, stop: async () => stop() });
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const { part, stop } of this.started.splice(0).reverse()) {
        try {
          await stop();
        } catch (err) {
          this.logger?.warn({ err, part }, 'error while stopping');
        }
      }
    })();
    return this.stopping;
  }
}
