export * from './config-schema.js';
export * from './hid-usages.js';
export * from './issues.js';
export * from './load.js';
export * from './migrate.js';
export * from './profile-schema.js';
export * from './profiles.js';
export * from './udev.js';
