/**
 * `npm run bench:fleet -- --counters 1000 --hours 10 --speed 60 --json FILE`: a city's compressed
 * working day against `onestop serve`, with faults; prints the figures and writes them as JSON.
 * `--target split`: against two clustered brokers, an ingest and a dashboard on a private
 * PostgreSQL, with a broker, the ingest and PostgreSQL (`--postgres-down-s`) taken down.
 * `--faults partition,kill-serve` injects only those; `--partition-min 10` is how long (simulated)
 * a group of counters is cut off (network namespaces: root or CAP_NET_ADMIN, else recorded skipped).
 * `--devices-nice 10`: the fleet processes yield the CPU to the centre, as a thousand boards with
 * CPUs of their own would (their own delays, receiving acks included, still count).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type FaultPlan, runFleet } from './run.js';

const { values: a } = parseArgs({
  options: {
    counters: { type: 'string', default: '1000' },
    hours: { type: 'string', default: '10' },
    speed: { type: 'string', default: '60' },
    workers: { type: 'string' },
    json: { type: 'string' },
    'no-faults': { type: 'boolean', default: false },
    'outage-s': { type: 'string', default: '20' },
    /** Which of the day's faults to inject (comma-separated kinds); all by default. */
    faults: { type: 'string' },
    /** Simulated minutes a group of counters is cut off from the centre. */
    'partition-min': { type: 'string', default: '10' },
    soak: { type: 'string' },
    /** Counters with a citizen camera (real perception on replayed photographs); default 1 per 500. */
    cameras: { type: 'string' },
    'camera-fps': { type: 'string', default: '1' },
    keep: { type: 'boolean', default: false },
    target: { type: 'string', default: 'serve' },
    'postgres-down-s': { type: 'string', default: '60' },
    'devices-nice': { type: 'string', default: '0' },
  },
});

const num = (name: string, v: string | undefined) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got ${v}`);
  return n;
};
const counters = Math.round(num('counters', a.counters));
const down = num('outage-s', a['outage-s']);
const soakS = a.soak ? num('soak', a.soak) : null;
const target = a.target;
if (target !== 'serve' && target !== 'split') throw new Error(`--target is serve or split, got ${target}`);
// What can go wrong differs: one process to kill, or brokers, an ingest and a database apart.
const deliveryFaults: FaultPlan[] =
  target === 'serve'
    ? [{ kind: 'kill-serve', at: 0.35, downS: down }]
    : [
        // Apart, so that each fault's drain is its own (a 10-hour day: 2.5, 3.5 and 4.5 real min).
        { kind: 'kill-broker', at: 0.25, downS: down },
        { kind: 'kill-ingest', at: 0.35, downS: down },
        { kind: 'stop-postgres', at: 0.45, downS: num('postgres-down-s', a['postgres-down-s']) },
      ];
const speed = num('speed', a.speed);
// A soak measures memory over a long quiet run; the day's faults are for the day.
const day: FaultPlan[] = [
  { kind: 'skew-minutes', at: 0.1 },
  { kind: 'skew-years', at: 0.2, downS: down },
  ...deliveryFaults,
  // Mid-morning peak (serve: the split deployment's brokers listen on loopback only): the cut-off
  // counters' outboxes grow, then drain alongside live traffic.
  ...(target === 'serve'
    ? [
        {
          kind: 'partition' as const,
          at: 0.45,
          downS: (num('partition-min', a['partition-min']) * 60) / speed,
        },
      ]
    : []),
  { kind: 'kill-agents', at: 0.6, downS: down },
];
const chosen = a.faults?.split(',').map((k) => k.trim()) ?? day.map((f) => f.kind);
const unknown = chosen.filter((k) => !day.some((f) => f.kind === k));
if (unknown.length > 0)
  throw new Error(`--faults: unknown ${unknown.join(', ')}; known: ${day.map((f) => f.kind).join(', ')}`);
// Each camera runs real inference on the same 2 cores as the fleet and the centre (a real one has
// its own board): 1 per 500 counters keeps them from starving the rest (10 at 1,000 did: acks 47 s).
const cameras = a.cameras === undefined ? Math.max(1, Math.round(counters / 500)) : Number(a.cameras);
if (!Number.isInteger(cameras) || cameras < 0 || cameras > counters)
  throw new Error(`--cameras must be a whole number 0–${counters}, got ${a.cameras}`);
const devicesNice = Number(a['devices-nice']);
if (!Number.isInteger(devicesNice) || devicesNice < 0 || devicesNice > 19)
  throw new Error(`--devices-nice must be a whole number 0–19, got ${a['devices-nice']}`);
const faults: FaultPlan[] = a['no-faults'] || soakS ? [] : day.filter((f) => chosen.includes(f.kind));
const report = await runFleet({
  target,
  counters,
  hours: num('hours', a.hours),
  speed,
  // About 125 agents per process: a handful of processes share 2 cores without starving serve.
  workers: a.workers ? Math.round(num('workers', a.workers)) : Math.max(2, Math.ceil(counters / 125)),
  faults,
  cameras,
  cameraFps: num('camera-fps', a['camera-fps']),
  soakS,
  devicesNice,
  keepDir: a.keep,
  log: (l) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${l}`),
});
console.log(JSON.stringify(report, null, 2));
if (a.json) writeFileSync(a.json, `${JSON.stringify(report, null, 2)}\n`);
const ok =
  report.lost === 0 &&
  report.pending === 0 &&
  report.duplicated === 0 &&
  report.drained &&
  report.serverCrashes.length === 0;
process.exitCode = ok ? 0 : 1;
