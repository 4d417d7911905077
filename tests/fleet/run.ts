import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { faceApiSamples } from '@onestop/models';
import { HOUR_MS } from '@onestop/protocol';
import { openStore, schema } from '@onestop/store';
import sharp from 'sharp';
import { sessionCookie } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import {
  ackLatencies,
  compare,
  drainedMs,
  type Produced,
  percentile,
  readLogs,
  slopeMbPerHour,
  type Window,
} from './analyse.js';
import { HeapSampler, type HeapSummary, summariseHeap } from './heap.js';
import {
  cutFor,
  cutOffEvidence,
  openPartitionLab,
  type PartitionLab,
  type PartitionRecord,
  partitionUnavailable,
} from './partition.js';
import { Sampler, spawnTs, startServe } from './procs.js';
import { provisionFleet } from './provision.js';
import type { CounterSpec, WorkerSpec } from './spec.js';
import { SPLIT_FAULTS, type SplitFault, startSplit } from './split.js';
import { type ServerCrash, Supervised } from './supervised.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export type FaultKind =
  | 'kill-serve'
  | 'kill-agents'
  | 'skew-minutes'
  | 'skew-years'
  | 'partition'
  | SplitFault;

/**
 * A fault to inject: `at` is a fraction of the simulated day, `downS` real seconds of outage
 * (a partition: 10 simulated minutes unless given).
 */
export interface FaultPlan {
  kind: FaultKind;
  at: number;
  downS?: number;
}

export interface FaultRecord {
  kind: FaultKind;
  detail: string;
  /** Simulated time of day in Vietnam (HH:MM) when it began. */
  simAt: string;
  startedAt: string;
  endedAt: string;
  /** Real ms from the fault's end until every counter was connected again (delivery faults). */
  reconnectedMs: number | null;
  /** Real ms from the fault's end until every event recorded before it was acknowledged. */
  drainedMs: number | null;
  /** Why it was not injected (a partition where no network namespace can be made). */
  skipped?: string;
  partition?: PartitionRecord;
}

export interface FleetOptions {
  /** `serve` (one process on PGlite) or `split` (two clustered brokers, ingest, dashboard, PostgreSQL). */
  target?: 'serve' | 'split';
  counters: number;
  hours: number;
  speed: number;
  /** Fleet processes; several counters each so that 2 cores suffice. */
  workers: number;
  faults: FaultPlan[];
  /** Share of citizens rating at the lowest level. */
  negativeShare?: number;
  /** Counters with a citizen camera (the real perception pipeline on replayed photographs). */
  cameras?: number;
  /** Frames a second each camera counter's pipeline reads. */
  cameraFps?: number;
  /** Real seconds for a soak instead of `hours` (RSS of every process sampled). */
  soakS?: number | null;
  /** Real seconds allowed for outboxes to drain after the day. */
  drainTimeoutS?: number;
  /**
   * Niceness of the fleet processes (0: the centre's priority). They stand in for a thousand
   * boards with CPUs of their own, but here share two vCPUs with the centre they measure.
   */
  devicesNice?: number;
  log?: (line: string) => void;
  keepDir?: boolean;
}

/** The figures issue 15 asks for, plus what a reader needs to trust them. */
export interface FleetReport {
  target: 'serve' | 'split';
  /** The processes whose CPU and RSS `serverCpuUsPerEvent`, `serverCpuS` and `serverRssMb` add up. */
  serverProcesses: string[];
  counters: number;
  hours: number;
  speed: number;
  workers: number;
  /** Niceness the fleet processes ran at (0: the same priority as the centre). */
  devicesNice: number;
  realSeconds: number;
  /** Real ms for the whole fleet to connect at start (one password check and session per device). */
  firstConnectMs: number;
  /** Counters running the real camera pipeline on replayed photographs (their `evt/expression`). */
  cameraCounters: number;
  eventsSent: number;
  eventsByChannel: Record<string, number>;
  eventsStored: number;
  /** Acknowledged but not stored: gone for good. */
  lost: number;
  /** Neither acknowledged nor stored: still on a device's disk when the run ended. */
  pending: number;
  duplicated: number;
  unknownStored: number;
  /**
   * Stored events recorded as their fleet process was SIGKILLed, between the outbox's write and
   * the log line (stored once, sent again by the restarted agent): counted apart from unknown.
   */
  unloggedAtKill: number;
  unacked: number;
  /**
   * Recorded after a fleet process's outboxes were seen empty at the end (cameras still looking, a
   * last summary flushed at stop): stored, or still on the device's disk (`pendingAfterDrain`).
   */
  recordedAfterDrain: number;
  pendingAfterDrain: number;
  /** A few unacked (which device, channel and when recorded): where to look when there are any. */
  unackedExamples: Array<{ eventId: string; deviceId: string; channel: string; recordedAt: string }>;
  ackP50Ms: number | null;
  ackP95Ms: number | null;
  ackP99Ms: number | null;
  ackP95MsAll: number | null;
  ackP99MsAll: number | null;
  /** From record to ack, a rating's undo window (and what it held back) included. */
  recordToAckP95Ms: number | null;
  maxOutboxDepth: number;
  maxOutboxDepthFleet: number;
  drained: boolean;
  serverCpuUsPerEvent: number | null;
  serverCpuS: number;
  serverRssMb: number;
  dashboardP95Ms: number | null;
  dashboardPages: number;
  dashboardErrors: number;
  faults: FaultRecord[];
  /**
   * A centre process (serve, or a broker, the ingest or the dashboard of the split deployment)
   * exiting on its own during the day: each is a failure of the run, recorded with the end of its
   * error output; the run restarts it as a supervisor would.
   */
  serverCrashes: ServerCrash[];
  /**
   * Resident memory per process after the first tenth of the run (warm-up): then, at the end, the
   * most, and the least-squares trend in MB per real hour since then or since its last restart
   * (flat memory: near 0; a leak: positive).
   */
  memory: Record<string, { firstMb: number; lastMb: number; maxMb: number; mbPerHour: number | null }>;
  /**
   * The V8 heap of each Node process of the centre, from its `/metrics`, and of each fleet process
   * (its agents), from its status, every 20 s (a short day more often), after the same warm-up:
   * its floor per window (a twelfth of the run, 1–5 min) and their trend, and for the dashboard
   * the trend less its bounded cache of drawn charts. Since its last restart.
   */
  heap: Record<string, HeapSummary>;
  /** CPU seconds per process over the day (all its lives): where `serverCpuS` and the fleet's go. */
  cpuS: Record<string, number>;
}

const SIM_START = 7.4 * HOUR_MS; // 7:24, minutes before the centre opens

const hhmm = (simMs: number) => {
  const m = Math.floor(simMs / 60_000) % (24 * 60);
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Worker {
  child: ChildProcess;
  spec: WorkerSpec;
  sampler: Sampler;
  status: {
    at: number;
    total: number;
    max: number;
    connected: number;
    finished: number;
    counters: number;
    heapMb: number;
  } | null;
  ready: boolean;
  exited: Promise<void>;
}

/**
 * A compressed working day of a city against `onestop serve` (PGlite): fleet processes run the
 * real agents, faults are injected on schedule, and afterwards the centre's event log is compared
 * with every event the agents recorded.
 */
export async function runFleet(o: FleetOptions): Promise<FleetReport> {
  const log = o.log ?? (() => {});
  const dir = mkdtempSync(join(tmpdir(), 'onestop-fleet-'));
  const serveDir = join(dir, 'serve');
  mkdirSync(serveDir);
  const children: ChildProcess[] = [];
  const target = o.target ?? 'serve';
  const misplaced = o.faults.filter((f) =>
    target === 'split' ? f.kind === 'kill-serve' || f.kind === 'partition' : SPLIT_FAULTS.includes(f.kind),
  );
  if (misplaced.length > 0)
    throw new Error(`faults ${misplaced.map((f) => f.kind).join(', ')} do not apply to --target ${target}`);
  const split =
    target === 'split'
      ? await startSplit(dir, log).catch((e: unknown) => {
          rmSync(dir, { recursive: true, force: true });
          throw e;
        })
      : null;
  let lab: PartitionLab | null = null;
  /** Stops the supervision of serve (set once it runs): a failed run kills it, no crash. */
  let abandon = () => {};
  try {
    const t0 = Date.now();
    log(`provisioning ${o.counters} counters`);
    const storeOptions = split?.storeOptions ?? { kind: 'pglite' as const, dataDir: join(serveDir, 'db') };
    const fleet = await provisionFleet(storeOptions, join(dir, 'agents'), o.counters, o.cameras ?? 0);
    const camera = fleet.some((c) => c.camera)
      ? { replayDir: await citizensPassingBy(join(dir, 'scene')), fps: o.cameraFps ?? 1 }
      : null;
    // Counters spread over the brokers, as a city's DNS or load balancer would spread them.
    if (split) for (const [i, c] of fleet.entries()) c.mqttUrl = split.mqttUrls[i % split.mqttUrls.length];
    log(`provisioned ${fleet.length} counters in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const [mqttPort, httpPort] = [await freePort(), await freePort()];
    const serverSampler = split?.sampler ?? new Sampler();
    const started = split ? await split.start() : null;
    // The last fleet process is the partitioned group (the first is the one `kill-agents` kills).
    const cutOff = [o.workers - 1];
    const planned = o.faults.some((f) => f.kind === 'partition');
    const noPartition = planned ? await partitionUnavailable() : 'not planned';
    if (!noPartition) lab = await openPartitionLab(cutOff);
    const host = lab?.centreAddress ?? '127.0.0.1';
    // The day's clock first: a crash during start-up reads it.
    const speed = o.speed;
    const realDayMs = o.soakS ? o.soakS * 1000 : (o.hours * HOUR_MS) / speed;
    let realStart = 0; // fixed once every fleet process has loaded
    const simEnd = SIM_START + realDayMs * speed;
    const simNow = () => SIM_START + (Date.now() - realStart) * speed;
    const serverCrashes: ServerCrash[] = [];
    const crashed = (c: Omit<ServerCrash, 'simAt'>) => {
      const crash = { ...c, simAt: realStart ? hhmm(simNow()) : null };
      serverCrashes.push(crash);
      log(
        `${c.process} exited on its own at ${crash.simAt ?? 'start'} (code ${c.code}, signal ${c.signal}):\n${c.stderr}`,
      );
    };
    const restartFailed = (e: Error) => log(e.message);
    /** serve as in production: an exit nobody asked for is recorded, then it is restarted. */
    const startOne = async () => {
      const s = await startServe(serveDir, mqttPort, httpPort, host);
      children.push(s.child);
      serverSampler.track(s.child.pid!);
      return s;
    };
    const serve = split
      ? null
      : new Supervised('serve', await startOne(), {
          start: startOne,
          lastWords: (s) => s.errors(),
          crashed,
          restartFailed,
        });
    abandon = () => serve?.abandon();
    if (split) started!.watch({ crashed, restartFailed });
    const centre = () => started?.dashboard ?? serve!.life;
    /** Pages are not timed while the centre is down on purpose (its database stopped, serve killed). */
    let pagesPaused = false;
    const centreUp = () => !pagesPaused && (serve?.up ?? true);
    const signInLink = serve?.life.signInLink;
    const cookie = started?.cookie ?? (signInLink ? await sessionCookie(signInLink) : null);

    const skews: Record<string, number> = {};
    const perWorker = Math.ceil(fleet.length / o.workers);
    const workers: Worker[] = [];
    const connectedNow = () => workers.reduce((a, w) => a + (w.status?.connected ?? 0), 0);
    const startWorker = (index: number, counters: CounterSpec[]): Worker => {
      const spec: WorkerSpec = {
        index,
        mqttUrl: `mqtt://${host}:${mqttPort}`,
        speed,
        realStart,
        simStart: SIM_START,
        simEnd,
        negativeShare: o.negativeShare ?? 0.02,
        camera,
        logFile: join(dir, `worker-${index}.log`),
        skews: { ...skews },
        counters,
      };
      const specFile = join(dir, `worker-${index}.json`);
      writeFileSync(specFile, JSON.stringify(spec));
      // `nice` and `ip netns exec` both exec what follows: the pid is still the agent process's.
      const nice = o.devicesNice ? ['nice', '-n', String(o.devicesNice)] : [];
      const child = spawnTs(WORKER, [], { FLEET_SPEC: specFile }, true, [
        ...nice,
        ...(lab?.wrap(index) ?? []),
      ]);
      children.push(child);
      child.stderr?.on('data', (d: Buffer) => log(`worker ${index}: ${d.toString().trim().slice(0, 500)}`));
      const sampler = workers[index]?.sampler ?? new Sampler();
      sampler.track(child.pid!);
      const w: Worker = {
        child,
        spec,
        sampler,
        status: null,
        ready: false,
        exited: new Promise((r) => child.on('exit', () => r())),
      };
      child.on('message', (m: { type: string } & Worker['status']) => {
        if (m.type === 'ready') w.ready = true;
        if (m.type === 'status') w.status = m;
      });
      workers[index] = w;
      return w;
    };
    for (let i = 0; i < o.workers; i++) startWorker(i, fleet.slice(i * perWorker, (i + 1) * perWorker));
    // Counters are on and connected before the centre opens: the day starts once all are.
    const herdStart = Date.now();
    while (!workers.every((w) => w.ready) || connectedNow() < fleet.length) {
      if (Date.now() - herdStart > 600_000)
        throw new Error(`only ${connectedNow()} of ${fleet.length} counters connected in 10 min`);
      await sleep(250);
    }
    const firstConnectMs = Date.now() - herdStart;
    log(`${fleet.length} counters connected in ${(firstConnectMs / 1000).toFixed(1)} s`);
    realStart = Date.now();
    for (const w of workers) {
      w.spec.realStart = realStart;
      w.child.send({ type: 'start', realStart });
    }
    serverSampler.mark();
    for (const w of workers) w.sampler.mark();
    log('the day begins');

    // Sampling: server CPU and memory, every process's memory, the fleet's outbox depth.
    let maxDepth = 0;
    let maxFleetDepth = 0;
    const sampling = setInterval(() => {
      const now = Date.now();
      if (centreUp()) serverSampler.sample(now);
      let fleetDepth = 0;
      for (const w of workers) {
        w.sampler.sample(now);
        maxDepth = Math.max(maxDepth, w.status?.max ?? 0);
        fleetDepth += w.status?.total ?? 0;
      }
      maxFleetDepth = Math.max(maxFleetDepth, fleetDepth);
    }, 1_000);
    const heapSampler = new HeapSampler(() =>
      split ? split.metricsUrls : centreUp() ? { serve: `${centre().dashboardUrl}/metrics` } : {},
    );
    // Every 20 s, as Prometheus would; a short day (CI's) gets some 60 samples all the same.
    const heapEveryMs = Math.min(20_000, Math.max(1_000, realDayMs / 60));
    const heapSampling = setInterval(() => {
      const now = Date.now();
      void heapSampler.sample(now);
      // A restarted fleet process is a new pid: a new series.
      for (const w of workers)
        if (w.status)
          heapSampler.record(`fleet-${w.spec.index}`, w.child.pid ?? null, {
            at: now,
            heapMb: w.status.heapMb,
            chartCacheMb: null,
          });
    }, heapEveryMs);

    // Dashboard pages timed while the day runs (a leader's browser reloading every few seconds).
    const units = [...new Set(fleet.map((c) => c.unitId))];
    const pageMs: number[] = [];
    let pageErrors = 0;
    let dashboardOn = true;
    const dashboard = (async () => {
      let k = 0;
      while (dashboardOn) {
        await sleep(2_000);
        if (!centreUp() || !cookie) continue;
        const paths = ['/', '/api/units', `/units/${units[k % units.length]}`, '/devices'];
        const path = paths[k++ % paths.length]!;
        const t = performance.now();
        try {
          const res = await fetch(`${centre().dashboardUrl}${path}`, {
            headers: { cookie },
            signal: AbortSignal.timeout(30_000),
          });
          await res.arrayBuffer();
          if (res.ok) pageMs.push(performance.now() - t);
          else if (pageErrors++ < 3)
            log(`dashboard ${path}: HTTP ${res.status}; centre: ${centre().errors().slice(-1500)}`);
        } catch (e) {
          if (centreUp() && pageErrors++ < 3) log(`dashboard ${path}: ${(e as Error).message}`);
        }
      }
    })();

    // Faults, in order, each recorded with its real window.
    const faults: FaultRecord[] = [];
    /** Devices whose process a fault SIGKILLed: the one place a stored event may lack its log line. */
    const killed = new Set<string>();
    const windows: Window[] = [];
    /** When each partition's links were down: its evidence counts what was recorded meanwhile. */
    const cuts = new Map<PartitionRecord, Window>();
    /** Waits (up to 5 min) for the whole fleet to be connected; ms waited, null if it never was. */
    const reconnected = async (since: number) => {
      // A status taken before the fault could still say "all connected": wait for fresh ones.
      await sleep(1_500);
      while (connectedNow() < fleet.length) {
        if (Date.now() - since > 300_000) return null;
        await sleep(250);
      }
      return Date.now() - since;
    };
    const inject = async (f: FaultPlan) => {
      const wait = realStart + f.at * realDayMs - Date.now();
      if (wait > 0) await sleep(wait);
      const started = Date.now();
      const simAt = hhmm(simNow());
      let detail = '';
      let end = started;
      let reconnectedMs: number | null = null;
      let partition: PartitionRecord | undefined;
      let skipped: string | undefined;
      const downMs = (f.downS ?? (f.kind === 'partition' ? 600 / speed : 10)) * 1000;
      if (f.kind === 'kill-serve') {
        await serve!.kill();
        await sleep(downMs);
        await serve!.restart();
        end = Date.now();
        reconnectedMs = await reconnected(end);
        detail = `SIGKILL of serve (broker, ingest, dashboard, PGlite); restarted after ${f.downS ?? 10} s, every counter reconnecting at once`;
        windows.push({ start: started, end: end + (reconnectedMs ?? 300_000) });
      } else if (f.kind === 'kill-agents') {
        const w = workers[0]!;
        for (const c of w.spec.counters) killed.add(c.deviceId);
        w.child.kill('SIGKILL');
        await w.exited;
        await sleep(downMs);
        const restarted = startWorker(w.spec.index, w.spec.counters);
        while (!restarted.ready) await sleep(200);
        end = Date.now();
        reconnectedMs = await reconnected(end);
        detail = `SIGKILL of fleet process 0 (${w.spec.counters.length} agents); restarted on the same outboxes after ${f.downS ?? 10} s`;
        windows.push({ start: started, end: end + (reconnectedMs ?? 300_000) });
      } else if (split && SPLIT_FAULTS.includes(f.kind)) {
        // Without its database the dashboard can only answer errors: its pages are not timed then.
        pagesPaused = f.kind === 'stop-postgres';
        detail = await split.fault(
          f.kind as SplitFault,
          f.kind === 'stop-postgres' ? (f.downS ?? 60) * 1000 : downMs,
        );
        pagesPaused = false;
        end = Date.now();
        reconnectedMs = await reconnected(end);
        windows.push({ start: started, end: end + (reconnectedMs ?? 300_000) });
      } else if (f.kind === 'partition') {
        const group = cutOff.map((i) => workers[i]!);
        const deviceIds = group.flatMap((w) => w.spec.counters.map((c) => c.deviceId));
        const what = `${deviceIds.length} counters (fleet process ${cutOff.join(', ')})`;
        if (!lab) {
          skipped = noPartition ?? 'no network namespace';
          detail = `partition of ${what} skipped: ${skipped}`;
        } else {
          const sum = (k: 'total' | 'connected') => group.reduce((a, w) => a + (w.status?.[k] ?? 0), 0);
          const cut = await cutFor(lab, cutOff, downMs, () => ({
            depth: sum('total'),
            connected: sum('connected'),
          }));
          partition = {
            processes: cutOff,
            deviceIds,
            downMs,
            ...cut.seen,
            recordedWhileCut: 0,
            ackedWhileCut: 0,
            groupDrainedMs: null,
          };
          cuts.set(partition, cut.window);
          end = Date.now();
          reconnectedMs = await reconnected(end);
          detail = `network partition of ${what} for ${(downMs / 1000).toFixed(1)} s (${Math.round((downMs * speed) / 60_000)} simulated min), then healed`;
          windows.push({ start: started, end: end + (reconnectedMs ?? 300_000) });
        }
      } else {
        const years = f.kind === 'skew-years';
        const ms = years ? -3 * 365 * 24 * HOUR_MS : 7 * 60_000;
        const share = years ? 0.02 : 0.05;
        const ids = fleet.filter((_, i) => i % Math.round(1 / share) === 1).map((c) => c.deviceId);
        const tell = (value: number) => {
          for (const id of ids) skews[id] = value;
          for (const w of workers)
            if (w.child.connected) w.child.send({ type: 'skew', deviceIds: ids, ms: value });
        };
        tell(ms);
        if (years) {
          await sleep(downMs);
          tell(0);
        }
        end = Date.now();
        detail = years
          ? `${ids.length} device clocks 3 years behind (RTC reset) for ${f.downS ?? 10} s`
          : `${ids.length} device clocks 7 minutes ahead for the rest of the day`;
      }
      const rec = {
        kind: f.kind,
        detail,
        simAt,
        startedAt: new Date(started).toISOString(),
        endedAt: new Date(end).toISOString(),
        reconnectedMs,
        drainedMs: null,
        ...(skipped ? { skipped } : {}),
        ...(partition ? { partition } : {}),
      };
      faults.push(rec);
      log(`fault ${f.kind} at ${simAt}: ${detail}`);
    };
    const faultRun = (async () => {
      for (const f of [...o.faults].sort((a, b) => a.at - b.at)) await inject(f);
    })();

    // The day runs; then wait for every outbox to drain.
    let lastLog = 0;
    while (Date.now() < realStart + realDayMs) {
      await sleep(1_000);
      if (Date.now() - lastLog > Math.min(30_000, realDayMs / 10)) {
        lastLog = Date.now();
        const s = workers.map((w) => w.status);
        log(
          `${hhmm(simNow())} connected ${s.reduce((a, x) => a + (x?.connected ?? 0), 0)}/${fleet.length}, outbox ${s.reduce((a, x) => a + (x?.total ?? 0), 0)}`,
        );
      }
    }
    await faultRun;
    const drainUntil = Date.now() + (o.drainTimeoutS ?? 300) * 1000;
    let drained = false;
    /** Per fleet process, the moment its report showed every outbox empty (the day's work done). */
    const drainedAt = new Map<number, number>();
    while (Date.now() < drainUntil) {
      await sleep(1_000);
      const s = workers.map((w) => w.status);
      if (s.every((x) => x && x.finished === x.counters && x.total === 0)) {
        drained = true;
        for (const w of workers) drainedAt.set(w.spec.index, w.status!.at);
        break;
      }
    }
    log(drained ? 'every outbox drained' : 'outboxes did NOT drain in time');
    dashboardOn = false;
    await dashboard;
    clearInterval(sampling);
    clearInterval(heapSampling);
    const realSeconds = (Date.now() - realStart) / 1000;

    // Cameras keep looking after the day's last visit, and an agent flushes its last summary as it
    // stops: what a process records after its outboxes were seen empty may be unacknowledged (or
    // still on disk) when it stops. Counted apart (`recordedAfterDrain`), never as unacked.
    const stopAt = Date.now();
    const workerOf = new Map(workers.flatMap((w) => w.spec.counters.map((c) => [c.deviceId, w.spec.index])));
    const afterDrain = (e: Produced) =>
      e.recordedAt >= (drainedAt.get(workerOf.get(e.deviceId) ?? -1) ?? stopAt);
    for (const w of workers) if (w.child.connected) w.child.send({ type: 'stop' });
    await Promise.race([Promise.all(workers.map((w) => w.exited)), sleep(60_000)]);
    for (const w of workers) w.child.kill('SIGKILL');
    // A clean stop first (PGlite checkpoint); under a backlog that can take minutes, then SIGKILL.
    // Either way the database is opened below only once serve has exited and let go of it.
    await serve?.stop('SIGINT', 120_000);
    await split?.stop();

    // What the centre stored, against what the agents recorded.
    const produced = readLogs(workers.map((w) => w.spec.logFile));
    const store = await openStore(storeOptions);
    const stored = await store.db
      .select({
        eventId: schema.events.eventId,
        deviceId: schema.events.deviceId,
        bootId: schema.events.bootId,
        seq: schema.events.seq,
      })
      .from(schema.events);
    await store.close();
    const cmp = compare(produced, stored, afterDrain, killed);
    const lat = ackLatencies(produced.values(), windows);
    for (const f of faults) f.drainedMs = drainedMs(produced.values(), Date.parse(f.endedAt));
    for (const [p, cut] of cuts) Object.assign(p, cutOffEvidence(produced.values(), p, cut.start, cut.end));
    const byChannel: Record<string, number> = {};
    for (const e of produced.values()) byChannel[e.channel] = (byChannel[e.channel] ?? 0) + 1;
    const pages = [...pageMs].sort((a, b) => a - b);
    const memory: FleetReport['memory'] = {};
    const cpuS: FleetReport['cpuS'] = {};
    const summarise = (name: string, s: Sampler) => {
      cpuS[name] = Math.round(s.cpuUs() / 1e5) / 10;
      if (s.rss.length === 0) return;
      const from = Math.min(s.rss.length - 1, Math.floor(s.rss.length / 10));
      memory[name] = {
        firstMb: s.rss[from]![1],
        lastMb: s.rss[s.rss.length - 1]![1],
        maxMb: Math.round(s.maxRssMb),
        // Over the last life only: a restart's fresh start would read as memory given back.
        mbPerHour: slopeMbPerHour(s.rss.slice(Math.max(from, s.lifeStart))),
      };
    };
    if (split) for (const [name, s] of split.sampler.members) summarise(name, s);
    else summarise('serve', serverSampler);
    for (const w of workers) summarise(`fleet-${w.spec.index}`, w.sampler);
    const heap: FleetReport['heap'] = {};
    const heapWindowMs = Math.min(300_000, Math.max(60_000, (realSeconds * 1000) / 12));
    for (const [name, series] of heapSampler.series) {
      const h = summariseHeap(series, realStart + (realSeconds * 1000) / 10, heapWindowMs);
      if (h) heap[name] = h;
    }
    if (cmp.lost > 0) log(`lost, e.g.: ${cmp.lostIds.join(' ')}`);
    const round = (x: number | null) => (x === null ? null : Math.round(x));
    return {
      target,
      serverProcesses: split ? [...split.sampler.members.keys()] : ['serve'],
      counters: fleet.length,
      hours: o.soakS ? (o.soakS * speed) / 3600 : o.hours,
      speed,
      workers: o.workers,
      devicesNice: o.devicesNice ?? 0,
      realSeconds: Math.round(realSeconds),
      firstConnectMs,
      cameraCounters: fleet.filter((c) => c.camera).length,
      eventsSent: produced.size,
      eventsByChannel: byChannel,
      eventsStored: stored.length,
      lost: cmp.lost,
      pending: cmp.pending,
      duplicated: cmp.duplicated,
      unknownStored: cmp.unknown,
      unloggedAtKill: cmp.unloggedAtKill,
      unacked: cmp.unacked.length,
      recordedAfterDrain: [...produced.values()].filter(afterDrain).length,
      pendingAfterDrain: cmp.pendingAfterDrain,
      unackedExamples: cmp.unacked.slice(0, 10).map((e) => ({
        eventId: e.eventId,
        deviceId: e.deviceId,
        channel: e.channel,
        recordedAt: new Date(e.recordedAt).toISOString(),
      })),
      ackP50Ms: round(percentile(lat.outside, 50)),
      ackP95Ms: round(percentile(lat.outside, 95)),
      ackP99Ms: round(percentile(lat.outside, 99)),
      ackP95MsAll: round(percentile(lat.all, 95)),
      ackP99MsAll: round(percentile(lat.all, 99)),
      recordToAckP95Ms: round(percentile(lat.recorded, 95)),
      maxOutboxDepth: maxDepth,
      maxOutboxDepthFleet: maxFleetDepth,
      drained,
      serverCpuUsPerEvent: stored.length ? Math.round(serverSampler.cpuUs() / stored.length) : null,
      serverCpuS: Math.round(serverSampler.cpuUs() / 1e6),
      serverRssMb: Math.round(serverSampler.maxRssMb),
      dashboardP95Ms: round(percentile(pages, 95)),
      dashboardPages: pages.length,
      dashboardErrors: pageErrors,
      faults,
      serverCrashes,
      memory,
      heap,
      cpuS,
    };
  } finally {
    // A run that failed: what is killed now is no crash, and nothing may start again.
    abandon();
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await split?.close();
    lab?.close();
    if (!o.keepDir) rmSync(dir, { recursive: true, force: true });
    else log(`kept ${dir}`);
  }
}

/**
 * What a citizen camera sees, replayed in a loop: each of the face-api demo photographs (shipped in
 * its npm package) for three frames, then an empty counter for three, so citizens come and leave.
 */
async function citizensPassingBy(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const empty = await sharp({
    create: { width: 640, height: 480, channels: 3, background: { r: 200, g: 200, b: 196 } },
  })
    .jpeg()
    .toBuffer();
  let frame = 0;
  const name = () => join(dir, `${String(frame++).padStart(3, '0')}.jpg`);
  for (const photo of faceApiSamples()) {
    for (let i = 0; i < 3; i++) copyFileSync(photo, name());
    for (let i = 0; i < 3; i++) writeFileSync(name(), empty);
  }
  return dir;
}
