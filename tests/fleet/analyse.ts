import { readFileSync } from 'node:fs';

export interface Produced {
  deviceId: string;
  channel: string;
  recordedAt: number;
  /**
   * When it could first leave the device: a rating is held for its undo window, and so is every
   * later event of its counter (the outbox sends in recorded order), until the hold is released.
   */
  sendableAt: number;
  ackedAt: number | null;
}

/**
 * The recorded (`R id device channel ms [H<until>]`, H: held for the undo window until then),
 * released (`U device ms`) and acknowledged (`A id ms`) lines of every fleet process, by eventId.
 */
export function readLogs(files: readonly string[]): Map<string, Produced> {
  const events = new Map<string, Produced>();
  const acks: Array<[string, number]> = [];
  const heldUntil = new Map<string, number>();
  const releases = new Map<string, number[]>();
  for (const f of files) {
    for (const l of readFileSync(f, 'utf8').split('\n')) {
      const p = l.split(' ');
      const hold = p.length === 6 && /^H\d+$/.test(p[5]!) ? Number(p[5]!.slice(1)) : null;
      if (p[0] === 'R' && (p.length === 5 || hold !== null)) {
        const at = Number(p[4]);
        events.set(p[1]!, { deviceId: p[2]!, channel: p[3]!, recordedAt: at, sendableAt: at, ackedAt: null });
        if (hold !== null) heldUntil.set(p[1]!, hold);
      } else if (p[0] === 'U' && p.length === 3) {
        const list = releases.get(p[1]!) ?? [];
        list.push(Number(p[2]));
        releases.set(p[1]!, list);
      } else if (p[0] === 'A' && p.length === 3) acks.push([p[1]!, Number(p[2])]);
    }
  }
  for (const [id, at] of acks) {
    const e = events.get(id);
    if (e && (e.ackedAt === null || at < e.ackedAt)) e.ackedAt = at;
  }
  holdBack(events, heldUntil, releases);
  return events;
}

/**
 * Sets `sendableAt` of the events held ratings kept back. A hold ends at its time or at its
 * counter's first release after it began, whichever is first (a release may also happen silently:
 * the publisher expiring a hold whose time is over, a restart): the outbox sends in recorded
 * order, so an event may leave once every hold begun before it has ended. Never after its own ack.
 */
function holdBack(
  events: Map<string, Produced>,
  heldUntil: Map<string, number>,
  releases: Map<string, number[]>,
) {
  const byDevice = new Map<string, Array<[string, Produced]>>();
  for (const entry of events) {
    const list = byDevice.get(entry[1].deviceId) ?? [];
    list.push(entry);
    byDevice.set(entry[1].deviceId, list);
  }
  for (const [device, list] of byDevice) {
    list.sort((a, b) => a[1].recordedAt - b[1].recordedAt);
    const freed = (releases.get(device) ?? []).sort((a, b) => a - b);
    let blockedUntil = 0;
    for (const [id, e] of list) {
      const until = heldUntil.get(id);
      if (until !== undefined) {
        const released = freed.find((t) => t >= e.recordedAt) ?? Number.POSITIVE_INFINITY;
        blockedUntil = Math.max(blockedUntil, Math.min(until, released));
      }
      if (blockedUntil > e.recordedAt) e.sendableAt = Math.min(blockedUntil, e.ackedAt ?? blockedUntil);
    }
  }
}

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface Window {
  start: number;
  end: number;
}

/**
 * Ack latencies (ms) from when each event could leave its device (`sendableAt`: after the undo
 * window of a rating, which is the product's choice and not the pipeline's delay) to its ack;
 * `outside`, those whose wait overlaps none of `windows`; `recorded`, from record to ack, the
 * undo window included, for the reader who wants the citizen-to-centre time.
 */
export function ackLatencies(events: Iterable<Produced>, windows: readonly Window[]) {
  const all: number[] = [];
  const outside: number[] = [];
  const recorded: number[] = [];
  for (const e of events) {
    if (e.ackedAt === null) continue;
    const ms = e.ackedAt - e.sendableAt;
    all.push(ms);
    recorded.push(e.ackedAt - e.recordedAt);
    if (!windows.some((w) => e.recordedAt <= w.end && e.ackedAt! >= w.start)) outside.push(ms);
  }
  for (const list of [all, outside, recorded]) list.sort((a, b) => a - b);
  return { all, outside, recorded };
}

/**
 * How long after a fault ended the last event recorded before its end was acknowledged: the
 * time every outbox took to drain (0 when nothing was left waiting; null when something never was).
 */
export function drainedMs(events: Iterable<Produced>, end: number): number | null {
  let last = end;
  for (const e of events) {
    if (e.recordedAt > end) continue;
    if (e.ackedAt === null) return null;
    last = Math.max(last, e.ackedAt);
  }
  return last - end;
}

export interface StoredRow {
  eventId: string;
  deviceId: string;
  bootId: string;
  seq: number;
}

/**
 * Lost: acknowledged to an agent (so gone from its outbox) but not in the centre's event log.
 * Pending: neither acknowledged nor stored, so still on the device's disk (outbox or dead-letter
 * table) when the run ended; not lost, but not delivered either. Duplicated: one device event
 * (deviceId, bootId, seq) stored more than once (eventId is the key, so that is how a double
 * shows). Unknown: stored events of the fleet's devices that no log line names.
 */
export function compare(
  produced: Map<string, Produced>,
  stored: readonly StoredRow[],
  afterDrain: (e: Produced) => boolean = () => false,
  /** Devices whose fleet process was SIGKILLed during the day (`kill-agents`). */
  killed: ReadonlySet<string> = new Set(),
) {
  const storedIds = new Set(stored.map((r) => r.eventId));
  const missing = [...produced.entries()].filter(([id]) => !storedIds.has(id));
  const lostIds = missing.filter(([, e]) => e.ackedAt !== null).map(([id]) => id);
  const unsent = missing.filter(([, e]) => e.ackedAt === null);
  // Recorded once the fleet had drained (a camera's summary as its agent stops): on the device's
  // disk for its next start, not a delivery the centre owed.
  const pendingAfterDrain = unsent.filter(([, e]) => afterDrain(e)).length;
  const pending = unsent.length - pendingAfterDrain;
  const origins = new Map<string, number>();
  for (const r of stored) {
    const k = `${r.deviceId}/${r.bootId}/${r.seq}`;
    origins.set(k, (origins.get(k) ?? 0) + 1);
  }
  const duplicated = [...origins.values()].reduce((s, n) => s + (n - 1), 0);
  // An agent logs an event once its outbox holds it on disk: a SIGKILL between the two leaves a
  // stored event no log line names. Only such an event is explained: on a killed device, of a boot
  // whose other events are logged, after the last of them (the tail its process died with).
  const lastLogged = new Map<string, number>();
  for (const r of stored)
    if (produced.has(r.eventId)) {
      const k = `${r.deviceId}/${r.bootId}`;
      lastLogged.set(k, Math.max(lastLogged.get(k) ?? -1, r.seq));
    }
  const unnamed = stored.filter((r) => !produced.has(r.eventId));
  const diedWithProcess = unnamed.filter(
    (r) => killed.has(r.deviceId) && r.seq > (lastLogged.get(`${r.deviceId}/${r.bootId}`) ?? Infinity),
  );
  const unknown = unnamed.length - diedWithProcess.length;
  // Never acknowledged, though recorded while the centre still owed an answer (stored or not).
  const unacked = [...produced.entries()].filter(([, e]) => e.ackedAt === null && !afterDrain(e));
  return {
    unacked: unacked.map(([eventId, e]) => ({ eventId, ...e })),
    /** Stored, and recorded as its fleet process was SIGKILLed: its log line died with it. */
    unloggedAtKill: diedWithProcess.length,
    lost: lostIds.length,
    lostIds: lostIds.slice(0, 20),
    pending,
    pendingAfterDrain,
    duplicated,
    unknown,
  };
}

/**
 * The least-squares slope of memory over time, in MB per hour, from `[ms, MB]` samples;
 * null with fewer than two instants.
 */
export function slopeMbPerHour(samples: ReadonlyArray<readonly [number, number]>): number | null {
  if (samples.length < 2) return null;
  const n = samples.length;
  const mt = samples.reduce((a, [t]) => a + t, 0) / n;
  const mm = samples.reduce((a, [, m]) => a + m, 0) / n;
  let cov = 0;
  let vt = 0;
  for (const [t, m] of samples) {
    cov += (t - mt) * (m - mm);
    vt += (t - mt) ** 2;
  }
  return vt === 0 ? null : Math.round((cov / vt) * 3_600_000 * 10) / 10;
}
