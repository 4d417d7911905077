import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The built command, as operators run it (`npm run build` first): no TypeScript to compile at each restart. */
const ONESTOP_BIN = fileURLToPath(new URL('../../cli/bin/onestop.js', import.meta.url));
const TICKS_PER_S = 100; // USER_HZ on Linux

/** A TypeScript entry run from its sources, as `bench:ingest` runs its workers (no build needed). */
export function spawnTs(
  file: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  ipc = false,
  /** A command that runs it, e.g. `ip netns exec NAME` (the pid stays the node process's: it execs). */
  wrap: readonly string[] = [],
): ChildProcess {
  const argv = [process.execPath, '--conditions=source', '--import', 'tsx', file, ...args];
  const [cmd, ...rest] = [...wrap, ...argv];
  return spawn(cmd!, rest, {
    cwd: ROOT,
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...env },
    stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
}

/** CPU time (µs, user + system) a live process has used; null once it is gone. */
export function cpuUs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) / TICKS_PER_S) * 1e6;
  } catch {
    return null;
  }
}

/** Resident memory (MB) of a live process; null once it is gone. */
export function rssMb(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** How a sampler reads a process: by default the process alone. */
export interface ProcessReader {
  cpuUs(pid: number): number | null;
  rssMb(pid: number): number | null;
}

/** A process's CPU and memory, sampled; CPU adds up across restarts (each life's last sample). */
export class Sampler {
  constructor(private readonly read: ProcessReader = { cpuUs, rssMb }) {}
  private done = 0;
  private current = 0;
  maxRssMb = 0;
  readonly rss: Array<[number, number]> = [];
  /** Where in `rss` the current process's life began (a restart starts memory afresh). */
  lifeStart = 0;
  track(pid: number): void {
    this.done += this.current;
    this.current = 0;
    this.pid = pid;
    this.lifeStart = this.rss.length;
  }
  private pid = 0;
  sample(now: number): void {
    const c = this.read.cpuUs(this.pid);
    if (c !== null) this.current = c;
    const r = this.read.rssMb(this.pid);
    if (r !== null) {
      this.maxRssMb = Math.max(this.maxRssMb, r);
      this.rss.push([now, Math.round(r)]);
    }
  }
  private base = 0;
  /** From here on: start-up (PGlite open, migrations) is not the day's work. */
  mark(): void {
    this.sample(Date.now());
    this.base = this.done + this.current;
  }
  cpuUs(): number {
    return this.done + this.current - this.base;
  }
}

/** What the run reads of the centre it times: the dashboard's address and the tail of its log. */
export interface Centre {
  dashboardUrl: string;
  /** The tail of what it wrote to stderr (warnings and errors). */
  errors(): string;
}

export interface Serve extends Centre {
  child: ChildProcess;
  signInLink: string | null;
  exited: Promise<number | null>;
}

/**
 * `onestop serve` (PGlite, broker, ingest, dashboard in one process) from its sources on fixed ports,
 * listening on `host`: 127.0.0.1, or the partition's address on the loopback interface.
 */
export function startServe(
  dataDir: string,
  mqttPort: number,
  httpPort: number,
  host = '127.0.0.1',
): Promise<Serve> {
  const args = ['--data', dataDir, '--mqtt-port', String(mqttPort), '--http-port', String(httpPort)];
  const child = spawn(process.execPath, [ONESTOP_BIN, 'serve', ...args, '--host', host], {
    cwd: ROOT,
    env: { ...process.env, NODE_NO_WARNINGS: '1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    err = (err + d).slice(-20_000);
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not become ready: ${err.slice(-3000)}`));
    }, 180_000);
    const check = () => {
      const m = /dashboard (http:\/\/\S+) · mqtt/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout?.off('data', check);
      resolve({
        child,
        dashboardUrl: m[1]!,
        signInLink: /sign in \(one-time link, 15 min\): (\S+)/.exec(out)?.[1] ?? null,
        exited,
        errors: () => err,
      });
    };
    child.stdout?.on('data', check);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before it was ready: ${err.slice(-3000)}`));
    });
  });
}
