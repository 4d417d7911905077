/**
 * `npm run bench:ingest [-- --json FILE]`: committed-and-acknowledged ratings per second through
 * broker + ingest on PGlite and PostgreSQL, the same generator's plain QoS 1 pass-through on the
 * local Mosquitto, and N concurrent authenticated connections with heartbeats; with CPU time per
 * message of each, Mosquitto's being the reference. Tunables are environment variables (see
 * `cfg`); `--json FILE` also writes the figures as JSON. The run leaves no process, database or
 * retained message behind.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from '@onestop/broker';
import { startIngest } from '@onestop/ingest';
import { uniqueUnit } from '@onestop/service/testing';
import { openStore, type Store, schema } from '@onestop/store';
import { openTestStore } from '@onestop/store/testing';
import { eq, sql } from 'drizzle-orm';
import pino from 'pino';
import { Registry } from 'prom-client';
import { startEmbedded } from '../embedded.js';
import { BackendCpu, findProcess, procCpuUs } from './cpu.js';
import { type BenchDevice, insertBenchDevices, signInBenchOfficer } from './devices.js';
import { cpuMs } from './worker.js';
import { Workers } from './workers.js';

const env = process.env;
const cfg = {
  devices: Number(env.BENCH_DEVICES ?? 200),
  perDevice: Number(env.BENCH_PER_DEVICE ?? 100),
  window: Number(env.BENCH_WINDOW ?? 10),
  workers: Number(env.BENCH_WORKERS ?? 2),
  backends: (env.BENCH_BACKENDS ?? 'pglite,postgres').split(',').filter(Boolean) as Array<
    'pglite' | 'postgres'
  >,
  mosquitto: env.BENCH_MOSQUITTO_URL ?? 'mqtt://127.0.0.1:1883',
  connections: Number(env.BENCH_CONNECTIONS ?? 10_000),
  keepaliveS: Number(env.BENCH_KEEPALIVE_S ?? 10),
  holdMs: Number(env.BENCH_HOLD_MS ?? 25_000),
};
const logger = pino({ level: env.LOG_LEVEL ?? 'warn' });
const mb = (n: number) => Math.round(n / 2 ** 20);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0) : 0;
};

/** CPU time of this process's main (JavaScript) thread, which runs all MQTT handling. */
const mainThreadCpuMs = () => procCpuUs(`self/task/${process.pid}`) / 1000;

/** `--json FILE` from the command line, or null. */
function jsonPath(argv: string[]): string | null {
  const i = argv.indexOf('--json');
  if (i < 0) return null;
  const file = argv[i + 1];
  if (!file || file.startsWith('--')) throw new Error('--json needs a file name');
  return file;
}

/** CPU use as a share of one core, per process. */
const cores = (xs: number[]) => xs.map((x) => `${Math.round(x * 100)} %`).join(' + ');

function split<T>(xs: T[], n: number): T[][] {
  return Array.from({ length: n }, (_, i) => xs.filter((_x, k) => k % n === i));
}

interface Server {
  store: Store;
  /** The throw-away PostgreSQL database's name (its backends are ours alone), or null on PGlite. */
  database: string | null;
  url: string;
  registry: Registry;
  close(): Promise<void>;
}

const INGEST_LOGIN = { username: 'ingest', password: 'bench' };

/**
 * PGlite: exactly `onestop serve`'s core (`startEmbedded`: database thread, broker, in-process
 * ingest). PostgreSQL: broker and ingest in this process over TCP, as before, with 4 commit lanes.
 */
async function startServer(kind: 'pglite' | 'postgres'): Promise<Server> {
  const registry = new Registry();
  const broker = {
    mqttPort: 0,
    host: '127.0.0.1',
    serviceCredentials: [{ ...INGEST_LOGIN, role: 'ingest' as const }],
    rateLimit: null,
  };
  if (kind === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'onestop-bench-'));
    const core = await startEmbedded({
      dataDir: dir,
      broker,
      ingest: { ...INGEST_LOGIN, clientId: 'bench-ingest' },
      registry,
      logger,
    });
    return {
      store: core.store,
      database: null,
      url: `mqtt://127.0.0.1:${core.broker.port}`,
      registry,
      async close() {
        await core.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const store = await openTestStore('postgres');
  const b = await startBroker({ ...broker, store, registry, logger });
  const url = `mqtt://127.0.0.1:${b.port}`;
  const ingest = await startIngest({
    store,
    mqttUrl: url,
    ...INGEST_LOGIN,
    clientId: 'bench-ingest',
    registry,
    logger,
  });
  return {
    store,
    database: store.url ? new URL(store.url).pathname.slice(1) : null,
    url,
    registry,
    async close() {
      await ingest.close();
      await b.close();
      await store.close();
    },
  };
}

async function ingestRun(kind: 'pglite' | 'postgres') {
  const server = await startServer(kind);
  const { store, url, registry } = server;
  const unit = uniqueUnit('bench');
  const devices = await insertBenchDevices(store.db, unit, cfg.devices);
  await signInBenchOfficer(store.db, unit, devices);
  const workers = new Workers(
    split(devices, cfg.workers).map((d) => ({
      kind: 'ratings',
      mode: 'ingest',
      url,
      devices: d,
      perDevice: cfg.perDevice,
      window: cfg.window,
    })),
  );
  try {
    await workers.next('ready');
    const backends = server.database ? new BackendCpu(store.db, server.database) : null;
    await backends?.start();
    // Backends may come and go with the pool: read them now and then, not only at the ends.
    const sampling = backends ? setInterval(() => void backends.sample().catch(() => {}), 1_000) : null;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const main0 = mainThreadCpuMs();
    workers.go();
    const done = await workers.next('done');
    const seconds = (performance.now() - t0) / 1000;
    const serverCpuMs = cpuMs(cpu0);
    const mainCpu = (mainThreadCpuMs() - main0) / 1000 / seconds;
    if (sampling) clearInterval(sampling);
    await backends?.sample();
    const databaseCpuMs = backends ? backends.usedUs() / 1000 : null;
    const serverCpu = serverCpuMs / 1000 / seconds;
    const total = done.reduce((n, d) => n + d.count, 0);
    const stored = await store.db.$count(schema.ratings, eq(schema.ratings.unitId, unit));
    // What the roll-ups counted: a re-sent rating counted twice would show here, not in `ratings`.
    // Each placed rating is in exactly one column: counted for its officer, unverified or filtered
    // (most of the generator's presses are seconds apart: rapid repeats).
    const r = schema.hourlyRollups;
    const [counted] = await store.db
      .select({ n: sql<number>`coalesce(sum(${r.ratings} + ${r.unverified} + ${r.filtered}), 0)::int` })
      .from(schema.hourlyRollups)
      .where(eq(schema.hourlyRollups.unitId, unit));
    const lat = done.flatMap((d) => d.latenciesMs);
    const mean = async (name: string) => {
      const values = (await registry.getSingleMetric(name)?.get())?.values ?? [];
      const pick = (suffix: string) =>
        values.find((v) => (v as { metricName?: string }).metricName?.endsWith(suffix))?.value ?? 0;
      return pick('_sum') / Math.max(1, pick('_count'));
    };
    const meanBatch = Math.round(await mean('onestop_ingest_batch_size'));
    const meanCommitMs = Math.round((await mean('onestop_ingest_batch_seconds')) * 1000);
    await workers.exit();
    const usPerRating = (ms: number) => (ms * 1000) / total;
    return {
      kind,
      total,
      stored,
      counted: counted?.n ?? 0,
      lost: Math.max(0, total - stored) + Math.max(0, total - (counted?.n ?? 0)),
      duplicated: Math.max(0, stored - total) + Math.max(0, (counted?.n ?? 0) - total),
      perSecond: Math.round(total / seconds),
      seconds,
      p50: pct(lat, 50),
      p95: pct(lat, 95),
      p99: pct(lat, 99),
      meanBatch,
      meanCommitMs,
      resent: done.reduce((n, d) => n + d.resent, 0),
      serverCpu,
      mainCpu,
      databaseCpu: databaseCpuMs === null ? null : databaseCpuMs / 1000 / seconds,
      serverUsPerRating: usPerRating(serverCpuMs),
      withDatabaseUsPerRating: usPerRating(serverCpuMs + (databaseCpuMs ?? 0)),
      workerCpu: done.map((d) => d.cpuMs / 1000 / seconds),
    };
  } finally {
    workers.kill();
    await server.close();
  }
}

async function passthroughRun() {
  const unit = uniqueUnit('bench-pt');
  const devices: BenchDevice[] = Array.from({ length: cfg.devices }, (_, i) => ({
    username: '',
    password: '',
    clientId: `${unit}-d${i}`,
    address: { unitId: unit, counterId: `q${Math.floor(i / 4)}`, deviceId: `d${i}` },
  }));
  const workers = new Workers(
    split(devices, cfg.workers).map((d) => ({
      kind: 'ratings',
      mode: 'passthrough',
      url: cfg.mosquitto,
      devices: d,
      perDevice: cfg.perDevice,
      window: cfg.window,
    })),
  );
  // The reference: the local Mosquitto's own CPU per message, from /proc like everything else.
  const mosquitto = findProcess('mosquitto');
  try {
    await workers.next('ready');
    const mosq0 = mosquitto === null ? Number.NaN : procCpuUs(String(mosquitto));
    const t0 = performance.now();
    workers.go();
    const done = await workers.next('done');
    const seconds = (performance.now() - t0) / 1000;
    const mosquittoUs = mosquitto === null ? Number.NaN : procCpuUs(String(mosquitto)) - mosq0;
    await workers.exit();
    const total = done.reduce((n, d) => n + d.count, 0);
    const lat = done.flatMap((d) => d.latenciesMs);
    const workerCpu = done.map((d) => d.cpuMs / 1000 / seconds);
    return {
      total,
      perSecond: Math.round(total / seconds),
      seconds,
      p50: pct(lat, 50),
      p99: pct(lat, 99),
      workerCpu,
      mosquittoPid: mosquitto,
      mosquittoCpu: mosquittoUs / 1e6 / seconds,
      mosquittoUsPerMsg: mosquittoUs / total,
    };
  } finally {
    workers.kill();
  }
}

/**
 * Broker memory per connection. PGlite stays in this thread here: in a worker thread its memory
 * (inserting 10,000 devices swings it by hundreds of MB) would blur the process RSS figures.
 */
async function connectionsRun() {
  const dir = mkdtempSync(join(tmpdir(), 'onestop-bench-'));
  const store = await openStore({ kind: 'pglite', dataDir: dir });
  const broker = await startBroker({
    store,
    mqttPort: 0,
    host: '127.0.0.1',
    registry: new Registry(),
    logger,
    serviceCredentials: [],
  });
  const devices = await insertBenchDevices(store.db, uniqueUnit('bench-conn'), cfg.connections);
  // --expose-gc (set in the npm script) so that RSS deltas are not leftovers of earlier runs.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  const url = `mqtt://127.0.0.1:${broker.port}`;
  const workers = new Workers(
    split(devices, cfg.workers).map((d) => ({
      kind: 'connections',
      url,
      devices: d,
      keepalive: cfg.keepaliveS,
    })),
  );
  try {
    const connected = await workers.next('connected');
    const connectMs = Math.max(...connected.map((c) => c.connectMs));
    gc?.();
    const rssConnected = process.memoryUsage().rss;
    await new Promise((r) => setTimeout(r, cfg.holdMs));
    workers.go();
    const alive = (await workers.next('alive')).reduce((n, a) => n + a.connected, 0);
    const onBroker = broker.connectedDevices().length;
    gc?.();
    const rssHeld = process.memoryUsage().rss;
    const heapHeld = process.memoryUsage().heapUsed;
    workers.go();
    await workers.exit();
    return {
      n: cfg.connections,
      connectMs,
      alive,
      onBroker,
      rssBefore,
      rssConnected,
      rssHeld,
      heapBefore,
      heapHeld,
    };
  } finally {
    workers.kill();
    await broker.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  console.log(
    `# bench:ingest — ${cpus().length}× ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, ${cfg.devices} devices × ${cfg.perDevice} ratings (≤ ${cfg.window} in flight each), ${cfg.workers} worker processes, load ${loadavg()[0]?.toFixed(1)}\n`,
  );
  if (cfg.connections > 0) {
    const c = await connectionsRun();
    console.log(
      `${c.n} authenticated connections (keepalive ${cfg.keepaliveS} s): all up in ${(c.connectMs / 1000).toFixed(1)} s; ` +
        `after ${cfg.holdMs / 1000} s of heartbeats ${c.alive} alive client-side, ${c.onBroker} on the broker; ` +
        `broker process RSS ${mb(c.rssBefore)} → ${mb(c.rssConnected)} MB connected → ${mb(c.rssHeld)} MB held, ` +
        `JS heap +${mb(c.heapHeld - c.heapBefore)} MB (${((c.heapHeld - c.heapBefore) / c.n / 1024).toFixed(1)} KiB per connection)`,
    );
  }
  const pt = await passthroughRun();
  const ref = pt.mosquittoUsPerMsg;
  const times = (us: number) =>
    Number.isFinite(ref) && ref > 0 ? ` = ${(us / ref).toFixed(1)}× Mosquitto` : '';
  console.log(
    `Mosquitto QoS 1 pass-through: ${pt.total} msgs in ${pt.seconds.toFixed(2)} s = ${pt.perSecond}/s; ` +
      `Mosquitto (pid ${pt.mosquittoPid ?? '?'}) CPU ${cores([pt.mosquittoCpu])}, ${Math.round(ref)} µs per message; ` +
      `generator CPU ${cores(pt.workerCpu)}`,
  );
  const runs: Awaited<ReturnType<typeof ingestRun>>[] = [];
  for (const kind of cfg.backends) {
    const r = await ingestRun(kind);
    runs.push(r);
    const db =
      r.databaseCpu === null
        ? ''
        : `; + PostgreSQL backends ${cores([r.databaseCpu])} = ${Math.round(r.withDatabaseUsPerRating)} µs per rating with the database${times(r.withDatabaseUsPerRating)}`;
    console.log(
      `broker+ingest on ${kind}: ${r.total} ratings committed+acked in ${r.seconds.toFixed(2)} s = ${r.perSecond}/s ` +
        `(${((r.perSecond / pt.perSecond) * 100).toFixed(0)} % of pass-through); stored ${r.stored}, counted in roll-ups ${r.counted}, lost ${r.lost}, duplicated ${r.duplicated}; ` +
        `send→ack p50 ${r.p50} ms, p95 ${r.p95} ms, p99 ${r.p99} ms; mean batch ${r.meanBatch} committed in ${r.meanCommitMs} ms; re-sends ${r.resent}; ` +
        `CPU: broker+ingest process ${cores([r.serverCpu])} (main thread ${cores([r.mainCpu])}; ` +
        `${Math.round(r.serverUsPerRating)} µs per rating${times(r.serverUsPerRating)})${db}; generator ${cores(r.workerCpu)}`,
    );
  }
  const file = jsonPath(process.argv.slice(2));
  if (file) {
    const on = (k: 'pglite' | 'postgres') => runs.find((r) => r.kind === k);
    const round = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? null : Math.round(x));
    const figures = {
      date: new Date().toISOString(),
      machine: {
        nproc: cpus().length,
        cpu: cpus()[0]?.model ?? null,
        node: process.version,
        loadavg: loadavg(),
      },
      config: cfg,
      mosquittoCpuUsPerMsg: round(ref),
      pgliteCpuUsPerRating: round(on('pglite')?.serverUsPerRating),
      postgresCpuUsPerRating: round(on('postgres')?.withDatabaseUsPerRating),
      postgresServerCpuUsPerRating: round(on('postgres')?.serverUsPerRating),
      pgliteRatePerS: on('pglite')?.perSecond ?? null,
      postgresRatePerS: on('postgres')?.perSecond ?? null,
      passThroughRatePerS: pt.perSecond,
      lost: runs.reduce((n, r) => n + r.lost, 0),
      duplicated: runs.reduce((n, r) => n + r.duplicated, 0),
      runs,
      passThrough: pt,
    };
    writeFileSync(file, `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`figures written to ${file}`);
  }
  const bad = runs.filter((r) => r.lost > 0 || r.duplicated > 0);
  if (bad.length > 0)
    throw new Error(
      `lost or duplicated ratings: ${JSON.stringify(bad.map((r) => [r.kind, r.lost, r.duplicated]))}`,
    );
}

await main();
process.exit(0);
