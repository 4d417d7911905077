import { type FSWatcher, mkdtempSync, rmSync, watch, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type FixtureImages, fixtureImages } from '@onestop/models';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExpressionBody } from './aggregator.js';
import { defaultModelDir, OrtBackend } from './backend.js';
import { PerceptionEngine } from './engine.js';
import { decodeImage } from './image.js';
import { CounterPerception, type FrameAnalyser } from './pipeline.js';
import type { PresenceChange } from './presence.js';
import { ImageReplaySource } from './replay-source.js';
import { type AnalyseOptions, centreIn } from './types.js';
import { PerceptionWorker } from './worker-client.js';

let fx: FixtureImages;
beforeAll(async () => {
  fx = await fixtureImages();
});

/** Every value is a JSON primitive or a plain object/array of them: no Buffer, no typed array. */
function assertPlainJson(v: unknown, path = 'body'): void {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
  if (typeof v === 'number') {
    expect(Number.isFinite(v), path).toBe(true);
    return;
  }
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      assertPlainJson(x, `${path}[${i}]`);
    });
    return;
  }
  expect(Object.getPrototypeOf(v), path).toBe(Object.prototype);
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) assertPlainJson(x, `${path}.${k}`);
}

describe('CounterPerception', () => {
  const cleanup: Array<() => void> = [];
  afterAll(() => {
    for (const c of cleanup) c();
  });

  it('privacy: replaying real photos through the worker pipeline writes no file and emits only numbers', async () => {
    const quiet = mkdtempSync(join(tmpdir(), 'onestop-privacy-'));
    const cwd = process.cwd();
    process.chdir(quiet);
    cleanup.push(() => {
      process.chdir(cwd);
      rmSync(quiet, { recursive: true, force: true });
    });
    const writes: string[] = [];
    const watched = [quiet, dirname(fx.astronaut), defaultModelDir()];
    const watchers: FSWatcher[] = watched.map((d) =>
      watch(d, { recursive: d === quiet }, (event, file) => writes.push(`${event} ${d}/${file}`)),
    );
    cleanup.push(() => {
      for (const w of watchers) w.close();
    });

    const worker = await PerceptionWorker.start({ intraOpNumThreads: 1 });
    cleanup.push(() => void worker.close());
    const files = [...Array<string>(8).fill(fx.astronaut), fx.coffee, fx.coffee];
    const source = new ImageReplaySource({ files, fps: 5, realtime: false, startTs: 1_700_000_000_000 });
    const pipeline = new CounterPerception({
      source,
      analyser: worker,
      role: 'citizen',
      resolveVisitId: () => '0193a0c2-5f00-7000-8000-000000000001',
    });
    const bodies: ExpressionBody[] = [];
    pipeline.on('expression', (b) => bodies.push(b));
    await pipeline.start();
    await new Promise((r) => setTimeout(r, 300));

    expect(writes).toEqual([]);
    expect(bodies).toHaveLength(1);
    const body = bodies[0] as ExpressionBody;
    assertPlainJson(body);
    expect(JSON.parse(JSON.stringify(body))).toEqual(body);
    expect(JSON.stringify(body).length).toBeLessThan(600);
    expect(body).toMatchObject({ visitId: '0193a0c2-5f00-7000-8000-000000000001', frames: 8, exitFrames: 8 });
    expect(body.startedAt).toBe(1_700_000_000_000);
    expect(body.endedAt).toBe(1_700_000_001_400);
    expect(body.exit.happy).toBeGreaterThan(0.5);
    expect(body.satisfactionIndex).toBeGreaterThan(0.7);
    expect(body.confidence).toBeGreaterThan(0.5);
    expect(pipeline.stats()).toMatchObject({ state: 'off', error: null, fps: 5 });
    expect(worker.peakRss).toBeGreaterThan(0);

    // Control: the watchers do see a write, so the empty list above means something.
    writeFileSync(join(quiet, 'control.txt'), 'x');
    await new Promise((r) => setTimeout(r, 300));
    expect(writes.some((w) => w.includes('control.txt'))).toBe(true);
  });

  it('officer role: presence from the detector only, the expression model never runs', async () => {
    const backend = await OrtBackend.create({ intraOpNumThreads: 1 });
    cleanup.push(() => void backend.close());
    const engine = new PerceptionEngine(backend);
    const calls: AnalyseOptions[] = [];
    const spy: FrameAnalyser = {
      analyse: async (img, opts) => {
        calls.push(opts);
        const res = await engine.analyse(img, opts);
        for (const f of res.faces) expect(f.expressions).toBeNull();
        return res;
      },
    };
    const files = [...Array<string>(4).fill(fx.astronaut), ...Array<string>(3).fill(fx.coffee)];
    const source = new ImageReplaySource({ files, fps: 1, realtime: false, startTs: 0 });
    const changes: PresenceChange[] = [];
    const p = new CounterPerception({
      source,
      analyser: spy,
      role: 'officer',
      presence: { leaveAfterMs: 2000 },
    });
    p.on('presence', (c) => changes.push(c));
    p.on('expression', () => expect.fail('no expression body for an officer camera'));
    await p.start();
    expect(calls.length).toBe(7);
    expect(calls.every((c) => c.expressions === false)).toBe(true);
    expect(changes).toEqual([
      { present: true, at: 0, source: 'camera' },
      { present: false, at: 3000, source: 'camera' },
    ]);
  });

  it('shared camera: faces in the officer seat region get no expressions', async () => {
    const backend = await OrtBackend.create({ intraOpNumThreads: 1 });
    cleanup.push(() => void backend.close());
    const engine = new PerceptionEngine(backend);
    const img = await decodeImage(fx.faceApiSamples[0] as string);
    const seat: [number, number, number, number] = [0, 0, 0.5, 1];
    const res = await engine.analyse(img, { expressions: true, excludeRegions: [seat] });
    expect(res.faces.length).toBeGreaterThanOrEqual(2);
    for (const f of res.faces) {
      expect(f.expressions === null).toBe(centreIn(f.box, seat, img.width, img.height));
    }
    expect(res.faces.some((f) => f.expressions === null)).toBe(true);
    expect(res.faces.some((f) => f.expressions !== null)).toBe(true);
  });
});
