export { BoundedMap } from './bounded-map.js';
export { Lifecycle, StartError } from './lifecycle.js';
export { LogThrottle } from './log-throttle.js';
export { counter, gauge, histogram } from './metrics.js';
