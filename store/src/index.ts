export * from './comments.js';
export * from './credentials.js';
export * from './db.js';
export * from './devices.js';
export * from './directory.js';
export * from './ingest.js';
export * from './reports.js';
export * as schema from './schema.js';
export * from './staff.js';
