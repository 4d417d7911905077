export * from './harness.js';
export * from './sim-device.js';
