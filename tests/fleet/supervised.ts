import type { ChildProcess } from 'node:child_process';

/** A centre process exiting during the day when nobody asked it to: each one fails the run. */
export interface ServerCrash {
  /** `serve`, or the part of the split deployment (`broker-a`, `ingest`, …). */
  process: string;
  at: string;
  /** Simulated time of day; null when it fell before the day began. */
  simAt: string | null;
  code: number | null;
  signal: string | null;
  /** The last lines it wrote (its error output, or its log file). */
  stderr: string;
}

/** One life of a supervised process: started, and ready to be used. */
export interface Life {
  child: ChildProcess;
  exited: Promise<unknown>;
}

export interface SupervisedOptions<L extends Life> {
  /** Starts a new life and resolves once it is ready (as its health check says). */
  start: () => Promise<L>;
  /** The end of what a life wrote, read after it exited. */
  lastWords: (life: L) => string;
  /** Told of each crash, before the restart. */
  crashed: (crash: Omit<ServerCrash, 'simAt'>) => void;
  /** Told when a restart after a crash failed (the run goes on without it). */
  restartFailed?: (err: Error) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One server process supervised as in production (systemd's `Restart=on-failure`): an exit nobody
 * asked for is recorded as a crash with its last words, then a new life is started. A fault's kill
 * and the run's own stop are exits asked for. Never two lives at once: a restart under way is
 * awaited by whatever kills or stops next.
 */
export class Supervised<L extends Life> {
  /** False from an exit until the next life is ready. */
  up = true;
  private restarting: Promise<void> | null = null;
  private stopped = false;

  constructor(
    readonly name: string,
    public life: L,
    private readonly o: SupervisedOptions<L>,
  ) {
    this.watch(life);
  }

  /** Kills the current life on purpose (a fault): no crash. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    // A restart after a crash ends first (failed or not): the kill is for the newest life.
    await this.restarting?.catch(() => {});
    this.up = false;
    this.life.child.kill(signal);
    await this.life.exited;
  }

  /** Starts the next life (after `kill`); joins a restart already under way (after a crash). */
  restart(): Promise<void> {
    this.restarting ??= this.startNext().finally(() => {
      this.restarting = null;
    });
    return this.restarting;
  }

  /** The run gave up (it failed): whatever kills the processes now, nothing is restarted. */
  abandon(): void {
    this.stopped = true;
  }

  private async startNext(): Promise<void> {
    const life = await this.o.start();
    this.life = life;
    this.up = true;
    this.watch(life);
  }

  /**
   * The run's own end: from here every exit is asked for. A restart under way ends first; then
   * `signal`, and SIGKILL if the life is still there after `graceMs`.
   */
  async stop(signal: NodeJS.Signals, graceMs: number): Promise<void> {
    this.stopped = true;
    await Promise.resolve(this.restarting).catch(() => {});
    const { child, exited } = this.life;
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    await Promise.race([exited, sleep(graceMs)]);
    child.kill('SIGKILL');
    await exited;
  }

  private watch(life: L): void {
    void life.exited.then(() => {
      if (life !== this.life || !this.up || this.stopped) return;
      this.up = false;
      // Claimed at once, before anything runs (hence the resolved promise): a fault's kill or
      // restart meanwhile, even from the `crashed` callback, waits for this one.
      this.restarting = Promise.resolve()
        .then(async () => {
          // The stack trace is in the last lines, which may still be on their way through a pipe.
          const err = life.child.stderr;
          if (err && !err.readableEnded)
            await Promise.race([new Promise((r) => err.once('end', r)), sleep(2_000)]);
          this.o.crashed({
            process: this.name,
            at: new Date().toISOString(),
            code: life.child.exitCode,
            signal: life.child.signalCode,
            stderr: this.o.lastWords(life).split('\n').slice(-30).join('\n'),
          });
          if (!this.stopped) await this.startNext();
        })
        .finally(() => {
          this.restarting = null;
        });
      this.restarting.catch((e: Error) =>
        (this.o.restartFailed ?? (() => {}))(new Error(`${this.name} did not restart: ${e.message}`)),
      );
    });
  }
}
