/**
 * CPU time of whole processes from /proc (Linux), for figures per message that hold across
 * processes: this one (all its threads, PGlite's included), the local Mosquitto, and the
 * PostgreSQL backends serving our connections. Elsewhere the readers return NaN.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Database } from '@onestop/store';
import { sql } from 'drizzle-orm';

/** Clock ticks per second of /proc's utime/stime (USER_HZ), from `getconf CLK_TCK`. */
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process (or, with `/task/<tid>`, one thread) in µs; NaN if unreadable. */
export function procCpuUs(path: string): number {
  try {
    const stat = readFileSync(`/proc/${path}/stat`, 'utf8');
    // Fields after the command name, which may hold spaces: utime and stime are fields 14 and 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1e6) / CLK_TCK;
  } catch {
    return Number.NaN;
  }
}

/** The first process whose command name (/proc/<pid>/comm) is `comm`, or null. */
export function findProcess(comm: string): number | null {
  let dirs: string[];
  try {
    dirs = readdirSync('/proc');
  } catch {
    return null;
  }
  for (const d of dirs) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === comm) return Number(d);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return null;
}

/**
 * CPU of the PostgreSQL backends of one database (the bench's throw-away one, so only our
 * connections) since `start()`: backends that appear later count from zero, ones that end take
 * their last reading with them.
 */
export class BackendCpu {
  private readonly last = new Map<number, number>();
  private readonly first = new Map<number, number>();

  constructor(
    private readonly db: Database,
    private readonly database: string,
  ) {}

  private async pids(): Promise<number[]> {
    const result = await this.db.execute(
      sql`select pid from pg_stat_activity where datname = ${this.database} and backend_type = 'client backend'`,
    );
    return (result as unknown as { rows: Array<{ pid: number }> }).rows.map((r) => Number(r.pid));
  }

  async start(): Promise<void> {
    for (const pid of await this.pids()) {
      const us = procCpuUs(String(pid));
      this.first.set(pid, us);
      this.last.set(pid, us);
    }
  }

  /** Reads the backends again (call now and then during a run, to catch ones that come and go). */
  async sample(): Promise<void> {
    for (const pid of await this.pids()) {
      const us = procCpuUs(String(pid));
      if (!this.first.has(pid)) this.first.set(pid, 0);
      if (Number.isFinite(us)) this.last.set(pid, us);
    }
  }

  /** µs of CPU used by the backends between `start()` and the last `sample()`. */
  usedUs(): number {
    let total = 0;
    for (const [pid, end] of this.last) total += end - (this.first.get(pid) ?? 0);
    return total;
  }
}
