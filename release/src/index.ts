export * from './hash.js';
export * from './keys.js';
export * from './read.js';
export * from './write.js';
