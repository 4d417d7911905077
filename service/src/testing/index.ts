export * from './harness.js';
export * from './outage.js';
export * from './sim-device.js';
