/**
 * `ingestBatch` alone, no MQTT: what one transaction costs on each back end, for ratings only and
 * for a counter's mix of events (visit start, rating, expression summary, visit end, and a
 * sign-in and sign-out per device), with CPU per event (this process; on PostgreSQL also its
 * backends). `node --conditions=source --import tsx centre/src/bench/batch.ts`
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newEventId } from '@onestop/protocol';
import { ratingFor } from '@onestop/service/testing';
import { type IngestEvent, ingestBatch, openStore } from '@onestop/store';
import { openTestStore } from '@onestop/store/testing';
import { BackendCpu } from './cpu.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const probs = {
  neutral: 0.2,
  happy: 0.7,
  sad: 0.02,
  angry: 0.02,
  fearful: 0.02,
  disgusted: 0.02,
  surprised: 0.02,
};

function ratings(n: number): IngestEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    unitId: 'u',
    counterId: `q${i % 20}`,
    type: 'rating',
    payload: ratingFor(`d${i % 50}`, { officerId: `o${i % 20}` }),
  }));
}

/** About n events: per visit four events; per device one sign-in at the start, one sign-out at the end. */
function counterMix(n: number): IngestEvent[] {
  const out: IngestEvent[] = [];
  const devices = 20;
  const at = (o: ReturnType<typeof ratingFor>, d: number) => ({ unitId: 'u', counterId: `q${d}`, o });
  for (let d = 0; d < devices; d++) {
    const { o } = at(ratingFor(`d${d}`), d);
    const env = {
      v: 1 as const,
      eventId: newEventId(),
      deviceId: o.deviceId,
      bootId: o.bootId,
      seq: o.seq,
      ts: o.ts,
      mono: o.mono,
    };
    out.push({
      unitId: 'u',
      counterId: `q${d}`,
      type: 'presence',
      payload: { ...env, kind: 'session', state: 'signed_in', officerId: `o${d}`, source: 'badge' },
    });
  }
  for (let i = 0; out.length < n - devices; i++) {
    const d = i % devices;
    const r = ratingFor(`d${d}`, { officerId: `o${d}`, visitId: newEventId() });
    const visitId = r.visitId as string;
    const env = (k: number) => ({
      v: 1 as const,
      eventId: newEventId(),
      deviceId: r.deviceId,
      bootId: r.bootId,
      seq: r.seq * 10 + k,
      ts: r.ts + k,
      mono: r.mono + k,
    });
    const base = { unitId: 'u', counterId: `q${d}` };
    out.push(
      {
        ...base,
        type: 'visit',
        payload: {
          ...env(1),
          phase: 'start',
          visitId,
          officerId: `o${d}`,
          ticket: null,
          trigger: 'ticket',
          startedAt: r.ts,
        },
      },
      { ...base, type: 'rating', payload: r },
      {
        ...base,
        type: 'expression',
        payload: {
          ...env(2),
          visitId,
          officerId: `o${d}`,
          startedAt: r.ts,
          endedAt: r.ts + 1,
          frames: 10,
          exitFrames: 2,
          mean: probs,
          exit: probs,
          satisfactionIndex: 0.7,
          confidence: 0.5,
        },
      },
      {
        ...base,
        type: 'visit',
        payload: {
          ...env(3),
          phase: 'end',
          visitId,
          officerId: `o${d}`,
          ticket: null,
          dossierIds: [],
          startedAt: r.ts,
          endedAt: r.ts + 3,
          reason: 'rated',
          rated: true,
        },
      },
    );
  }
  for (let d = 0; d < devices; d++) {
    const o = ratingFor(`d${d}`);
    const env = {
      v: 1 as const,
      eventId: newEventId(),
      deviceId: o.deviceId,
      bootId: o.bootId,
      seq: o.seq + 1e6,
      ts: o.ts + 60_000,
      mono: o.mono,
    };
    out.push({
      unitId: 'u',
      counterId: `q${d}`,
      type: 'presence',
      payload: { ...env, kind: 'session', state: 'signed_out', officerId: `o${d}`, source: 'badge' },
    });
  }
  return out;
}

// PGlite on disk, as `onestop serve` runs it (in memory it skips all file I/O).
const dir = mkdtempSync(join(tmpdir(), 'onestop-batch-'));
for (const kind of ['pglite', 'postgres'] as const) {
  const store =
    kind === 'pglite'
      ? { ...(await openStore({ kind, dataDir: dir })), url: null }
      : await openTestStore(kind);
  const backends = store.url ? new BackendCpu(store.db, new URL(store.url).pathname.slice(1)) : null;
  for (const [name, make] of [
    ['ratings', ratings],
    ['counter mix', counterMix],
  ] as const) {
    for (const n of [100, 500]) {
      await ingestBatch(store.db, make(n)); // warm-up: plans, JIT
      await backends?.start();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      let total = 0;
      for (let k = 0; k < ROUNDS; k++) {
        const batch = make(n);
        await ingestBatch(store.db, batch);
        total += batch.length;
      }
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      await backends?.sample();
      const us = (cpu.user + cpu.system) / total;
      const db = backends ? ` + backends ${(backends.usedUs() / total).toFixed(0)}` : '';
      console.log(
        `${kind} ${name} batch ${n}: ${(ms / ROUNDS).toFixed(1)} ms/commit, ${Math.round(total / (ms / 1000))}/s, CPU ${us.toFixed(0)}${db} µs per event`,
      );
    }
  }
  await store.close();
}
rmSync(dir, { recursive: true, force: true });
