/**
 * A load-generator process: simulated devices publishing ratings at QoS 1, or just holding
 * connections with heartbeats. Driven over IPC by bench/main.ts.
 */
import { topicFor } from '@onestop/protocol';
import { connectReconnecting, type ReconnectingClient, ratingFor, SimDevice } from '@onestop/service/testing';
import type { BenchDevice } from './devices.js';

export type WorkerTask =
  | {
      kind: 'ratings';
      mode: 'ingest' | 'passthrough';
      url: string;
      devices: BenchDevice[];
      perDevice: number;
      /** Events in flight per device (unacknowledged, or not yet seen by the subscriber). */
      window: number;
    }
  | { kind: 'connections'; url: string; devices: BenchDevice[]; keepalive: number };

export type WorkerReport =
  | { kind: 'ready' }
  | { kind: 'done'; count: number; latenciesMs: number[]; resent: number; cpuMs: number }
  | { kind: 'connected'; connected: number; connectMs: number }
  | { kind: 'alive'; connected: number };

const send = (m: WorkerReport) => process.send?.(m);
const nextGo = () => new Promise<void>((r) => process.once('message', () => r()));

/**
 * Closed loop: each device keeps at most `window` events in flight and sends the next when one
 * completes. Open-loop blasting would only measure queue limits (Mosquitto drops QoS 1 messages
 * beyond `max_queued_messages` for a slow subscriber).
 */
async function ratings(t: Extract<WorkerTask, { kind: 'ratings' }>) {
  const total = t.devices.length * t.perDevice;
  let finished = 0;
  let resolveDone: () => void = () => {};
  const allDone = new Promise<void>((r) => (resolveDone = r));
  // A lost message would stall a closed loop for ever: fail loudly instead.
  let lastFinished = -1;
  const watchdog = setInterval(() => {
    if (finished === lastFinished) {
      console.error(`bench worker stalled at ${finished}/${total}`);
      process.exit(2);
    }
    lastFinished = finished;
  }, 30_000);
  watchdog.unref();
  const latenciesMs: number[] = [];
  let resent = 0;

  if (t.mode === 'ingest') {
    const devs = t.devices.map(
      (d) =>
        new SimDevice({
          urls: [t.url],
          username: d.username,
          password: d.password,
          clientId: d.clientId,
          address: d.address,
          resendMs: 30_000,
        }),
    );
    await Promise.all(devs.map((d) => d.ready()));
    send({ kind: 'ready' });
    await nextGo();
    const cpu0 = process.cpuUsage();
    for (const d of devs) {
      let sent = 0;
      let acked = 0;
      const topUp = () => {
        finished += d.acked - acked;
        acked = d.acked;
        while (sent < t.perDevice && d.outbox.size < t.window) {
          d.send(ratingFor(d.opts.address.deviceId));
          sent++;
        }
        if (finished >= total) resolveDone();
      };
      d.onAck = topUp;
      topUp();
    }
    await allDone;
    for (const d of devs) {
      latenciesMs.push(...d.latenciesMs);
      resent += d.resent;
    }
    send({ kind: 'done', count: total, latenciesMs: sample(latenciesMs, 5_000), resent, cpuMs: cpuMs(cpu0) });
    await Promise.all(devs.map((d) => d.close()));
    return;
  }

  // Plain pass-through: the same ratings at QoS 1, each delivered at QoS 1 back to its own device
  // client (one subscriber per device: a single subscriber for all would hit the broker's
  // per-client queue limit, not its throughput).
  // Like every client of ours, each comes back after a refusal or a drop (shared backoff).
  const connections = t.devices.map((d) =>
    connectReconnecting(t.url, { clientId: `${d.clientId}-pt`, clean: true }),
  );
  await Promise.all(connections.map((c) => c.connected()));
  const clients = connections.map((c) => c.client);
  const inFlight = t.devices.map(() => new Map<string, number>());
  const sentBy = t.devices.map(() => 0);
  const topUp = (i: number) => {
    const d = t.devices[i]!;
    while (sentBy[i]! < t.perDevice && inFlight[i]!.size < t.window) {
      const r = ratingFor(d.address.deviceId);
      inFlight[i]!.set(r.eventId, Date.now());
      sentBy[i]!++;
      clients[i]!.publish(topicFor(d.address, 'evt/rating'), JSON.stringify(r), { qos: 1 });
    }
  };
  await Promise.all(
    clients.map(async (c, i) => {
      c.on('message', (_topic, payload) => {
        const id = (JSON.parse(payload.toString()) as { eventId: string }).eventId;
        const at = inFlight[i]!.get(id);
        if (at === undefined) return;
        inFlight[i]!.delete(id);
        latenciesMs.push(Date.now() - at);
        if (++finished >= total) resolveDone();
        topUp(i);
      });
      await c.subscribeAsync(topicFor(t.devices[i]!.address, 'evt/rating'), { qos: 1 });
    }),
  );
  send({ kind: 'ready' });
  await nextGo();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < t.devices.length; i++) topUp(i);
  await allDone;
  send({
    kind: 'done',
    count: total,
    latenciesMs: sample(latenciesMs, 5_000),
    resent: 0,
    cpuMs: cpuMs(cpu0),
  });
  await Promise.all(connections.map((c) => c.end()));
}

async function connections(t: Extract<WorkerTask, { kind: 'connections' }>) {
  const started = Date.now();
  const clients: ReconnectingClient[] = [];
  // Bounded concurrency: a real fleet does not all dial in the same millisecond either. A device
  // refused at first (a busy broker answers 3) retries with the shared backoff, as a counter would.
  const queue = [...t.devices];
  await Promise.all(
    Array.from({ length: 200 }, async () => {
      for (let d = queue.shift(); d; d = queue.shift()) {
        const c = connectReconnecting(t.url, {
          clientId: d.clientId,
          username: d.username,
          password: d.password,
          clean: true,
          keepalive: t.keepalive,
          connectTimeout: 60_000,
        });
        clients.push(c);
        await c.connected();
      }
    }),
  );
  send({ kind: 'connected', connected: clients.length, connectMs: Date.now() - started });
  await nextGo();
  send({ kind: 'alive', connected: clients.filter((c) => c.client.connected).length });
  await nextGo();
  await Promise.all(clients.map((c) => c.end(true)));
}

/** CPU time (user + system) this process used since `from`, in ms. */
export function cpuMs(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return Math.round((d.user + d.system) / 1000);
}

function sample<T>(xs: T[], n: number): T[] {
  if (xs.length <= n) return xs;
  const step = xs.length / n;
  return Array.from({ length: n }, (_, i) => xs[Math.floor(i * step)] as T);
}

// Never outlive the bench that started us.
process.on('disconnect', () => process.exit(1));

process.once('message', (task: WorkerTask) => {
  const run = task.kind === 'ratings' ? ratings(task) : connections(task);
  run.then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
