import { readFileSync } from 'node:fs';

export interface Produced {
  deviceId: string;
  channel: string;
  recordedAt: number;
  ackedAt: number | null;
}

/** The recorded (`R`) and acknowledged (`A`) lines of every fleet process, by eventId. */
export function readLogs(files: readonly string[]): Map<string, Produced> {
  const events = new Map<string, Produced>();
  const acks: Array<[string, number]> = [];
  for (const f of files) {
    for (const l of readFileSync(f, 'utf8').split('\n')) {
      const p = l.split(' ');
      if (p[0] === 'R' && p.length === 5)
        events.set(p[1]!, { deviceId: p[2]!, channel: p[3]!, recordedAt: Number(p[4]), ackedAt: null });
      else if (p[0] === 'A' && p.length === 3) acks.push([p[1]!, Number(p[2])]);
    }
  }
  for (const [id, at] of acks) {
    const e = events.get(id);
    if (e && (e.ackedAt === null || at < e.ackedAt)) e.ackedAt = at;
  }
  return events;
}

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface Window {
  start: number;
  end: number;
}

/** Ack latencies (ms) of events whose wait from record to ack overlaps none of `windows`. */
export function ackLatencies(events: Iterable<Produced>, windows: readonly Window[]) {
  const all: number[] = [];
  const outside: number[] = [];
  for (const e of events) {
    if (e.ackedAt === null) continue;
    const ms = e.ackedAt - e.recordedAt;
    all.push(ms);
    if (!windows.some((w) => e.recordedAt <= w.end && e.ackedAt! >= w.start)) outside.push(ms);
  }
  all.sort((a, b) => a - b);
  outside.sort((a, b) => a - b);
  return { all, outside };
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
export function compare(produced: Map<string, Produced>, stored: readonly StoredRow[]) {
  const storedIds = new Set(stored.map((r) => r.eventId));
  const missing = [...produced.entries()].filter(([id]) => !storedIds.has(id));
  const lostIds = missing.filter(([, e]) => e.ackedAt !== null).map(([id]) => id);
  const pending = missing.length - lostIds.length;
  const origins = new Map<string, number>();
  for (const r of stored) {
    const k = `${r.deviceId}/${r.bootId}/${r.seq}`;
    origins.set(k, (origins.get(k) ?? 0) + 1);
  }
  const duplicated = [...origins.values()].reduce((s, n) => s + (n - 1), 0);
  const unknown = stored.filter((r) => !produced.has(r.eventId)).length;
  return { lost: lostIds.length, lostIds: lostIds.slice(0, 20), pending, duplicated, unknown };
}
