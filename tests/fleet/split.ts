import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chownSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseOptions } from '@onestop/store';
import { ONESTOP_BIN, runCli, sessionCookie } from '../support/cli.js';
import { freePort, listensOn } from '../support/ports.js';
import { type Centre, cpuUs, rssMb, Sampler } from './procs.js';
import { Supervised, type SupervisedOptions } from './supervised.js';

/** The faults that belong to the split deployment. */
export type SplitFault = 'kill-broker' | 'kill-ingest' | 'stop-postgres';
export const SPLIT_FAULTS: readonly string[] = ['kill-broker', 'kill-ingest', 'stop-postgres'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The newest PostgreSQL server installed the Debian way (`initdb` is not on PATH there). */
function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL server under ${root}/*/bin`);
  return join(root, versions[0]!, 'bin');
}

/** PostgreSQL refuses to run as root: as root, its tools run as the `postgres` OS user. */
const asRoot = process.getuid?.() === 0;
function pgArgv(tool: string, args: string[]): [string, string[]] {
  const bin = join(postgresBin(), tool);
  return asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}
function pgTool(tool: string, args: string[]): void {
  const [cmd, argv] = pgArgv(tool, args);
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0)
    throw new Error(`${tool} ${args.join(' ')}: ${r.stderr || r.stdout || r.error?.message}`);
}

/**
 * CPU of a PostgreSQL server: the postmaster, the exited backends it reaped (cutime, cstime) and
 * the live ones (its children). Memory is the proportional set size (PSS) of them all: shared
 * buffers split among the backends that map them, where adding up RSS would count them per backend.
 */
const children = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
};
const reaped = (pid: number): number => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[13]) + Number(f[14])) / 100) * 1e6;
  } catch {
    return 0;
  }
};
const pssMb = (pid: number): number | null => {
  try {
    const m = /Pss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
};
const postgresTree = {
  cpuUs: (pid: number) => {
    const own = cpuUs(pid);
    return own === null ? null : children(pid).reduce((a, c) => a + (cpuUs(c) ?? 0), own + reaped(pid));
  },
  rssMb: (pid: number) => {
    const own = pssMb(pid) ?? rssMb(pid);
    return own === null ? null : children(pid).reduce((a, c) => a + (pssMb(c) ?? 0), own);
  },
};

/** Several server processes sampled as one: CPU and RSS are their sums (RSS at each instant). */
export class SamplerGroup extends Sampler {
  readonly members = new Map<string, Sampler>();
  member(name: string): Sampler {
    const known = this.members.get(name);
    if (known) return known;
    const s = name === 'postgres' ? new Sampler(postgresTree) : new Sampler();
    this.members.set(name, s);
    return s;
  }
  override sample(now: number): void {
    let sum = 0;
    for (const s of this.members.values()) {
      s.sample(now);
      const last = s.rss[s.rss.length - 1];
      if (last?.[0] === now) sum += last[1];
    }
    this.maxRssMb = Math.max(this.maxRssMb, sum);
    this.rss.push([now, sum]);
  }
  override mark(): void {
    for (const s of this.members.values()) s.mark();
  }
  override cpuUs(): number {
    let sum = 0;
    for (const s of this.members.values()) sum += s.cpuUs();
    return sum;
  }
}

/** Who hears of a part's crash (the run's report). */
export type Watcher = Pick<SupervisedOptions<Part>, 'crashed' | 'restartFailed'>;

interface Part {
  name: string;
  args: string[];
  child: ChildProcess;
  exited: Promise<void>;
  /** The port whose `/healthz` says it is ready; the part must hold it itself (`listensOn`). */
  healthPort: number;
}

export interface Split {
  /** Where the fleet is provisioned and the stored events are read back. */
  storeOptions: DatabaseOptions;
  /** One per broker: counters are spread over them. */
  mqttUrls: string[];
  /** Server processes summed: both brokers, the ingest, the dashboard, PostgreSQL and Redis. */
  sampler: SamplerGroup;
  /** The Prometheus `/metrics` of each Node part: brokers, ingest and dashboard. */
  metricsUrls: Readonly<Record<string, string>>;
  /**
   * Brokers, ingest and dashboard, once the fleet is provisioned; the dashboard's address and log.
   * `watch` supervises them from then on: a crash is told, then the part is started again.
   */
  start(): Promise<{ dashboard: Centre; cookie: string; watch(o: Watcher): void }>;
  /** Injects a fault, waits `downMs`, repairs it; says what was done. */
  fault(kind: SplitFault, downMs: number): Promise<string>;
  /** A clean stop of brokers, ingest and dashboard (the database stays up to be read). */
  stop(): Promise<void>;
  /** Stops PostgreSQL and Redis and removes their directory; also runs on exit and on signals. */
  close(): Promise<void>;
}

/**
 * The scale-out deployment for the fleet day: a private PostgreSQL cluster (initdb into a temp
 * dir, never the machine's shared server, so that it can be stopped), a private Redis through
 * which two broker processes cluster, one ingest (given both brokers, A first; what counters
 * publish on the other reaches it over Redis) and a dashboard, all the built `onestop` command as
 * operators run it.
 */
export async function startSplit(logDir: string, log: (l: string) => void): Promise<Split> {
  const dir = mkdtempSync(join(tmpdir(), 'onestop-fleet-pg-'));
  const data = join(dir, 'data');
  const pgLog = join(dir, 'postgres.log');
  let pgUp = false;
  let redis: ChildProcess | null = null;
  const parts = new Map<string, Part>();
  /** Once the run watches: each part supervised, started again after a crash as after a fault. */
  const supervised = new Map<string, Supervised<Part>>();
  let closed = false;
  const pgStop = () => {
    // Also a server still starting when a start timed out (its flag never set): stopped whenever
    // its pid file is there, so no private server outlives the run with its folder removed.
    if (!pgUp && !existsSync(join(data, 'postmaster.pid'))) return;
    pgUp = false;
    const [cmd, argv] = pgArgv('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
    spawnSync(cmd, argv, { timeout: 60_000 });
  };
  // Synchronous, so that it also runs from 'exit' and from a signal: no private server outlives us.
  const cleanupSync = () => {
    if (closed) return;
    closed = true;
    // Killed on purpose from here: no crash to record, nothing to start again.
    for (const s of supervised.values()) s.abandon();
    for (const p of parts.values()) p.child.kill('SIGKILL');
    redis?.kill('SIGKILL');
    pgStop();
    rmSync(dir, { recursive: true, force: true });
    process.off('exit', cleanupSync);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  const onSignal = (sig: NodeJS.Signals) => {
    cleanupSync();
    process.kill(process.pid, sig);
  };
  process.on('exit', cleanupSync);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    if (asRoot) {
      const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout);
      const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout);
      if (!uid) throw new Error('running as root needs a `postgres` OS user to run PostgreSQL');
      chownSync(dir, uid, gid);
    }
    const pgPort = await freePort();
    pgTool('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '--auth=trust',
      '--no-locale',
      '-E',
      'UTF8',
      '--no-sync',
    ]);
    const pgStart = () => {
      const opts = `-p ${pgPort} -k ${dir} -c listen_addresses=127.0.0.1`;
      pgTool('pg_ctl', ['start', '-D', data, '-l', pgLog, '-w', '-t', '120', '-o', opts]);
      pgUp = true;
      sampler
        .member('postgres')
        .track(Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]));
    };
    const sampler = new SamplerGroup();
    pgStart();
    pgTool('createdb', ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'postgres', 'onestop_fleet']);
    const url = `postgres://postgres@127.0.0.1:${pgPort}/onestop_fleet`;
    log(`private PostgreSQL on 127.0.0.1:${pgPort} in ${dir}`);

    const redisPort = await freePort();
    redis = spawn(
      'redis-server',
      ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--dir', dir],
      {
        stdio: 'ignore',
      },
    );
    // A missing binary is an 'error' event: unheard, it would end the run with no cleanup.
    const redisFailed = new Promise<never>((_, reject) =>
      redis!.once('error', (e) => reject(new Error(`redis-server: ${e.message} (is Redis installed?)`))),
    );
    redisFailed.catch(() => {});
    await Promise.race([redisFailed, new Promise((r) => setTimeout(r, 100))]);
    sampler.member('redis').track(redis.pid!);
    const redisUrl = `redis://127.0.0.1:${redisPort}`;

    const env = {
      ...process.env,
      NODE_NO_WARNINGS: '1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: url,
      ONESTOP_SERVICE_PASSWORD: `fleet-${process.pid}-${Date.now()}`,
    };
    const ports = {
      mqtt: [await freePort(), await freePort()],
      metrics: [await freePort(), await freePort()],
    };
    const [ingestMetrics, httpPort] = [await freePort(), await freePort()];
    const mqttUrls = ports.mqtt.map((p) => `mqtt://127.0.0.1:${p}`);
    const dashboardUrl = `http://127.0.0.1:${httpPort}`;
    const brokerArgs = (i: number) => [
      'broker',
      '--host',
      '127.0.0.1',
      '--mqtt-port',
      String(ports.mqtt[i]),
      '--metrics-port',
      String(ports.metrics[i]),
      '--redis',
      redisUrl,
    ];
    const specs: Array<Omit<Part, 'child' | 'exited'>> = [
      ...[0, 1].map((i) => ({
        name: `broker-${'ab'[i]}`,
        args: brokerArgs(i),
        healthPort: ports.metrics[i]!,
      })),
      {
        name: 'ingest',
        args: [
          'ingest',
          '--mqtt-url',
          mqttUrls.join(','),
          '--client-id',
          'fleet-ingest',
          '--host',
          '127.0.0.1',
          '--metrics-port',
          String(ingestMetrics),
        ],
        healthPort: ingestMetrics,
      },
      {
        name: 'dashboard',
        args: ['dashboard', '--host', '127.0.0.1', '--http-port', String(httpPort)],
        healthPort: httpPort,
      },
    ];
    /**
     * Starts a part (again) and waits until its /healthz answers 200, from the part itself: the
     * ports were only free when picked, and another test's server that took one first would
     * answer too (a broker's metrics 200 on /healthz, then 404 to the sign-in link).
     */
    const ready = async (p: Part) =>
      listensOn(p.child.pid!, p.healthPort) &&
      (await fetch(`http://127.0.0.1:${p.healthPort}/healthz`).catch(() => null))?.status === 200;
    const run = async (spec: Omit<Part, 'child' | 'exited'>) => {
      // Its log in a file: a pipe nobody reads would stall it, and the file outlives a SIGKILL.
      const out = openSync(join(logDir, `${spec.name}.log`), 'a');
      const child = spawn(process.execPath, [ONESTOP_BIN, ...spec.args], {
        env,
        stdio: ['ignore', out, out],
      });
      closeSync(out);
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      const part: Part = { ...spec, child, exited };
      parts.set(spec.name, part);
      sampler.member(spec.name).track(child.pid!);
      const until = Date.now() + 120_000;
      while (!(await ready(part))) {
        if (child.exitCode !== null || Date.now() > until) {
          // Not left running beside the next attempt.
          child.kill('SIGKILL');
          await exited;
          const tail = readFileSync(join(logDir, `${spec.name}.log`), 'utf8').slice(-3000);
          throw new Error(`${spec.name} did not become ready: ${tail}`);
        }
        await sleep(250);
      }
      return part;
    };
    const lastWords = (p: Part) => readFileSync(join(logDir, `${p.name}.log`), 'utf8').slice(-3000);

    return {
      storeOptions: { kind: 'postgres', url },
      mqttUrls,
      sampler,
      metricsUrls: Object.fromEntries(specs.map((p) => [p.name, `http://127.0.0.1:${p.healthPort}/metrics`])),
      async start() {
        // Brokers first: the ingest connects to broker A, the first of its list.
        for (const s of specs) await run(s);
        // A city account signed in through a one-time link, as a leader's browser would be.
        const add = await runCli(['user', 'add', '--name', 'fleet-city', '--role', 'city'], env);
        if (add.code !== 0) throw new Error(`user add: ${add.stderr}`);
        const link = await runCli(['user', 'link', 'fleet-city', '--dashboard-url', dashboardUrl], env);
        if (link.code !== 0) throw new Error(`user link: ${link.stderr}`);
        const cookie = await sessionCookie((JSON.parse(link.stdout) as { url: string }).url);
        // Where the run times pages, and what it shows when one fails (the current dashboard's log).
        const dashboard: Centre = {
          dashboardUrl,
          errors: () => lastWords(parts.get('dashboard')!),
        };
        const watch = (o: Watcher) => {
          for (const p of parts.values())
            supervised.set(p.name, new Supervised(p.name, p, { start: () => run(p), lastWords, ...o }));
        };
        return { dashboard, cookie, watch };
      },
      async fault(kind, downMs) {
        const s = `${downMs / 1000} s`;
        if (kind === 'stop-postgres') {
          pgUp = false;
          pgTool('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
          await sleep(downMs);
          pgStart();
          return `PostgreSQL stopped (immediate: no checkpoint, crash recovery at start) for ${s}; brokers, ingest and dashboard kept running`;
        }
        // Broker A carries the ingest: its loss also cuts the ingest, which moves to broker B.
        const part = supervised.get(kind === 'kill-broker' ? 'broker-a' : 'ingest');
        if (!part) throw new Error('faults are injected once the run watches the parts');
        await part.kill();
        await sleep(downMs);
        await part.restart();
        return kind === 'kill-broker'
          ? `SIGKILL of broker A (half the counters and the ingest on it); restarted after ${s}, its counters reconnecting to it, the ingest moving to broker B`
          : `SIGKILL of the ingest; restarted after ${s}`;
      },
      async stop() {
        // Watched parts first (no exit from here is a crash), then any never watched.
        await Promise.all([...supervised.values()].map((p) => p.stop('SIGTERM', 60_000)));
        const all = [...parts.values()];
        for (const p of all) p.child.kill('SIGTERM');
        await Promise.race([Promise.all(all.map((p) => p.exited)), sleep(60_000)]);
        for (const p of all) p.child.kill('SIGKILL');
        await Promise.all(all.map((p) => p.exited));
      },
      async close() {
        cleanupSync();
      },
    };
  } catch (e) {
    cleanupSync();
    throw e;
  }
}
