export { nextDeadline, screenOf } from './screen.js';
export { step } from './step.js';
export * from './types.js';
