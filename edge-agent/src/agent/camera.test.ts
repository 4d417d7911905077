import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseAgentConfig } from '@onestop/firmware-config';
import { BirthMessage } from '@onestop/protocol';
import { describe, expect, it } from 'vitest';
import { DETECTORS } from '../perception/detectors.js';
import { modelInfo } from '../perception/model-info.js';
import { cameraPerception } from './camera.js';

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
