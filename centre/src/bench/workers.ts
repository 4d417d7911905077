import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { WorkerReport, WorkerTask } from './worker.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

/** The load-generator processes of one bench phase, and their reports in order. */
export class Workers {
  private readonly procs: ChildProcess[] = [];
  private readonly inbox: WorkerReport[][] = [];
  private readonly waiters: Array<(() => void) | null> = [];

  constructor(tasks: WorkerTask[]) {
    tasks.forEach((task, i) => {
      const p = fork(WORKER, [], { execArgv: ['--conditions=source', '--import', 'tsx'], stdio: 'inherit' });
      this.inbox[i] = [];
      p.on('exit', (code) => {
        if (code) {
          console.error(`bench worker ${i} failed (exit ${code}); giving up`);
          process.exit(1);
        }
      });
      p.on('message', (m: WorkerReport) => {
        this.inbox[i]?.push(m);
        this.waiters[i]?.();
      });
      p.send(task);
      this.procs.push(p);
    });
  }

  /** The next report of each worker. */
  async next<K extends WorkerReport['kind']>(kind: K): Promise<Extract<WorkerReport, { kind: K }>[]> {
    return Promise.all(
      this.procs.map(async (_p, i) => {
        while (this.inbox[i]?.length === 0) await new Promise<void>((r) => (this.waiters[i] = r));
        const m = this.inbox[i]?.shift();
        if (m?.kind !== kind) throw new Error(`worker ${i}: expected ${kind}, got ${m?.kind}`);
        return m as Extract<WorkerReport, { kind: K }>;
      }),
    );
  }

  go(): void {
    for (const p of this.procs) p.send('go');
  }

  async exit(): Promise<void> {
    await Promise.all(
      this.procs.map((p) => (p.exitCode !== null ? null : new Promise((r) => p.once('exit', r)))),
    );
  }

  kill(): void {
    for (const p of this.procs) if (p.exitCode === null) p.kill('SIGKILL');
  }
}
