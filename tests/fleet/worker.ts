/**
 * One fleet process: N counters, each the REAL agent (outbox on disk, MQTT transport, counter
 * state machine) with virtual keypad, scanner and badge reader, driven through a working day.
 * What the agents record and what the server acknowledges is appended to a log file with a
 * synchronous write per line, so that a SIGKILL of this process loses no line already written.
 * The outbox fsyncs before `event.recorded`: a SIGKILL between the two leaves an event on disk
 * (sent by the restarted agent) that no line names; the analysis counts those apart
 * (`unloggedAtKill`), never as lost or unknown.
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { type SimulatedCounter, startSimulatedCounter, systemClock } from '@onestop/edge-agent';
import pino from 'pino';
import type { WorkerSpec } from './spec.js';

const spec = JSON.parse(readFileSync(process.env.FLEET_SPEC ?? '', 'utf8')) as WorkerSpec;
const logger = pino({ level: process.env.FLEET_LOG_LEVEL ?? 'error', base: { worker: spec.index } });
const log = openSync(spec.logFile, 'a');
const line = (s: string) => writeSync(log, `${s}\n`);
/** Device clock offsets (ms), changed while running by the orchestrator's `skew` fault. */
const skew = new Map<string, number>(Object.entries(spec.skews));
/**
 * Set by the orchestrator's `start` once every counter of the fleet is connected (a restarted
 * process has it already); until then the simulated clock stands still before opening, as counters
 * are on and connected before the centre opens.
 */
let realStart = spec.realStart;
const simNow = () => spec.simStart + (realStart ? (Date.now() - realStart) * spec.speed : 0);

const counters: SimulatedCounter[] = [];
const started = async () => {
  for (let i = 0; i < spec.counters.length; i += 25) {
    const batch = spec.counters.slice(i, i + 25);
    const ready = await Promise.all(
      batch.map(async (c) => {
        const sim = await startSimulatedCounter({
          mqttUrl: c.mqttUrl ?? spec.mqttUrl,
          unitId: c.unitId,
          counterId: c.counterId,
          deviceId: c.deviceId,
          username: c.username,
          password: c.password,
          dataDir: c.dataDir,
          seed: c.seed,
          speed: spec.speed,
          officers: c.officers,
          kioskPort: c.touch ? 0 : null,
          camera: c.camera ? spec.camera : null,
          logger: logger.child({ deviceId: c.deviceId }),
          day: { simNow, endOfDay: spec.simEnd, negativeShare: spec.negativeShare },
          clock: { now: () => Date.now() + (skew.get(c.deviceId) ?? 0), mono: systemClock.mono },
        });
        // `H<ms>`: a rating held for its undo window until then (real clock), which holds back
        // every later event of the counter too until it ends or `U` (released) says so first:
        // the ack latency is counted from when an event may leave.
        sim.agent.bus.on('event.recorded', ({ entry, heldUntil }) => {
          const held = heldUntil ? ` H${heldUntil - (skew.get(c.deviceId) ?? 0)}` : '';
          line(`R ${entry.eventId} ${c.deviceId} ${entry.channel} ${Date.now()}${held}`);
        });
        sim.agent.bus.on('outbox.released', () => line(`U ${c.deviceId} ${Date.now()}`));
        sim.agent.bus.on('event.acked', ({ eventIds }) => {
          const now = Date.now();
          for (const id of eventIds) line(`A ${id} ${now}`);
        });
        return sim;
      }),
    );
    counters.push(...ready);
  }
};

const report = () => {
  let total = 0;
  let max = 0;
  let connected = 0;
  let finished = 0;
  for (const c of counters) {
    const s = c.agent.state();
    total += s.outbox.depth;
    max = Math.max(max, s.outbox.depth);
    if (s.connected) connected++;
    if (c.finished()) finished++;
  }
  // `at`: every event this process recorded before then is acknowledged when `total` is 0.
  process.send?.({
    type: 'status',
    at: Date.now(),
    total,
    max,
    connected,
    finished,
    counters: counters.length,
    // The agents' heap, for the run's memory trend (the agents have no /metrics of their own).
    heapMb: getHeapStatistics().used_heap_size / (1024 * 1024),
  });
};

type Message =
  | { type: 'skew'; deviceIds: string[]; ms: number }
  | { type: 'stop' }
  | { type: 'start'; realStart: number };
process.on('message', (m: Message) => {
  if (m.type === 'skew') for (const id of m.deviceIds) skew.set(id, m.ms);
  if (m.type === 'stop') void stop();
  if (m.type === 'start') realStart = m.realStart;
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  clearInterval(timer);
  await Promise.allSettled(counters.map((c) => c.stop()));
  closeSync(log);
  process.exit(0);
}

const timer = setInterval(report, 1_000);
await started();
process.send?.({ type: 'ready' });
