import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { type ServerCrash, Supervised } from './supervised.js';

/** A real process that says who it is, then lives `ms` (forever when null) and exits with `code`. */
function life(ms: number | null, code = 3) {
  const body =
    ms === null
      ? 'console.error("up"); setInterval(() => {}, 1e6)'
      : `console.error("up"); setTimeout(() => { console.error("about to fail"); process.exit(${code}) }, ${ms})`;
  const child = spawn(process.execPath, ['-e', body], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return { child, exited, err: () => err };
}

function supervise(first: ReturnType<typeof life>, next: () => ReturnType<typeof life>) {
  const crashes: Array<Omit<ServerCrash, 'simAt'>> = [];
  let starts = 0;
  const s = new Supervised('ingest', first, {
    start: async () => {
      starts++;
      return next();
    },
    lastWords: (l) => l.err(),
    crashed: (c) => crashes.push(c),
  });
  return { s, crashes, starts: () => starts };
}

const until = async (ok: () => boolean) => {
  const end = Date.now() + 10_000;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('a supervised centre process', () => {
  it('records an exit nobody asked for with its last words, then starts it again', async () => {
    const { s, crashes, starts } = supervise(life(50), () => life(null));
    await until(() => starts() === 1 && s.up);
    expect(crashes).toHaveLength(1);
    expect(crashes[0]).toMatchObject({ process: 'ingest', code: 3, signal: null });
    expect(crashes[0]!.stderr).toContain('about to fail');
    await s.stop('SIGTERM', 5_000);
    expect(crashes).toHaveLength(1);
  });

  it('takes a fault’s kill and the run’s stop as asked for', async () => {
    const { s, crashes, starts } = supervise(life(null), () => life(null));
    await s.kill();
    expect(s.up).toBe(false);
    await s.restart();
    expect(starts()).toBe(1);
    await s.stop('SIGTERM', 5_000);
    expect(s.life.child.signalCode).toBe('SIGTERM');
    expect(crashes).toEqual([]);
  });

  it('counts a crash of a restarted life too', async () => {
    let n = 0;
    const { s, crashes, starts } = supervise(life(30), () => (n++ === 0 ? life(30, 7) : life(null)));
    await until(() => starts() === 2 && s.up);
    expect(crashes.map((c) => c.code)).toEqual([3, 7]);
    // A fault's kill reaches the current life, not a dead one.
    const current = s.life;
    await s.kill();
    expect(current.child.signalCode).toBe('SIGKILL');
    await s.stop('SIGTERM', 5_000);
    expect(crashes).toHaveLength(2);
  });

  it('lets a fault that strikes while a crash is handled wait for it: one life at a time', async () => {
    const lives: Array<ReturnType<typeof life>> = [];
    let fault: Promise<void> | null = null;
    const s: Supervised<ReturnType<typeof life>> = new Supervised('broker-a', life(30), {
      start: async () => {
        const l = life(null);
        lives.push(l);
        return l;
      },
      lastWords: (l) => l.err(),
      // The fault strikes while the crash is being handled, before its restart has started.
      crashed: () => {
        fault = s.kill().then(() => s.restart());
      },
    });
    await until(() => fault !== null);
    await fault;
    expect(lives).toHaveLength(2);
    expect(lives[0]!.child.signalCode).toBe('SIGKILL');
    expect(s.life).toBe(lives[1]);
    expect(lives[1]!.child.exitCode).toBeNull();
    await s.stop('SIGTERM', 5_000);
  });

  it('once abandoned (the run failed), takes a kill as no crash and starts nothing', async () => {
    const { s, crashes, starts } = supervise(life(null), () => life(null));
    s.abandon();
    s.life.child.kill('SIGKILL');
    await s.life.exited;
    await new Promise((r) => setTimeout(r, 200));
    expect({ crashes, starts: starts() }).toEqual({ crashes: [], starts: 0 });
  });
});
