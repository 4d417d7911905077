import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgentConfig, defineAgentConfig, parseAgentConfig } from '@onestop/firmware-config';
import { fixtureImages } from '@onestop/models';
import { BirthMessage, newEventId } from '@onestop/protocol';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createVirtualInputs } from '../devices/create-inputs.js';
import { DETECTORS } from '../perception/detectors.js';
import { modelInfo } from '../perception/model-info.js';
import { MQTT_URL, TestIngest, uniqueUnit } from '../test-support/ingest.js';
import { startAgent } from './agent.js';
import { cameraPerception } from './camera.js';

const logger = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * A citizen sits down and leaves, in a loop: 6 frames with a face, then 12 without — at 6 fps the
 * empty 2 s outlast the tracker's 1.5 s, so every loop (3 s) ends a face track: one expression.
 */
async function citizensPassingBy(): Promise<string> {
  const fx = await fixtureImages();
  const dir = mkdtempSync(join(tmpdir(), 'scene-'));
  for (let i = 0; i < 18; i++) {
    copyFileSync(i < 6 ? fx.astronaut : fx.coffee, join(dir, `${String(i).padStart(2, '0')}.png`));
  }
  return dir;
}

async function cameraAgent(camera: AgentConfig['camera'], reloadConfig?: () => AgentConfig) {
  const unitId = uniqueUnit('cam');
  const addr = { unitId, counterId: 'q01', deviceId: 'cam-r' };
  const ingest = await TestIngest.connect(unitId);
  cleanups.push(async () => {
    await ingest.clearRetained(addr);
    await ingest.close();
  });
  const config = defineAgentConfig({
    schemaVersion: 2,
    device: addr,
    mqtt: { url: MQTT_URL, username: 'cam-r', password: 'x' },
    dataDir: mkdtempSync(join(tmpdir(), 'cam-')),
    devices: { keypad: { profile: 'generic-keypad4-fkeys' } },
    camera,
  });
  const v = createVirtualInputs({ keypad: 'generic-keypad4-fkeys' }, logger);
  const agent = await startAgent(config, {
    inputs: v.inputs,
    logger,
    ...(reloadConfig ? { reloadConfig } : {}),
  });
  cleanups.push(() => agent.stop());
  const recorded: string[] = [];
  agent.bus.on('event.recorded', ({ event }) => {
    if (event.channel === 'evt/expression') recorded.push('expression');
    if (event.channel === 'evt/presence' && event.body.kind === 'seat') recorded.push('seat');
    if (event.channel === 'evt/rating') recorded.push(`rating:${event.body.level}`);
  });
  return { agent, ingest, addr, config, v, recorded };
}

describe('cameraPerception', () => {
  it('reports a camera that cannot start as an error in its stats instead of crashing the agent', {
    timeout: 30_000,
  }, async () => {
    const { create } = await cameraPerception({
      source: '/dev/video-missing',
      fps: 5,
      role: 'citizen',
      detector: 'onnx-cpu',
    });
    const perception = create(() => null);
    await perception.start(); // ends when the source fails
    const stats = perception.stats();
    expect(stats.state).toBe('error');
    expect(stats.error).toMatch(/\S/);
    await perception.stop(); // also ends the worker thread; vitest would hang otherwise
  });
});

describe('the camera follows the device file', () => {
  it('stops looking at faces when `camera` is removed from the file and reloaded', {
    timeout: 60_000,
  }, async () => {
    let next: AgentConfig | null = null;
    const camera = {
      source: `replay:${await citizensPassingBy()}`,
      fps: 6,
      role: 'citizen' as const,
      detector: 'onnx-cpu' as const,
    };
    const { agent, ingest, addr, config, recorded } = await cameraAgent(camera, () => next!);
    await agent.bus.once('mqtt.connected');
    await agent.bus.once('event.recorded', ({ event }) => event.channel === 'evt/expression', 40_000);
    expect(agent.state().camera.state).toBe('running');

    next = { ...config, camera: null };
    const restarted = agent.bus.once('mqtt.connected', () => true, 15_000);
    await ingest.send(addr, 'cmd/reload-config', { v: 1, cmdId: newEventId(), ts: Date.now(), args: {} });
    await restarted;
    expect(agent.config().camera).toBeNull();
    const seen = recorded.length;
    // Two loops of the scene (a face arrives and leaves every 3 s): a running camera would record.
    await new Promise((r) => setTimeout(r, 6_500));
    expect(recorded.slice(seen)).toEqual([]);
    expect(agent.state().camera).toMatchObject({ state: 'off' });
    expect(agent.telemetry().camera.state).toBe('off');
  });

  it('keeps taking ratings when the camera cannot start (models missing), and says why', {
    timeout: 30_000,
  }, async () => {
    vi.stubEnv('ONESTOP_MODEL_DIR', mkdtempSync(join(tmpdir(), 'no-models-')));
    const { agent, v, recorded } = await cameraAgent({
      source: '/dev/video-missing',
      fps: 5,
      role: 'citizen',
      detector: 'onnx-cpu',
    });
    expect(agent.state().camera).toMatchObject({ state: 'error', error: expect.stringMatching(/not found/) });
    expect(agent.telemetry().camera.state).toBe('error');
    agent.input({ type: 'officer', action: 'start-visit' });
    agent.input({ type: 'officer', action: 'end-visit' });
    v.keypad!.pressLevel(3);
    expect(recorded).toEqual(['rating:3']);
  });
});

describe('camera.detector', () => {
  it('reports the sha256 of the models the chosen backend loads, resolved from @onestop/models', async () => {
    const models = await modelInfo('onnx-cpu');
    expect(models.map((m) => m.name)).toEqual(DETECTORS['onnx-cpu'].models);
    const require = createRequire(import.meta.url);
    for (const m of models) {
      const file = require.resolve(`@onestop/models/onnx/${m.name}.onnx`);
      expect(m.sha256).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
    }
    // The birth message carries them as they are.
    const birth = BirthMessage.shape.models.safeParse(models);
    expect(birth.success).toBe(true);
  });

  it('defaults to onnx-cpu and refuses a backend the agent does not have, by name', () => {
    const base = {
      schemaVersion: 2,
      device: { unitId: 'u1', counterId: 'q01', deviceId: 'd1' },
      dataDir: '/var/lib/onestop',
    };
    const mqtt = { url: 'mqtt://127.0.0.1:1883', username: 'd1', password: 'x' };
    const ok = parseAgentConfig({ ...base, mqtt, camera: { source: '/dev/video0' } });
    expect(ok.camera?.detector).toBe('onnx-cpu');
    expect(() =>
      parseAgentConfig({ ...base, mqtt, camera: { source: '/dev/video0', detector: 'edgetpu' } }),
    ).toThrow(/camera\.detector/);
  });
});
