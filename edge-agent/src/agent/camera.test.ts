import { describe, expect, it } from 'vitest';
import { cameraPerception } from './camera.js';

describe('cameraPerception', () => {
  it('reports a camera that cannot start as an error in its stats instead of crashing the agent', {
    timeout: 30_000,
  }, async () => {
    const make = await cameraPerception({ source: '/dev/video-missing', fps: 5, role: 'citizen' });
    const perception = make(() => null);
    await perception.start(); // ends when the source fails
    const stats = perception.stats();
    expect(stats.state).toBe('error');
    expect(stats.error).toMatch(/\S/);
    await perception.stop(); // also ends the worker thread; vitest would hang otherwise
  });
});
