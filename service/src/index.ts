export { Lifecycle, StartError } from './lifecycle.js';
export { counter, gauge, histogram } from './metrics.js';
