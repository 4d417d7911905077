/**
 * How officers, counters and units are evaluated, defined once: the store computes with it, the
 * dashboard shows it, and the "Cách tính" page explains it from the same definitions.
 */

export * from './formulas/index.js';
export * from './judgement.js';
export * from './periods.js';
export * from './settings.js';
