/** Wall clock for `ts`, monotonic clock for `mono`: after a power cut the RTC may be wrong. */
export interface Clock {
  now(): number;
  mono(): number;
}

const started = performance.now();
export const systemClock: Clock = {
  now: () => Date.now(),
  mono: () => Math.floor(performance.now() - started),
};
