import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineAgentConfig } from '@onestop/firmware-config';
import { validatePayload } from '@onestop/protocol';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createVirtualInputs } from '../../devices/create-inputs.js';
import type { CameraStats, CounterPerceptionEvents, ExpressionBody } from '../../perception/index.js';
import { MQTT_URL, TestIngest, uniqueUnit } from '../../test-support/ingest.js';
import { startAgent } from '../agent.js';
import { VisitHistory } from './perception-bridge.js';

const logger = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Stands in for CounterPerception: same events, no camera. */
class FakePerception extends EventEmitter<CounterPerceptionEvents> {
  started = false;
  stopped = false;
  stats(): CameraStats {
    return { state: 'running', fps: 5, inferenceMs: 40, error: null };
  }
  async start(): Promise<void> {
    this.started = true;
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
}

const probs = {
  neutral: 0.2,
  happy: 0.7,
  sad: 0.02,
  angry: 0.02,
  fearful: 0.02,
  disgusted: 0.02,
  surprised: 0.02,
};

describe('VisitHistory', () => {
  it('matches a face track to the visit it overlapped most', () => {
    const h = new VisitHistory();
    h.record({ phase: 'start', visitId: 'v1', startedAt: 1_000 });
    h.record({ phase: 'end', visitId: 'v1', startedAt: 1_000, endedAt: 5_000 });
    h.record({ phase: 'start', visitId: 'v2', startedAt: 5_500 });
    expect(h.resolve(2_000, 6_000)).toBe('v1');
    expect(h.resolve(4_800, 9_000)).toBe('v2');
    expect(h.resolve(0, 900)).toBeNull();
  });
});

describe('perception bridge', () => {
  it('records camera numbers as evt/expression and seat presence, attributed fairly', async () => {
    const unitId = uniqueUnit('cam');
    const addr = { unitId, counterId: 'q01', deviceId: 'cam-a' };
    const ingest = await TestIngest.connect(unitId);
    cleanups.push(async () => {
      await ingest.clearRetained(addr);
      await ingest.close();
    });
    const fake = new FakePerception();
    let resolver: ((s: number, e: number) => string | null) | null = null;
    const config = defineAgentConfig({
      schemaVersion: 2,
      device: addr,
      mqtt: { url: MQTT_URL, username: 'cam-a', password: 'x' },
      dataDir: mkdtempSync(join(tmpdir(), 'cam-')),
      devices: { badge: { profile: 'generic-badge-rfid125' }, scanner: { profile: 'generic-scanner-wedge' } },
      camera: { source: '/dev/video0' },
    });
    const v = createVirtualInputs(
      { badge: 'generic-badge-rfid125', scanner: 'generic-scanner-wedge' },
      logger,
    );
    const agent = await startAgent(config, {
      inputs: v.inputs,
      logger,
      perception: (resolve) => {
        resolver = resolve;
        return fake;
      },
    });
    cleanups.push(() => agent.stop());
    expect(fake.started).toBe(true);
    expect(agent.telemetry().camera).toEqual({ state: 'running', fps: 5, inferenceMs: 40, error: null });

    v.badge!.typeLine('cb-a');
    const since = Date.now();
    v.scanner!.typeLine('A001');
    const visitId = agent.state().counter.visit!.id;
    const body: ExpressionBody = {
      visitId: resolver!(since, Date.now() + 1_000),
      startedAt: since,
      endedAt: Date.now() + 1_000,
      frames: 40,
      exitFrames: 10,
      mean: probs,
      exit: probs,
      satisfactionIndex: 0.8,
      confidence: 0.6,
    };
    fake.emit('expression', body);
    fake.emit('expression', { ...body, startedAt: since - 60_000 }); // began before the sign-in
    fake.emit('presence', { present: true, at: Date.now(), source: 'camera' });
    await ingest.waitFor(
      (r) =>
        r.filter((x) => x.channel === 'evt/expression').length === 2 &&
        r.some((x) => x.payload.kind === 'seat'),
    );
    const exprs = ingest.of('evt/expression').map((r) => r.payload);
    for (const e of exprs) expect(validatePayload('evt/expression', e).ok).toBe(true);
    expect(exprs.map((e) => [e.visitId, e.officerId])).toEqual([
      [visitId, 'cb-a'],
      [visitId, null],
    ]);
    expect(ingest.received.find((r) => r.payload.kind === 'seat')?.payload).toMatchObject({
      state: 'occupied',
      officerId: 'cb-a',
      source: 'camera',
    });
    await agent.stop();
    expect(fake.stopped).toBe(true);
  });
});
